"""``outbound-mcp``: serve (stdio or HTTP), list tools, export schemas, run the sandbox."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

import anyio

from mcp_server import __version__
from mcp_server.core.errors import ConfigError
from mcp_server.settings import _is_loopback, load_settings

SCHEMA_DIR = Path("tool_schemas")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="outbound-mcp",
        description="MCP server for PersistIQ, Snov.io and Epixel Leads & CRM.",
    )
    parser.add_argument("--version", action="version", version=f"outbound-mcp {__version__}")
    parser.add_argument("--sandbox", action="store_true", help="serve against the built-in simulated APIs (no keys)")
    parser.add_argument("--transport", choices=["stdio", "http"], default="stdio")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000)")
    parser.add_argument("--allowed-origin", action="append", default=[], help="extra browser Origin to accept")
    parser.add_argument(
        "--allowed-host", action="append", default=[], help="extra Host header to accept (a proxy's public name)"
    )
    parser.add_argument(
        "--stateless",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="HTTP without sessions, so any replica serves any request (default on)",
    )
    parser.add_argument("--read-only", action="store_true", default=None, help="offer only read-only tools")
    parser.add_argument("--toolsets", help="comma-separated providers: persistiq,snov,epixel")
    parser.add_argument("--tools", help="comma-separated allow-list of tool names")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("tools", help="print the tool catalogue")
    schemas = sub.add_parser("schemas", help="write or check tool_schemas/")
    mode = schemas.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    schemas.add_argument("--dir", type=Path, default=SCHEMA_DIR)
    sandbox = sub.add_parser("sandbox", help="serve the simulated APIs on 127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8765)
    sandbox.add_argument("--time-scale", type=float, default=1.0)
    sandbox.add_argument("--job-delay", type=float, default=2.0)
    sandbox.add_argument("--token-lifetime", type=float, default=3600.0)
    sandbox.add_argument("--retire-snov-v1", action="store_true")
    return parser


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if args.read_only:
        out["outbound_mcp_read_only"] = True
    if args.toolsets is not None:
        out["outbound_mcp_toolsets"] = args.toolsets
    if args.tools is not None:
        out["outbound_mcp_tools"] = args.tools
    # Flags add to the variables' lists (both are validated the same way at start-up).
    lists = (("allowed_origin", "OUTBOUND_MCP_ALLOWED_ORIGINS"), ("allowed_host", "OUTBOUND_MCP_ALLOWED_HOSTS"))
    for flag, variable in lists:
        values = getattr(args, flag)
        if values:
            out[variable.lower()] = ",".join([os.environ.get(variable, ""), *values])
    if args.stateless is not None:
        out["outbound_mcp_http_stateless"] = args.stateless
    return out


async def _serve(args: argparse.Namespace) -> None:
    from mcp_server.core.redact import log_to_stderr
    from mcp_server.server import create_server

    overrides = _overrides(args)
    log_to_stderr()
    if not args.sandbox:
        settings = load_settings(**overrides)
        await _run_transport(create_server(settings), args, settings)
        return
    from mcp_server.sandbox.app import Sandbox
    from mcp_server.sandbox.runner import serve_sandbox

    async with serve_sandbox(Sandbox()) as urls:
        sandbox_env = {key.lower(): value for key, value in urls.environment().items()}
        settings = load_settings(**sandbox_env, **overrides)
        print(f"outbound-mcp: sandbox APIs on {urls.origin} (simulated data, no real accounts)", file=sys.stderr)
        await _run_transport(create_server(settings), args, settings)


async def _run_transport(server: Any, args: argparse.Namespace, settings: Any) -> None:
    if args.transport == "stdio":
        await server.run_stdio_async()
        return
    import uvicorn

    from mcp_server.http.app import HttpOptions, build_http_app

    token = settings.outbound_mcp_http_token
    if not _is_loopback(args.host) and token is None and settings.outbound_mcp_oauth_issuer is None:
        raise ConfigError(
            "OUTBOUND_MCP_HTTP_TOKEN (or OAuth: OUTBOUND_MCP_OAUTH_ISSUER) is required to bind a non-loopback host",
            variable="OUTBOUND_MCP_HTTP_TOKEN",
        )
    options = HttpOptions.from_settings(settings, host=args.host, port=args.port)
    # Stateless, the SDK logs "Terminating session: None" at INFO for every request.
    logging.getLogger("mcp.server.streamable_http").setLevel(logging.WARNING)
    app = build_http_app(server, options=options)
    print(f"outbound-mcp: streamable HTTP on http://{args.host}:{args.port}/mcp", file=sys.stderr)
    # Behind a TLS-terminating proxy: the proxy passes Host through (listed with --allowed-host); the
    # client address and scheme in X-Forwarded-* are believed only from FORWARDED_ALLOW_IPS (uvicorn's rule).
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="warning", proxy_headers=True)
    await uvicorn.Server(config).serve()


def _sandbox(args: argparse.Namespace) -> None:
    from mcp_server.sandbox.app import Sandbox
    from mcp_server.sandbox.config import SandboxConfig
    from mcp_server.sandbox.runner import serve_sandbox

    config = SandboxConfig(
        time_scale=args.time_scale,
        job_delay=args.job_delay,
        token_lifetime=args.token_lifetime,
        snov_v1_retired=args.retire_snov_v1,
    )

    async def run() -> None:
        async with serve_sandbox(Sandbox(config), port=args.port) as urls:
            _print_sandbox(urls)
            await anyio.sleep_forever()

    anyio.run(run)


def _print_sandbox(urls: Any) -> None:
    print(f"Sandbox serving on {urls.origin} (Ctrl-C to stop). Point outbound-mcp at it with:")
    for key, value in urls.environment().items():
        print(f"  export {key}={value}")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "tools":
            from mcp_server.catalogue import catalogue_lines

            print("\n".join(catalogue_lines()))
            return 0
        if args.command == "schemas":
            from mcp_server.catalogue import schema_drift, write_schemas

            if args.write:
                print(f"wrote {write_schemas(args.dir)} schemas to {args.dir}/")
                return 0
            drift = schema_drift(args.dir)
            for line in drift:
                print(line, file=sys.stderr)
            if drift:
                print("tool_schemas/ is out of date: run `outbound-mcp schemas --write`", file=sys.stderr)
            return 1 if drift else 0
        if args.command == "sandbox":
            _sandbox(args)
            return 0
        anyio.run(_serve, args)
        return 0
    except ConfigError as error:
        print(f"outbound-mcp: configuration error: {error.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

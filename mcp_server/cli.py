"""``outbound-mcp``: serve (stdio or HTTP), list tools, export schemas, run the sandbox."""

from __future__ import annotations

import argparse
import errno
import functools
import logging
import os
import socket
import sys
from pathlib import Path
from typing import Any, NoReturn

import anyio

from mcp_server import __version__
from mcp_server.app.listings import saved_listing
from mcp_server.collector import resume
from mcp_server.core.errors import ConfigError
from mcp_server.core.redact import log_to_stderr
from mcp_server.preflight import served_tools
from mcp_server.server import create_server
from mcp_server.settings import DESCRIBED, Settings, is_loopback, load_settings
from mcp_server.stdio import TERMINAL_HINT, run_stdio
from mcp_server.variables import check_variable_names

BIND_ERRORS = (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES)
README = "https://github.com/outbound-mcp/outbound-mcp#configuration"
# Each provider as ``described`` lists it (none is named here), then the HTTP transport's own.
CREDENTIAL_LINES = [(d.label, d.needs + (f"   ({d.note})" if d.note else "")) for d in DESCRIBED]
CREDENTIAL_LINES.append(
    ("HTTP", "OUTBOUND_MCP_HTTP_TOKEN or OAuth (OUTBOUND_MCP_OAUTH_ISSUER): one is required off loopback")
)
WIDTH = max(len(label) for label, _ in CREDENTIAL_LINES) + 2
EPILOG = (
    "credentials are read from environment variables (a provider is on when its are set):\n"
    + "".join(f"  {label:<{WIDTH}}{needs}\n" for label, needs in CREDENTIAL_LINES)
    + f"no keys? try: outbound-mcp --sandbox      every variable: README.md, Configuration ({README})\n"
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, like every other start-up mistake (argparse would print the usage block first).
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: use 1-65535")
    return port


def parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="outbound-mcp",
        description="MCP server for PersistIQ, Snov.io and Epixel Leads & CRM (stdio by default).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"outbound-mcp {__version__}")
    parser.add_argument("--sandbox", action="store_true", help="serve against the built-in simulated APIs (no keys)")
    parser.add_argument("--transport", choices=["stdio", "http"], default="stdio", help="default stdio")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8000, help="HTTP port (default 8000)")
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
    _add_filters(parser, default=None)
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="stderr log level (OUTBOUND_MCP_LOG_LEVEL, default WARNING; DEBUG logs every upstream request)",
    )
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    tools = sub.add_parser("tools", help="print the tools these flags and variables would serve")
    tools.add_argument("--sandbox", action="store_true", default=argparse.SUPPRESS, help="as served with --sandbox")
    _add_filters(tools, default=argparse.SUPPRESS)  # SUPPRESS: flags given before `tools` stay in force
    schemas = sub.add_parser("schemas", help="write or check tool_schemas/")
    mode = schemas.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="write the schemas of every tool")
    mode.add_argument("--check", action="store_true", help="exit 1 when the folder differs from the code")
    schemas.add_argument("--dir", type=Path, help="default: the checkout's tool_schemas/, from wherever it is run")
    bundle = sub.add_parser("bundle", help="build the Claude Desktop bundle (.mcpb) from this checkout")
    bundle.add_argument("--out", type=Path, default=Path("dist"), help="file or folder to write (default dist/)")
    sandbox = sub.add_parser("sandbox", help="serve the simulated APIs on 127.0.0.1")
    sandbox.add_argument("--port", type=_port, default=8765, help="loopback port (default 8765)")
    sandbox.add_argument(
        "--time-scale", type=float, default=1.0, help="vendor seconds per real second (60: a rate minute lasts 1 s)"
    )
    sandbox.add_argument("--job-delay", type=float, default=2.0, help="vendor seconds a Snov.io job runs (default 2)")
    sandbox.add_argument(
        "--token-lifetime", type=float, default=3600.0, help="vendor seconds an access token lives (default 3600)"
    )
    sandbox.add_argument(
        "--reset",
        action="store_true",
        help="stop the sandbox shared by --sandbox servers and delete its data (leads, credits, cursors)",
    )
    # How a --sandbox server starts the shared sandbox in the background (shared_sandbox.py); not for people.
    sandbox.add_argument("--shared-in", type=Path, default=None, help=argparse.SUPPRESS)
    sandbox.add_argument("--retire-snov-v1", action="store_true", help="answer Snov.io's v1 finder/verifier with 404")
    sandbox.add_argument(
        "--profile",
        choices=["current", "documented"],
        default="current",
        help="current: the vendors' newer pages (default); documented: only what the vendor documents say",
    )
    return parser


def _add_filters(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument(
        "--read-only",
        action=argparse.BooleanOptionalAction,
        default=default,
        help="offer only read-only tools (overrides OUTBOUND_MCP_READ_ONLY either way)",
    )
    parser.add_argument(
        "--allow-spend",
        action=argparse.BooleanOptionalAction,
        default=default,
        help="with --read-only, offer the tools that spend credits too (OUTBOUND_MCP_ALLOW_SPEND)",
    )
    parser.add_argument(
        "--toolsets", default=default, help="comma-separated providers: persistiq,snov,epixel (OUTBOUND_MCP_TOOLSETS)"
    )
    parser.add_argument("--tools", default=default, help="comma-separated tool names to offer (OUTBOUND_MCP_TOOLS)")


def overrides_of(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if args.read_only is not None:
        out["outbound_mcp_read_only"] = args.read_only
    if args.allow_spend is not None:
        out["outbound_mcp_allow_spend"] = args.allow_spend
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
    if args.log_level is not None:
        out["outbound_mcp_log_level"] = args.log_level
    return out


def _configured(args: argparse.Namespace, *, start_sandbox: bool) -> tuple[Settings, str]:
    """The settings from variables and flags, and a note to print once serving. With ``--sandbox``: pointed
    at this user's shared sandbox (started if need be), or, only to list tools, at a sandbox address unused."""
    check_variable_names(os.environ)
    overrides = overrides_of(args)
    if not args.sandbox:
        settings = load_settings(**overrides)
        if not settings.outbound_mcp_sandbox:
            return settings, ""
    if not start_sandbox:
        from outbound_sandbox.runner import SandboxUrls

        return load_settings(**_lower(SandboxUrls("http://127.0.0.1:9").environment()), **overrides), ""
    from mcp_server.shared_sandbox import (  # lazy: --sandbox only (start-up time)
        RESET_COMMAND,
        SharedSandbox,
        shared_dir,
    )

    shared = SharedSandbox(shared_dir())
    origin, environment = shared.ensure()
    own: dict[str, Any] = {}
    # Its own store and key beside it, so the credit cap, cursors and confirmations hold across processes,
    # and sandbox spending never counts against a real account's ledger. A variable set by the user wins.
    if "OUTBOUND_MCP_STATE" not in os.environ:
        own["outbound_mcp_state"] = shared.store
    if "OUTBOUND_MCP_STATE_SECRET" not in os.environ:
        own["outbound_mcp_state_secret"] = shared.secret()
    note = (
        f"outbound-mcp: sandbox APIs on {origin} (simulated data, shared by your --sandbox servers; "
        f"`{RESET_COMMAND}` clears it)"
    )
    return load_settings(**_lower(environment), **own, **overrides), note


def _lower(environment: dict[str, str]) -> dict[str, str]:
    return {key.lower(): value for key, value in environment.items()}


def _list_tools(args: argparse.Namespace) -> None:
    from mcp_server.catalogue import catalogue_lines  # lazy: this subcommand only (start-up time)

    settings, _ = _configured(args, start_sandbox=False)
    print("\n".join(catalogue_lines([tool.build() for tool in served_tools(settings)])))


def _serve(args: argparse.Namespace) -> None:
    """Everything that can fail or take time happens before the event loop starts: Ctrl-C during start-up
    then stops at once (inside the loop it would wait for the running import or build to finish)."""
    settings, note = _configured(args, start_sandbox=True)
    served_tools(settings)
    sock = _http_socket(args, settings) if args.transport == "http" else None
    log_to_stderr(getattr(logging, settings.outbound_mcp_log_level))
    server = create_server(settings, listing=saved_listing())  # tools/list from saved entries (app.listings)
    resume()  # built: from here on objects come and go (mcp_server.collector)
    if note:
        print(note, file=sys.stderr)
    if sock is None:
        hinted = sys.stdin.isatty()
        if hinted:
            print(TERMINAL_HINT, file=sys.stderr)
        anyio.run(functools.partial(run_stdio, server, hinted=hinted))
    else:
        anyio.run(_serve_http, server, args, settings, sock)


def _http_socket(args: argparse.Namespace, settings: Settings) -> socket.socket:
    if (
        not is_loopback(args.host)
        and settings.outbound_mcp_http_token is None
        and not settings.outbound_mcp_oauth_issuer
    ):
        raise ConfigError(
            "OUTBOUND_MCP_HTTP_TOKEN (or OAuth: OUTBOUND_MCP_OAUTH_ISSUER) is required to bind a non-loopback host",
            variable="OUTBOUND_MCP_HTTP_TOKEN",
        )
    return _listen(args.host, args.port)


async def _serve_http(server: Any, args: argparse.Namespace, settings: Settings, sock: socket.socket) -> None:
    import uvicorn

    from mcp_server.http.app import HttpOptions, build_http_app
    from mcp_server.http.listen import uvicorn_config

    options = HttpOptions.from_settings(settings, host=args.host, port=args.port)
    # Stateless, the SDK logs "Terminating session: None" at INFO for every request.
    logging.getLogger("mcp.server.streamable_http").setLevel(logging.WARNING)
    app = build_http_app(server, options=options)
    print(f"outbound-mcp: streamable HTTP on http://{args.host}:{args.port}/mcp", file=sys.stderr)
    level = settings.outbound_mcp_log_level.lower()
    # Behind a TLS-terminating proxy: the proxy passes Host through (listed with --allowed-host); the
    # client address and scheme in X-Forwarded-* are believed only from FORWARDED_ALLOW_IPS when it is set.
    config = uvicorn_config(app, log_level=level)
    await uvicorn.Server(config).serve(sockets=[sock])


def _listen(host: str, port: int) -> socket.socket:
    """Bind before saying "serving", so a busy port is one line, not a traceback after a false start."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, backlog=2048)
    except OSError as exc:
        # create_server's message repeats the address; the errno's own words are enough.
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise ConfigError(
            f"--port {port}: cannot listen on {host}:{port} ({reason}): choose another --port or --host",
            variable="--port",
        ) from None


def _sandbox(args: argparse.Namespace) -> None:
    from mcp_server.shared_sandbox import SharedSandbox, write_record  # lazy: this subcommand only (start-up time)
    from outbound_sandbox.app import Sandbox
    from outbound_sandbox.config import SandboxConfig
    from outbound_sandbox.runner import serve_sandbox

    config = SandboxConfig(
        profile=args.profile,
        time_scale=args.time_scale,
        job_delay=args.job_delay,
        token_lifetime=args.token_lifetime,
        snov_v1_retired=args.retire_snov_v1,
    )

    shared = None if args.shared_in is None else SharedSandbox(args.shared_in)
    if shared is not None and not shared.alive_lock.try_hold():
        return  # another shared sandbox already runs for this user; the lock outlives this check until exit

    async def run() -> None:
        try:
            async with serve_sandbox(Sandbox(config), port=0 if shared else args.port) as urls:
                if shared is None:
                    _print_sandbox(urls, config.profile)
                else:
                    write_record(shared.folder, urls.origin, urls.environment())
                await anyio.sleep_forever()
        except OSError as exc:
            if exc.errno not in BIND_ERRORS:
                raise
            reason = os.strerror(exc.errno) if exc.errno else str(exc)
            raise ConfigError(
                f"--port {args.port}: cannot listen ({reason}): choose another --port", variable="--port"
            ) from None

    anyio.run(run)


def _print_sandbox(urls: Any, profile: str) -> None:
    print(f"Sandbox ({profile} profile) serving on {urls.origin} (Ctrl-C to stop). Point outbound-mcp at it with:")
    for key, value in urls.environment().items():
        print(f"  export {key}={value}")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command is not None:
        resume()  # only the server's start-up runs with the collector paused (mcp_server.collector)
    try:
        if args.command == "tools":
            _list_tools(args)
            return 0
        if args.command == "schemas":
            from mcp_server.catalogue import (  # lazy: this subcommand only
                default_schema_dir,
                schema_drift,
                write_schemas,
            )

            folder = args.dir or default_schema_dir()
            if args.write:
                print(f"wrote {write_schemas(folder)} schemas to {folder}/")
                return 0
            if not folder.is_dir():
                print(
                    f"no tool_schemas/ folder at {folder.resolve()}: run from the checkout or pass --dir",
                    file=sys.stderr,
                )
                return 1
            drift = schema_drift(folder)
            for line in drift:
                print(line, file=sys.stderr)
            if drift:
                print(f"{folder}/ is out of date: run `outbound-mcp schemas --write`", file=sys.stderr)
            return 1 if drift else 0
        if args.command == "bundle":
            from mcp_server.bundle import build_bundle  # lazy: this subcommand only (start-up time)

            print(f"wrote {build_bundle(args.out)}")
            return 0
        if args.command == "sandbox" and args.reset:
            from mcp_server.shared_sandbox import SharedSandbox, shared_dir  # lazy: this subcommand only

            stopped = "stopped and " if SharedSandbox(shared_dir()).reset() else ""
            print(f"outbound-mcp: shared sandbox {stopped}cleared; the next --sandbox starts afresh")
            return 0
        if args.command == "sandbox":
            _sandbox(args)
            return 0
        _serve(args)
        return 0
    except ConfigError as error:
        print(f"outbound-mcp: configuration error: {error.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def entry() -> NoReturn:
    """The ``outbound-mcp`` command: ``main``, then out without the interpreter's teardown, which took
    1.3-1.5 s on a loaded machine after Ctrl-C (freeing every module and object one by one); everything
    that holds data (the store, the HTTP clients) was closed when serving ended, and the streams are
    flushed here."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()

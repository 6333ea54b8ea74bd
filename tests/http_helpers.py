"""Serving an ASGI app (the MCP server's HTTP app) on a free loopback port inside a test."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from pydantic import SecretStr

from mcp_server.http.app import HttpOptions, build_http_app
from mcp_server.http.listen import uvicorn_config
from mcp_server.server import create_server
from mcp_server.settings import load_settings
from tests.core.demo_provider import DEMO
from tests.e2e_guard import check


@asynccontextmanager
async def served(app: Any, *, as_cli: bool = False) -> AsyncGenerator[str]:
    """The app on 127.0.0.1 until the block ends; yields its ``/mcp`` URL. ``as_cli``: with the CLI's uvicorn
    settings (``X-Forwarded-For`` believed only from ``FORWARDED_ALLOW_IPS``)."""
    check("an HTTP server")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn_config(app, log_level="warning") if as_cli else uvicorn.Config(app, log_level="warning")
    config.lifespan = "on"
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/mcp"
    finally:
        server.should_exit = True
        await task
        sock.close()


@asynccontextmanager
async def serving_demo(token: str, **options: Any) -> AsyncGenerator[str]:
    """The demo provider behind the HTTP app with ``token`` as its bearer and ``HttpOptions`` overrides."""
    settings = load_settings(persistiq_api_key="k" * 12)
    opts = HttpOptions(token=SecretStr(token), **options)
    async with served(build_http_app(create_server(settings, providers=[DEMO]), options=opts)) as url:
        yield url


def mcp_headers(token: str, **extra: str) -> dict[str, str]:
    """The headers of a streamable-HTTP JSON-RPC POST carrying ``token``."""
    return {
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
        "Authorization": f"Bearer {token}",
        **extra,
    }

"""Shared helpers: medians, a sandbox on loopback, settings pointing at it, and the result table."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from mcp import StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import ElicitResult

from mcp_server.settings import Settings, load_settings
from outbound_sandbox import config as cfg
from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import SandboxConfig
from outbound_sandbox.runner import SandboxThread, SandboxUrls

PROVIDER_VARS = ("PERSISTIQ_", "SNOV_", "EPIXEL_", "OUTBOUND_MCP_")
SERVER_LOG = Path(tempfile.gettempdir()) / "outbound-mcp-benchmarks.log"
"""Where the stdio servers started by the benchmarks write their stderr."""
FAST_SCALE = 600.0
"""Sandbox time scale where rate limits should not matter: a vendor minute passes in 0.1 s."""
FAST_WINDOW = {"rate_window": 60.0 / FAST_SCALE}
"""The server's budgets on the same scale (the documented per-minute limits per 0.1 s)."""


@dataclass
class Figure:
    name: str
    value: str
    baseline: str
    goal: str
    met: bool | None

    def row(self) -> str:
        mark = {True: "yes", False: "NO", None: "-"}[self.met]
        return f"| {self.name} | {self.value} | {self.baseline} | {self.goal} | {mark} |"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(figures: list[Figure]) -> str:
    head = "| figure | measured | baseline (same run) | goal | met |\n|---|---|---|---|---|"
    return "\n".join([head, *(f.row() for f in figures)])


@contextmanager
def sandbox(**knobs: Any) -> Iterator[tuple[Sandbox, SandboxUrls]]:
    """The simulated APIs on a loopback port of their own thread, with ``SandboxConfig`` knobs."""
    thread = SandboxThread(Sandbox(SandboxConfig(**knobs))).start()
    try:
        yield thread.sandbox, thread.urls
    finally:
        thread.stop()


def settings_for(urls: SandboxUrls, **tuning: Any) -> Settings:
    """Every provider pointed at the sandbox, plus tuning (``rate_window=3.0``...)."""
    env = {key.lower(): value for key, value in urls.environment().items()}
    return load_settings(**{**env, **tuning})


def stdio_server(urls: SandboxUrls, **tuning: Any) -> StdioServerParameters:
    """``python -m mcp_server`` over stdio against the sandbox; tuning goes in as variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(PROVIDER_VARS)}
    env.update(urls.environment())
    env.update({f"OUTBOUND_MCP_{key.upper()}": str(value) for key, value in tuning.items()})
    return StdioServerParameters(command=sys.executable, args=["-m", "mcp_server"], env=env)


@asynccontextmanager
async def quiet(params: StdioServerParameters) -> AsyncIterator[Any]:
    """A stdio transport whose server logs (a line per upstream request) go to ``SERVER_LOG``, not the table."""
    with SERVER_LOG.open("a", encoding="utf-8") as log:
        async with stdio_client(params, errlog=log) as streams:
            yield streams


@contextmanager
def sandbox_process(time_scale: float = 1.0) -> Iterator[SandboxUrls]:
    """The simulated APIs in a process of their own (``outbound-mcp sandbox``): for timings, so that the
    upstream does not share this process's interpreter lock with the client and server being measured."""
    args = ["-m", "mcp_server", "sandbox", "--time-scale", str(time_scale)]
    with serving_process(args, "the sandbox process") as urls:
        yield urls


@contextmanager
def serving_process(args: list[str], what: str) -> Iterator[SandboxUrls]:
    """``python <args> --port N`` on a free loopback port, once it prints "serving on http"; stopped after."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, *args, "--port", str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        if "serving on http" not in process.stdout.readline():
            raise RuntimeError(f"{what} did not start")
        yield SandboxUrls(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


async def snov_token(http: httpx.AsyncClient, urls: SandboxUrls) -> str:
    """A Snov.io access token from the sandbox, for baselines that call it with a bare client."""
    form = {
        "grant_type": "client_credentials",
        "client_id": cfg.SNOV_CLIENT_ID,
        "client_secret": cfg.SNOV_CLIENT_SECRET,
    }
    return (await http.post(f"{urls.snov}/v1/oauth/access_token", data=form)).json()["access_token"]


async def agrees(context: Any, params: Any) -> ElicitResult:
    """A person who accepts every question (a spend or a delete): the figures are the work's, not the question's."""
    return ElicitResult(action="accept", content={"confirm": True})

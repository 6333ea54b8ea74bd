"""Start-up: process start to ``tools/list`` answered over stdio, against the reference
``mcp-server-fetch`` measured the same way, the runs interleaved so both see the same machine load."""

from __future__ import annotations

import os
import shutil
import sys
import time

from mcp import Client, StdioServerParameters

from benchmarks.common import Figure, median, quiet

RUNS = 7
FAKE_ENV = {
    "PERSISTIQ_API_KEY": "bench-persistiq-key",
    "SNOV_CLIENT_ID": "bench-snov-id",
    "SNOV_CLIENT_SECRET": "bench-snov-secret",
    "EPIXEL_BASE_URL": "https://crm.example.com/api/v1",
    "EPIXEL_API_KEY": "bench-epixel-key",
    "EPIXEL_ACCESS_TOKEN": "bench-epixel-token",
}
"""All three providers on, as a configured user runs it (no request is made before a tool call)."""


async def time_to_tools(command: str, args: list[str], env: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    params = StdioServerParameters(command=command, args=args, env={**os.environ, **env})
    async with Client(quiet(params)) as client:
        tools = await client.list_tools()
    return time.perf_counter() - started, len(tools.tools)


async def run() -> list[Figure]:
    fetch_bin = shutil.which("mcp-server-fetch") or os.path.join(os.path.dirname(sys.executable), "mcp-server-fetch")
    have_fetch = os.path.exists(fetch_bin)
    ours: list[float] = []
    theirs: list[float] = []
    count = 0
    for _ in range(RUNS):
        seconds, count = await time_to_tools(sys.executable, ["-m", "mcp_server"], FAKE_ENV)
        ours.append(seconds)
        if have_fetch:
            seconds, _n = await time_to_tools(fetch_bin, [], {})
            theirs.append(seconds)
    name = f"start-up to tools/list over stdio (median of {RUNS})"
    if not have_fetch:
        value = f"{median(ours) * 1000:.0f} ms ({count} tools)"
        return [Figure(name, value, "mcp-server-fetch not installed", "-", None)]
    ratio = median(ours) / median(theirs)
    return [
        Figure(
            name,
            f"{median(ours) * 1000:.0f} ms ({count} tools), ratio {ratio:.2f}",
            f"mcp-server-fetch {median(theirs) * 1000:.0f} ms (1 tool)",
            "ratio <= 1.0",
            ratio <= 1.0,
        )
    ]

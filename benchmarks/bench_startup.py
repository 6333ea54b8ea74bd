"""Start-up: process start to ``tools/list`` answered over stdio, against the reference mcp-server-fetch."""

from __future__ import annotations

import os
import shutil
import sys
import time

from mcp import Client, StdioServerParameters

from benchmarks.common import Figure, median

RUNS = 5
FAKE_ENV = {
    "PERSISTIQ_API_KEY": "bench-persistiq-key",
    "SNOV_CLIENT_ID": "bench-snov-id",
    "SNOV_CLIENT_SECRET": "bench-snov-secret",
    "EPIXEL_BASE_URL": "https://crm.example.com/api/v1",
    "EPIXEL_API_KEY": "bench-epixel-key",
    "EPIXEL_ACCESS_TOKEN": "bench-epixel-token",
}


async def time_to_tools(command: str, args: list[str], env: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    params = StdioServerParameters(command=command, args=args, env={**os.environ, **env})
    async with Client(params) as client:
        tools = await client.list_tools()
    return time.perf_counter() - started, len(tools.tools)


async def run() -> list[Figure]:
    ours, count = [], 0
    for _ in range(RUNS):
        seconds, count = await time_to_tools(sys.executable, ["-m", "mcp_server"], FAKE_ENV)
        ours.append(seconds)
    fetch_bin = shutil.which("mcp-server-fetch") or os.path.join(os.path.dirname(sys.executable), "mcp-server-fetch")
    if not os.path.exists(fetch_bin):
        return [
            Figure(
                "start-up to tools/list (stdio)",
                f"{median(ours) * 1000:.0f} ms ({count} tools)",
                "mcp-server-fetch not installed",
                "ratio <= 1.0",
                None,
            )
        ]
    theirs = []
    for _ in range(RUNS):
        seconds, _n = await time_to_tools(fetch_bin, [], {})
        theirs.append(seconds)
    ratio = median(ours) / median(theirs)
    return [
        Figure(
            "start-up to tools/list (stdio)",
            f"{median(ours) * 1000:.0f} ms ({count} tools), ratio {ratio:.2f}",
            f"mcp-server-fetch {median(theirs) * 1000:.0f} ms",
            "ratio <= 1.0",
            ratio <= 1.0,
        )
    ]

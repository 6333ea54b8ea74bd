"""Start-up: process start to ``tools/list`` answered over stdio, against the reference
``mcp-server-fetch`` measured the same way, the runs interleaved so both see the same machine load.

Both start as installed: the package's bytecode compiled first, as ``pip install`` compiles it (and
mcp-server-fetch's was); a checkout run with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module
from source at every start (~0.3-0.8 s here). The first start writes the saved tools/list entries
(``mcp_server.app.listings``) where the user's cache is; the median is of starts that read them.
"""

from __future__ import annotations

import compileall
import os
import shutil
import sys
import time

from mcp import Client, StdioServerParameters

import mcp_server
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
    compileall.compile_dir(os.path.dirname(mcp_server.__file__), quiet=1)
    # One start of each not counted: ours saves its entries (a first start), and both find their files cached.
    await time_to_tools(sys.executable, ["-m", "mcp_server"], FAKE_ENV)
    if have_fetch:
        await time_to_tools(fetch_bin, [], {})
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

"""Memory: peak RSS of the server process (over stdio) while paging 10,000 PersistIQ leads through
``persistiq_list_leads`` in chunks of 1,000, against its RSS when idle (started, tools listed)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from mcp import Client

from benchmarks.common import FAST_SCALE, FAST_WINDOW, Figure, quiet, sandbox, stdio_server
from outbound_sandbox.persistiq.data import seed

LEADS = 10_000
CHUNK = 1_000
GOAL_MB = 20.0


def server_pid() -> int:
    """The one child process of this one running ``mcp_server`` (the stdio server)."""
    me = str(os.getpid())
    for proc in Path("/proc").iterdir():
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[1] == me and b"mcp_server" in cmdline:
            return int(proc.name)
    raise RuntimeError("the server process was not found")


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


async def run() -> list[Figure]:
    if not Path("/proc/self/status").exists():
        return [Figure("memory while paging 10,000 leads", "not measured (needs Linux /proc)", "-", "-", None)]
    with sandbox(time_scale=FAST_SCALE) as (sb, urls):
        sb.persistiq.world = seed(sb.config.seed, lead_count=LEADS)
        async with Client(quiet(stdio_server(urls, **FAST_WINDOW))) as client:
            await client.list_tools()
            pid = server_pid()
            idle = status_kb(pid, "VmRSS")
            # Restart the peak (VmHWM) from now; where that is refused, the start-up peak counts too.
            with contextlib.suppress(OSError):
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            seen, cursor, calls = 0, None, 0
            while True:
                args = {"limit": CHUNK, **({"cursor": cursor} if cursor else {})}
                result = await client.call_tool("persistiq_list_leads", args)
                assert not result.is_error and result.structured_content, result.content
                seen += len(result.structured_content["rows"])  # a table (shapes.Table)
                calls += 1
                cursor = result.structured_content.get("next_cursor")
                if not cursor:
                    break
            peak = status_kb(pid, "VmHWM")
    assert seen == LEADS, seen
    grew = (peak - idle) / 1024
    return [
        Figure(
            f"memory, paging {LEADS:,} leads in {calls} calls of {CHUNK:,} (stdio server)",
            f"peak RSS +{grew:.1f} MB ({peak / 1024:.0f} MB)",
            f"idle RSS {idle / 1024:.0f} MB",
            f"<= +{GOAL_MB:g} MB",
            grew <= GOAL_MB,
        )
    ]

"""Overhead per call: a tool call through an MCP client (in memory, over stdio) against the same upstream
request made with a bare ``httpx.AsyncClient``, interleaved in the same run.

A plain ``MCPServer`` tool that makes that request itself shows what the MCP SDK alone adds; the same server on
the memory store shows what the default SQLite store's one trip per call (the rate budget's slot) costs. The
SQLite file is the run's own: the default one is shared with every other process of the user on the machine.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from mcp import Client
from mcp.server.mcpserver import MCPServer
from pydantic import BaseModel

from benchmarks.common import (
    FAST_SCALE,
    FAST_WINDOW,
    Figure,
    median,
    quiet,
    sandbox_process,
    settings_for,
    stdio_server,
)
from mcp_server.server import create_server
from outbound_sandbox import config as cfg

CALLS = 300
STDIO_CALLS = 150
WARM_UP = 20
GOAL_MS = 1.0

Timed = Callable[[], Awaitable[Any]]


class Lead(BaseModel):
    id: str
    status: str
    data: dict[str, Any]


def sdk_floor(http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> MCPServer:
    """The least an MCP server can do for this call: one SDK tool that makes the same request."""
    server = MCPServer("floor", log_level="WARNING")

    @server.tool()
    async def get_lead(lead_id: str) -> Lead:
        response = await http.get(url, headers=headers)
        return Lead(**response.json()["leads"][0])

    return server


async def interleaved(timed: dict[str, Timed], n: int) -> dict[str, list[float]]:
    """Each round runs every contender once, so that all see the same machine load."""
    for _ in range(WARM_UP):
        for fn in timed.values():
            await fn()
    samples: dict[str, list[float]] = {name: [] for name in timed}
    for _ in range(n):
        for name, fn in timed.items():
            started = time.perf_counter()
            await fn()
            samples[name].append(time.perf_counter() - started)
    return samples


def tool_call(client: Client, lead_id: str, name: str = "persistiq_get_lead") -> Timed:
    async def call() -> Any:
        result = await client.call_tool(name, {"lead_id": lead_id})
        assert not result.is_error, result.content
        return result

    return call


async def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        return await measured(f"sqlite:///{folder}/overhead.sqlite3")


async def measured(state: str) -> list[Figure]:
    figures = []
    with sandbox_process(time_scale=FAST_SCALE) as urls:
        headers = {"x-api-key": cfg.PERSISTIQ_API_KEY, "Accept": "application/json"}
        async with httpx.AsyncClient() as http:
            lead_id = (await http.get(f"{urls.persistiq}/v1/leads", headers=headers)).json()["leads"][0]["id"]
            url = f"{urls.persistiq}/v1/leads/{lead_id}"

            async def bare() -> Any:
                response = await http.get(url, headers=headers)
                response.raise_for_status()
                return response.json()

            server = create_server(settings_for(urls, outbound_mcp_state=state, **FAST_WINDOW))
            on_memory = create_server(settings_for(urls, outbound_mcp_state="memory", **FAST_WINDOW))
            async with (
                Client(server) as ours,
                Client(on_memory) as memory,
                Client(sdk_floor(http, url, headers)) as floor,
            ):
                got = await interleaved(
                    {
                        "ours": tool_call(ours, lead_id),
                        "memory": tool_call(memory, lead_id),
                        "floor": tool_call(floor, lead_id, "get_lead"),
                        "bare": bare,
                    },
                    CALLS,
                )
            bare_ms = median(got["bare"]) * 1000
            added = median(got["ours"]) * 1000 - bare_ms
            floor_added = median(got["floor"]) * 1000 - bare_ms
            memory_added = median(got["memory"]) * 1000 - bare_ms
            figures.append(
                Figure(
                    f"overhead per call, in memory (median of {CALLS})",
                    f"+{added:.2f} ms ({median(got['ours']) * 1000:.2f} ms per tool call)",
                    f"bare httpx {bare_ms:.2f} ms; a bare MCPServer tool (the SDK alone) +{floor_added:.2f} ms",
                    f"<= +{GOAL_MS:g} ms",
                    added <= GOAL_MS,
                )
            )
            figures.append(
                Figure(
                    f"of which the SQLite state store's trip per call (the rate budget's slot), median of {CALLS}",
                    f"{added - memory_added:+.2f} ms (on the memory store: +{memory_added:.2f} ms over bare httpx)",
                    f"bare httpx {bare_ms:.2f} ms",
                    "- (reported)",
                    None,
                )
            )
            async with Client(quiet(stdio_server(urls, state=state, **FAST_WINDOW))) as ours:
                got = await interleaved({"ours": tool_call(ours, lead_id), "bare": bare}, STDIO_CALLS)
            added = (median(got["ours"]) - median(got["bare"])) * 1000
            figures.append(
                Figure(
                    f"overhead per call, stdio (median of {STDIO_CALLS})",
                    f"+{added:.2f} ms ({median(got['ours']) * 1000:.2f} ms per tool call)",
                    f"bare httpx {median(got['bare']) * 1000:.2f} ms",
                    "- (reported)",
                    None,
                )
            )
    return figures

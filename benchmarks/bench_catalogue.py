"""Catalogue size: bytes of the whole ``tools/list`` answer / 4 per tool, all three providers on."""

from __future__ import annotations

import json

from mcp import Client

from benchmarks.bench_startup import FAKE_ENV
from benchmarks.common import Figure
from mcp_server.server import create_server
from mcp_server.settings import load_settings

GOAL = 170


async def run() -> list[Figure]:
    settings = load_settings(**{k.lower(): v for k, v in FAKE_ENV.items()})
    async with Client(create_server(settings)) as client:
        listed = await client.list_tools()
    wire = json.dumps(listed.model_dump(mode="json", by_alias=True, exclude_none=True), separators=(",", ":"))
    per_tool = len(wire) / 4 / max(1, len(listed.tools))
    return [
        Figure(
            "catalogue tokens per tool (bytes/4)",
            f"{per_tool:.0f} ({len(listed.tools)} tools, {len(wire)} bytes)",
            "-",
            f"<= {GOAL}",
            per_tool <= GOAL,
        )
    ]

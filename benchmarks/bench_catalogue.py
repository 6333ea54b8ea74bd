"""Catalogue size: bytes of the whole ``tools/list`` answer / 4 per tool, all three providers on.

Also shown: the part hosts usually hand the model (name, description, input schema); titles,
annotations and output schemas stay with the client.
"""

from __future__ import annotations

import json

from mcp import Client

from benchmarks.bench_startup import FAKE_ENV
from benchmarks.common import Figure
from mcp_server.server import create_server
from mcp_server.settings import load_settings

GOAL = 170


def size(value: object) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


async def run() -> list[Figure]:
    settings = load_settings(**{k.lower(): v for k, v in FAKE_ENV.items()})
    async with Client(create_server(settings)) as client:
        listed = await client.list_tools()
    # The bytes the SDK writes on the wire for this answer.
    wire = len(listed.model_dump_json(by_alias=True, exclude_none=True).encode())
    count = max(1, len(listed.tools))
    per_tool = wire / 4 / count
    tools = [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in listed.tools]
    parts = {key: sum(size(t.get(key)) for t in tools) / 4 / count for key in ("description", "inputSchema")}
    parts["outputSchema"] = sum(size(t.get("outputSchema")) for t in tools) / 4 / count
    shown = sum(size({k: t[k] for k in ("name", "description", "inputSchema")}) for t in tools) / 4 / count
    return [
        Figure(
            "catalogue tokens per tool (tools/list bytes / 4)",
            f"{per_tool:.0f} ({len(listed.tools)} tools, {wire:,} bytes; of which descriptions "
            f"{parts['description']:.0f}, input schemas {parts['inputSchema']:.0f}, "
            f"output schemas {parts['outputSchema']:.0f})",
            "-",
            f"<= {GOAL}",
            per_tool <= GOAL,
        ),
        Figure(
            "catalogue tokens per tool a model is shown (name, description, input schema)",
            f"{shown:.0f}",
            "-",
            "- (reported)",
            None,
        ),
    ]

"""Catalogue size as a model is shown it: name, title, description and input schema of each tool, the way
pydantic-ai and openai-agents hand a tool to the model (bytes / 4 per tool, all three providers on).

Beside it: the output schemas (kept by the client, read only by frameworks that type tool outputs) and
the whole ``tools/list`` answer on the wire.
"""

from __future__ import annotations

import json

from mcp import Client

from benchmarks.bench_startup import FAKE_ENV
from benchmarks.common import Figure
from mcp_server.server import create_server
from mcp_server.settings import load_settings

GOAL = 110
SHOWN = ("name", "title", "description", "inputSchema")
SENT = ("name", "description", "inputSchema")
"""What pydantic-ai (ToolDefinition: name, description, parameters_json_schema) and openai-agents (FunctionTool)
take from an MCP tool: the title stays with the client."""


def size(value: object) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def undescribed(schema: object) -> object:
    """A schema without its descriptions (a property named "description" stays)."""
    if isinstance(schema, dict):
        return {k: undescribed(v) for k, v in schema.items() if not (k == "description" and isinstance(v, str))}
    return [undescribed(v) for v in schema] if isinstance(schema, list) else schema


async def run() -> list[Figure]:
    settings = load_settings(**{k.lower(): v for k, v in FAKE_ENV.items()})
    async with Client(create_server(settings)) as client:
        listed = await client.list_tools()
    wire = len(listed.model_dump_json(by_alias=True, exclude_none=True).encode())
    count = max(1, len(listed.tools))
    tools = [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in listed.tools]

    def per_tool(keys: tuple[str, ...]) -> float:
        return sum(size({k: t[k] for k in keys if k in t}) for t in tools) / 4 / count

    shown = per_tool(SENT)
    parts = {key: sum(size(t.get(key)) for t in tools) / 4 / count for key in SHOWN[1:]}
    outputs = sum(size(t.get("outputSchema")) for t in tools)
    floor = sum(size({"name": t["name"], "inputSchema": undescribed(t["inputSchema"])}) for t in tools)
    return [
        Figure(
            "catalogue tokens per tool a model is shown, as pydantic-ai sends it to Anthropic and openai-agents "
            "to OpenAI (name, description, input schema)",
            f"{shown:.0f} ({len(listed.tools)} tools; descriptions {parts['description']:.0f}, input schemas "
            f"{parts['inputSchema']:.0f}; a client that also shows titles: {per_tool(SHOWN):.0f})",
            "-",
            f"<= {GOAL}",
            shown <= GOAL,
        ),
        Figure(
            "floor: name and input-schema rules alone, every description left out (types, null for not given, "
            "limits, patterns, closed objects: every rule the server enforces)",
            f"{floor / 4 / count:.0f}",
            "-",
            "- (reported)",
            None,
        ),
        Figure(
            "output schemas, typed down to the records (not shown to the model)",
            f"{outputs / 4 / count:.0f} tokens per tool ({outputs:,} bytes)",
            "-",
            "- (reported)",
            None,
        ),
        Figure(
            "whole tools/list answer on the wire",
            f"{wire / 4 / count:.0f} tokens per tool ({wire:,} bytes)",
            "-",
            "- (reported)",
            None,
        ),
    ]

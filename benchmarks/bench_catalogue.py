"""Catalogue size as a model is shown it, in o200k tokens per tool (cl100k beside it), all three providers on:

- as pydantic-ai (ToolDefinition: name, description, parameters_json_schema) and openai-agents (FunctionTool)
  send a tool to the model: name, description and input schema; the title stays with the client;
- as google-adk sends it (``FunctionDeclaration`` with ``parameters_json_schema`` and ``response_json_schema``):
  the output schema too.

Beside them: the floor (name and input rules alone, every description left out; for google-adk with the output
schemas, which carry no descriptions) and the whole ``tools/list`` answer on the wire.
"""

from __future__ import annotations

from mcp import Client

from benchmarks.bench_startup import FAKE_ENV
from benchmarks.common import Figure
from mcp_server.catalogue import (
    as_adk,
    as_adk_rules,
    as_argument_words,
    as_output,
    as_rules,
    as_sent,
    as_unsaid,
    compact,
)
from mcp_server.core.tokens import OLDER, count_tokens
from mcp_server.server import create_server
from mcp_server.settings import load_settings

GOAL_SENT = 150
GOAL_ADK = 220


class Per:
    """Tokens per tool of one form of every tool, in o200k and cl100k."""

    def __init__(self, forms: list[object]) -> None:
        texts = [compact(form) for form in forms]
        counts = [count_tokens(text) for text in texts]
        self.mean = sum(counts) / max(1, len(counts))
        self.most = max(counts, default=0)
        self.older = sum(count_tokens(text, OLDER) for text in texts) / max(1, len(texts))

    def __str__(self) -> str:
        return f"{self.mean:.0f} (most {self.most}; cl100k {self.older:.0f})"


async def run() -> list[Figure]:
    settings = load_settings(**{k.lower(): v for k, v in FAKE_ENV.items()})
    async with Client(create_server(settings)) as client:
        listed = await client.list_tools()
    tools = [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in listed.tools]
    count = max(1, len(tools))
    shown, google = Per([as_sent(t) for t in tools]), Per([as_adk(t) for t in tools])
    rules = Per([as_rules(t) for t in tools])
    descriptions = sum(count_tokens(t.get("description", "")) for t in tools) / count
    # The arguments' words: the tool sent without its own description, less the same with none at all.
    arguments = Per([as_argument_words(t) for t in tools]).mean - Per([as_unsaid(t) for t in tools]).mean
    outputs = Per([as_output(t) for t in tools])
    adk_floor = Per([as_adk_rules(t) for t in tools])
    wire = listed.model_dump_json(by_alias=True, exclude_none=True)
    return [
        Figure(
            "catalogue, o200k tokens per tool as pydantic-ai and openai-agents send it (name, description, "
            f"input schema), {len(tools)} tools",
            f"{shown} (descriptions: tools {descriptions:.0f}, arguments {arguments:.0f})",
            f"floor, input rules alone: {rules}",
            f"<= {GOAL_SENT}",
            shown.mean <= GOAL_SENT,
        ),
        Figure(
            "catalogue, o200k tokens per tool as google-adk sends it (the same and the output schema)",
            f"{google} (output schemas {outputs.mean:.0f})",
            f"the same tools as pydantic-ai sends them: {shown.mean:.0f}; floor, input rules and output schemas "
            f"alone: {adk_floor}",
            f"<= {GOAL_ADK}",
            google.mean <= GOAL_ADK,
        ),
        Figure(
            "whole tools/list answer on the wire, o200k tokens per tool",
            f"{count_tokens(wire) / count:.0f} ({len(wire.encode()):,} bytes)",
            "-",
            "- (reported)",
            None,
        ),
    ]

"""Answer size in real tokens: every list tool at its largest page over the sandbox's biggest data, its text
block counted by the o200k tokenizer, beside the same block in cl100k. Goal: no block over 20,000 o200k tokens
(``answers.ANSWER_TOKENS``)."""

from __future__ import annotations

from typing import Any

from mcp import Client

from benchmarks.common import FAST_SCALE, FAST_WINDOW, Figure, agrees, sandbox, settings_for
from mcp_server.catalogue import all_tools
from mcp_server.core.tokens import OLDER, count_tokens
from mcp_server.core.tools.answers import ANSWER_TOKENS
from mcp_server.server import create_server
from outbound_sandbox.largest_pages import LARGEST, largest_limit


def list_tools() -> list[tuple[str, dict[str, Any]]]:
    """Each list tool (it takes limit and cursor) with arguments asking for its largest page."""
    out: list[tuple[str, dict[str, Any]]] = []
    for tool in all_tools():
        props = tool.parameters.get("properties", {})
        if {"limit", "cursor"} <= set(props):
            required = tool.parameters.get("required", [])
            out.append((tool.name, {"limit": largest_limit(props["limit"]), **{n: LARGEST[n] for n in required}}))
    return sorted(out)


async def run() -> list[Figure]:
    figures: list[Figure] = []
    with sandbox(time_scale=FAST_SCALE, job_delay=0.05, rate_limits=False) as (_, urls):
        settings = settings_for(urls, poll_interval=0.05, **FAST_WINDOW)
        async with Client(create_server(settings), elicitation_callback=agrees) as client:  # pages, not previews
            for name, args in list_tools():
                result = await client.call_tool(name, args)
                text = "".join(getattr(block, "text", "") for block in result.content)
                assert not result.is_error, text
                tokens = count_tokens(text)
                older = count_tokens(text, OLDER)
                figures.append(
                    Figure(
                        f"o200k tokens of one answer block, {name} limit={args['limit']}",
                        f"{tokens:,} ({len(text.encode()) / tokens:.2f} bytes a token)",
                        f"cl100k tokens of the same block: {older:,}",
                        f"<= {ANSWER_TOKENS:,}",
                        tokens <= ANSWER_TOKENS,
                    )
                )
    return figures

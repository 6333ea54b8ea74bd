"""Read-only mode and its spend switch: which kinds of tool a server serves, and what a hidden tool answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mcp.types import CallToolResult, TextContent

from mcp_server.app.providers import ProviderDef
from mcp_server.core.tools.registry import Kind
from mcp_server.settings import Settings

ALL_KINDS: frozenset[Kind] = frozenset({"read", "spend", "write", "delete"})


def kinds_served(settings: Settings) -> frozenset[Kind]:
    """Read-only mode serves reads; with OUTBOUND_MCP_ALLOW_SPEND, credit-spending lookups too (never writes)."""
    if not settings.outbound_mcp_read_only:
        return ALL_KINDS
    return frozenset({"read", "spend"} if settings.outbound_mcp_allow_spend else {"read"})


def instruction(settings: Settings) -> str:
    if settings.outbound_mcp_allow_spend:
        return "Read-only mode: tools that write or delete are not offered; tools that spend credits are."
    return "Read-only mode: tools that spend credits, write or delete are not offered."


def hidden_tools(settings: Settings, providers: Sequence[ProviderDef]) -> dict[str, str]:
    """Each tool of an enabled provider that the mode hides, and what a call of it answers."""
    served = kinds_served(settings)
    enabled = set(settings.enabled_providers())
    hidden: dict[str, str] = {}
    for provider in providers:
        if provider.name not in enabled:
            continue
        for tool in provider.toolset.tools:
            kind = tool.access.kind
            if kind in served:
                continue
            if kind == "spend":
                change = (
                    "ask the operator to set OUTBOUND_MCP_ALLOW_SPEND=true (--allow-spend: credits may be spent, "
                    "still no writes) or to turn read-only mode off (--no-read-only)"
                )
            else:
                change = "ask the operator to turn read-only mode off (OUTBOUND_MCP_READ_ONLY=false, --no-read-only)"
            hidden[tool.name] = (
                f"{tool.name} is a {kind} tool, and this server runs in read-only mode (OUTBOUND_MCP_READ_ONLY), "
                f"which does not offer it. Nothing was sent. To use it, {change}."
            )
    return hidden


class HiddenTools:
    """Server middleware: a call of a tool the mode hides answers why (a tool error), not "Unknown tool"."""

    def __init__(self, hidden: dict[str, str]) -> None:
        self.hidden = hidden

    async def __call__(self, ctx: Any, call_next: Any) -> Any:
        params = ctx.params
        name = params.get("name") if ctx.method == "tools/call" and params is not None else None
        why = self.hidden.get(name) if isinstance(name, str) else None
        if why is None:
            return await call_next(ctx)
        return CallToolResult(content=[TextContent(type="text", text=why)], is_error=True)

"""A tool's own argument check, as the server runs it, with no server, no upstream and nothing run past it: what
the table tests over every tool call instead of a whole server per tool."""

from __future__ import annotations

from functools import cache
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

from mcp_server.app.listings import built as build
from mcp_server.core.tools.registry import Entry
from mcp_server.examples import declared


@cache
def built() -> dict[str, Entry]:
    """Every tool's way in (``registry.Entry``), built as the server builds it (once per process)."""
    entries: dict[str, Entry] = {}
    for tool in declared():
        build(tool)
        assert tool.entry is not None
        entries[tool.name] = tool.entry
    return entries


async def check(name: str, args: dict[str, Any]) -> tuple[str | None, dict[str, Any] | None]:
    """(the refusal's text, or None when the arguments pass; the arguments the tool's body would get, or None)."""
    entry = built()[name]
    try:
        checked = entry.checked(args)
    except ToolError as refused:
        return str(refused), None
    # As the tool's body gets them: nested records read by their own models (``""`` in one is not given there).
    return None, entry.arguments.model_validate(checked).model_dump(exclude_unset=True, by_alias=True)

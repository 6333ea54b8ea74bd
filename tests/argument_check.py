"""A tool's own argument check, as the server runs it, with no server, no upstream and nothing run past it: what
the table tests over every tool call instead of a whole server per tool."""

from __future__ import annotations

from functools import cache
from typing import Any
from unittest import mock

from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools.base import Tool

from mcp_server.catalogue import all_tools
from mcp_server.core.tools.registry import StrictTool


@cache
def built() -> dict[str, StrictTool]:
    """Every tool, built as the server builds it."""
    return {tool.name: tool for tool in all_tools() if isinstance(tool, StrictTool)}


async def check(name: str, args: dict[str, Any]) -> tuple[str | None, dict[str, Any] | None]:
    """(the refusal's text, or None when the arguments pass; the arguments the tool's body would get, or None)."""
    passed: list[dict[str, Any]] = []

    async def body(self: Tool, arguments: dict[str, Any], context: Any, convert_result: bool = False) -> None:
        passed.append(arguments)  # where the SDK would run the tool: the check is done

    with mock.patch.object(Tool, "run", body):
        try:
            await built()[name].run(args, None)
        except ToolError as refused:
            return str(refused), None
    return None, passed[0]

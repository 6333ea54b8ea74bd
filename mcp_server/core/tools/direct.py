"""One of our tools run the way the SDK's ``Tool.run`` runs it, less its second check of the arguments.

Our tools' arguments are checked by the tool's own model (``registry.Entry``); the SDK then checked them again
with a model of the same signature (about a tenth of the server's own time per call), took its result apart,
and passed the call down four more layers. Here the checked model's values go to the tool's function as the
SDK would have passed them, and its answer, its errors and an input-required result come back in the SDK's
own shapes (``Tool.run``): the client sees the same bytes either way. Only the SDK's public API is used.
"""

from __future__ import annotations

import json
from typing import Any

from mcp.server.mcpserver.exceptions import (
    ResourceError,
    ToolError,
    UnexpectedResourceError,
    UnexpectedToolError,
)
from mcp.server.mcpserver.resolve import resolve_arguments
from mcp.server.mcpserver.tools import Tool
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult, InputRequiredResult
from pydantic import BaseModel


def decoded_by_sdk(arguments: type[BaseModel]) -> frozenset[str]:
    """The argument names (and aliases) whose text the SDK reads as JSON before its check: those not typed
    ``str`` (``FuncMetadata.pre_parse_json``; the SDK's model has the fields of ``arguments``, as a test checks)."""
    return frozenset(
        key
        for name, info in arguments.model_fields.items()
        if info.annotation is not str
        for key in (name, info.alias)
        if key
    )


def as_sdk_passes(decoded: frozenset[str], given: dict[str, Any], checked: BaseModel) -> dict[str, Any] | None:
    """The function's arguments as the SDK's check makes them of ``given``: the checked model's values by their
    wire names, sub-models kept. None for the one input the SDK reads otherwise than ours, a text it would decode
    as JSON into something else than text or a number (``"null"``): that call takes the SDK's own path."""
    for key in decoded.intersection(given):
        value = given[key]
        if isinstance(value, str) and _decodes(value):
            return None
    return {info.alias or name: getattr(checked, name) for name, info in type(checked).model_fields.items()}


def _decodes(text: str) -> bool:
    try:
        value: object = json.loads(text)
    except (ValueError, RecursionError):
        return False
    return not isinstance(value, str | int | float)


async def run_checked(tool: Tool, arguments: dict[str, Any], context: Any) -> CallToolResult | InputRequiredResult:
    """``Tool.run(..., convert_result=True)`` from its argument check on, with ``arguments`` as it checked them:
    the resolvers (confirmations) first, then the function, then the SDK's conversion of its answer; every
    failure raised as ``Tool.run`` raises it (a ``ToolError`` prefixed with the tool's name, a crash as
    ``UnexpectedToolError``, an ``MCPError`` unchanged)."""
    try:
        passed: dict[str, Any] = {}
        if tool.context_kwarg is not None:
            passed[tool.context_kwarg] = context
        if tool.resolved_params:
            resolved = await resolve_arguments(tool.resolved_params, tool.resolver_plans, arguments, context)
            if isinstance(resolved, InputRequiredResult):
                return resolved
            passed |= resolved
        result = await tool.fn(**(arguments | passed))
        if tool.resolved_params and isinstance(result, InputRequiredResult):
            raise RuntimeError("the tool returned an InputRequiredResult but its parameters use Resolve(...)")
        # The SDK's conversion passes both through as they are (our tools publish their output schema
        # themselves: structured_output=False); a tool of ours answers nothing else.
        if isinstance(result, CallToolResult | InputRequiredResult):
            return result
        raise TypeError(f"tool {tool.name} answered {type(result).__name__}, not a CallToolResult")
    except MCPError:
        raise
    except (UnexpectedToolError, UnexpectedResourceError) as exc:
        raise UnexpectedToolError(f"Error executing tool {tool.name}: {exc}") from exc
    except (ToolError, ResourceError) as exc:
        raise ToolError(f"Error executing tool {tool.name}: {exc}") from exc
    except Exception as exc:  # as the SDK's top-level handler: a crash's own text stays on the server
        raise UnexpectedToolError(f"Error executing tool {tool.name}") from exc

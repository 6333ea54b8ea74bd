"""Each tool's one example of arguments, declared beside the tool (``@toolset.tool(..., example={...})``): what the
test suites and benchmarks call a tool with when any valid call will do. Never published to clients."""

from __future__ import annotations

import copy
from typing import Any

from mcp_server.app.registry import ALL_PROVIDERS
from mcp_server.core.tools.registry import ToolDef
from mcp_server.outcomes import OUTCOMES


def declared() -> list[ToolDef]:
    """Every tool the server can serve: the providers' tools, then the outcome tools."""
    return [*(tool for provider in ALL_PROVIDERS for tool in provider.toolset.tools), *OUTCOMES.tools]


def example_of(name: str) -> dict[str, Any]:
    """A fresh copy of the tool's example (a caller may change it); a tool without one is an error."""
    tool = next((tool for tool in declared() if tool.name == name), None)
    if tool is None or tool.example is None:
        raise LookupError(f"{name} declares no example of its arguments")
    return copy.deepcopy(tool.example)

"""Types of the shared fixtures and typed readers of tool results, so the provider tests check under strict."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeGuard

from mcp import Client
from mcp.types import CallToolResult, TextContent, Tool, ToolAnnotations

from mcp_server.settings import Settings

SettingsFor = Callable[..., Settings]
"""What the ``settings_for`` fixture yields: settings on the sandbox, plus keyword overrides."""

Connect = Callable[..., AbstractAsyncContextManager[Client]]
"""What the Snov.io ``connect`` fixture yields: ``async with connect(poll_wait=0.3) as client``."""


def text_of(result: CallToolResult) -> str:
    """Every text block of a result, joined (a tool's error is text)."""
    return " ".join(block.text for block in result.content if isinstance(block, TextContent))


def annotations_of(tool: Tool) -> ToolAnnotations:
    """A listed tool's hints, which every tool here declares."""
    assert tool.annotations is not None, tool.name
    return tool.annotations


def is_record(value: object) -> TypeGuard[dict[str, Any]]:
    """A decoded JSON object (its keys are text)."""
    return isinstance(value, dict)


def is_list(value: object) -> TypeGuard[list[Any]]:
    return isinstance(value, list)

"""Types of the shared fixtures and typed readers of tool results, so the provider tests check under strict."""

from __future__ import annotations

from mcp.types import CallToolResult, TextContent, Tool, ToolAnnotations

from tests import fixture_types, json_checks

SettingsFor = fixture_types.SettingsFor
Connect = fixture_types.OpenClient
"""What the Snov.io ``connect`` fixture yields: ``async with connect(poll_wait=0.3) as client``."""


def text_of(result: CallToolResult) -> str:
    """Every text block of a result, joined (a tool's error is text)."""
    return " ".join(block.text for block in result.content if isinstance(block, TextContent))


def annotations_of(tool: Tool) -> ToolAnnotations:
    """A listed tool's hints, which every tool here declares."""
    assert tool.annotations is not None, tool.name
    return tool.annotations


is_record = json_checks.is_object
is_list = json_checks.is_list

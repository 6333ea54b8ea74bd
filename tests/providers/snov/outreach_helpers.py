"""Shared bits of the Snov.io campaign, prospect and webhook tests: results and the sandbox's request log."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from mcp.types import CallToolResult

from outbound_sandbox.kit import LoggedRequest
from tests.providers.typed import text_of

__all__ = ["failed", "fields", "ok", "text_of"]


def ok(result: CallToolResult) -> dict[str, Any]:
    """The structured content of a successful call (its error text otherwise)."""
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    return result.structured_content


def failed(result: CallToolResult) -> str:
    """The error text of a call that must fail."""
    assert result.is_error, result.structured_content
    return text_of(result)


def fields(entry: LoggedRequest) -> dict[str, list[str]]:
    """The query string and form body of one logged request, merged."""
    merged = parse_qs(entry.query, keep_blank_values=True)
    if entry.body and not entry.body.lstrip().startswith((b"{", b"[")):
        for key, values in parse_qs(entry.body.decode(), keep_blank_values=True).items():
            merged.setdefault(key, []).extend(values)
    return merged

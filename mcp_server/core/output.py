"""What a tool hands back: its pydantic model as structured content plus a compact JSON text copy."""

from __future__ import annotations

import json
import re
from typing import Any

from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel

from mcp_server.core.redact import REDACTOR

MAX_TEXT = 4000
"""Longest stranger-written text kept in one field before it is cut with a note."""
MAX_DEPTH = 12
_FENCE_TAG = re.compile(r"(?i)<(\s*/?\s*untrusted)")
"""Anything that could read as the fence's own tag (any case, any spacing) is escaped inside it."""


def prune(value: Any, depth: int = 0) -> Any:
    """Drop nulls, empty strings, lists and maps; cut nesting deeper than ``MAX_DEPTH``."""
    if depth > MAX_DEPTH:
        return "[cut: nested too deeply]"
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            pruned = prune(item, depth + 1)
            if pruned not in (None, "", [], {}):
                out[key] = pruned
        return out
    if isinstance(value, list):
        return [prune(item, depth + 1) for item in value if item not in (None, "", [], {})]
    return value


def clip(text: str | None, limit: int = MAX_TEXT) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[:limit] + f" [cut: {len(text) - limit} more characters]"


def untrusted(text: str | None, limit: int = MAX_TEXT) -> str | None:
    """Text written by strangers (email bodies, notes), fenced so it reads as data, never as instructions."""
    if not text:
        return text
    body = _FENCE_TAG.sub(lambda m: "&lt;" + m.group(1), clip(text, limit) or "")
    return f"<untrusted-content>{body}</untrusted-content>"


def masked(value: Any) -> Any:
    """Every known secret masked, wherever an upstream put it (a key echoed into a record reaches no model)."""
    if isinstance(value, str):
        return REDACTOR.known(value)
    if isinstance(value, dict):
        return {key: masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


def to_result(model: BaseModel) -> CallToolResult:
    structured = masked(model.model_dump(mode="json", by_alias=True, exclude_none=True))
    text = json.dumps(prune(structured), ensure_ascii=False, separators=(",", ":"))
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)

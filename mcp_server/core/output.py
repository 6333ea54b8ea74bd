"""What a tool hands back: its pydantic model as structured content plus a compact JSON text copy."""

from __future__ import annotations

import json
import re
from typing import Any

from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel

from mcp_server.core.redact import REDACTOR
from mcp_server.core.scrub import has_surrogates, scrub

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


FENCE_WORDS = 3
FENCE_CHARS = 40
_LETTER = re.compile(r"[^\W\d_]")


def stranger(value: Any) -> Any:
    """A short field a third party wrote (a name, a title, a custom field, an event's params), fenced like
    ``untrusted`` once it could carry an instruction (3+ words, or 40+ characters with a space, or markup;
    digits alone are no words: a phone number stays bare)
    and left bare otherwise: emails, ids and names cost no fence, so pages stay cheap. Either way long text
    is clipped. Maps and lists are fenced value by value."""
    if isinstance(value, dict):
        return {key: stranger(item) for key, item in value.items()}
    if isinstance(value, list):
        return [stranger(item) for item in value]
    if not isinstance(value, str) or value.startswith("<untrusted-content>"):
        return value
    words = [word for word in value.split() if _LETTER.search(word)]
    if "<" in value or len(words) >= FENCE_WORDS or (len(words) > 1 and len(value) >= FENCE_CHARS):
        return untrusted(value)
    return clip(value)


def masked(value: Any) -> Any:
    """Every known secret masked, wherever an upstream put it (a key echoed into a record reaches no model)."""
    if isinstance(value, str):
        return REDACTOR.known(value)
    if isinstance(value, dict):
        return {key: masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


TABLE_MIN_ROWS = 3


def tabulate(value: Any) -> Any:
    """Lists of records as ``{"columns": [...], "rows": [[...], ...]}``: each key is written once, not once
    per record (a page of 100 leads shrinks by about a third). Nested maps become ``parent.key`` columns."""
    if isinstance(value, dict):
        return {key: tabulate(item) for key, item in value.items()}
    if not isinstance(value, list):
        return value
    if len(value) < TABLE_MIN_ROWS or not all(isinstance(item, dict) for item in value):
        return [tabulate(item) for item in value]
    records = [_flat(item) for item in value]
    columns = list(dict.fromkeys(key for record in records for key in record))
    rows = []
    for record in records:
        row = [record.get(column) for column in columns]
        while row and row[-1] is None:
            row.pop()
        rows.append(row)
    return {"columns": columns, "rows": rows}


def _flat(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in record.items():
        if isinstance(item, dict) and item:
            out.update(_flat(item, f"{prefix}{key}."))
        else:
            out[prefix + key] = tabulate(item)
    return out


def to_result(model: BaseModel) -> CallToolResult:
    """Structured content is the model's full JSON; the text copy (what most clients show the model) is
    the same data pruned of empties, with lists of records as tables."""
    structured = masked(model.model_dump(mode="json", by_alias=True, exclude_none=True))
    text = json.dumps(tabulate(prune(structured)), ensure_ascii=False, separators=(",", ":"))
    if has_surrogates(text):  # one scan of the text; the rare answer that needs it is scrubbed whole
        structured, text = scrub(structured), scrub(text)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)

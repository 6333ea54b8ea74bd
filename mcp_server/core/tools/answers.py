"""What a tool hands back: its pydantic model, pruned of empties, as structured content and as the text."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel

from mcp_server.core.guards import is_dict, is_list
from mcp_server.core.redact import REDACTOR
from mcp_server.core.scrub import has_surrogates, scrub
from mcp_server.core.tokens import count_tokens, fits
from mcp_server.core.tools.fences import CLOSE, OPEN, carries_fence, escaped, is_ours

MAX_TEXT = 4000
"""Longest stranger-written text kept in one field before it is cut with a note."""
MAX_DEPTH = 12
TOO_DEEP = "[cut: nested too deeply]"


def prune(value: Any, depth: int = 0, leaf: Callable[[str], str] | None = None) -> Any:
    """Drop nulls, empty strings, lists and maps; cut nesting deeper than ``MAX_DEPTH``; each string kept passes
    through ``leaf`` when given (the answer's masking, in the same walk)."""
    if depth > MAX_DEPTH:
        return leaf(TOO_DEEP) if leaf is not None else TOO_DEEP
    if is_dict(value):
        out: dict[object, object] = {}
        for key, item in value.items():
            if depth < MAX_DEPTH:  # the common leaves, without a call of their own
                if isinstance(item, str):
                    if item:
                        out[key] = leaf(item) if leaf is not None else item
                    continue
                if item is None:
                    continue
                if isinstance(item, int | float):  # a number or a flag: kept as it is (0 and false too)
                    out[key] = item
                    continue
            pruned = prune(item, depth + 1, leaf)
            if pruned not in (None, "", [], {}):
                out[key] = pruned
        return out
    if is_list(value):
        return [
            _cells(item, depth + 1, leaf) if is_list(item) else prune(item, depth + 1, leaf)
            for item in value
            if item not in (None, "", [], {})
        ]
    if leaf is not None and isinstance(value, str):
        return leaf(value)
    return value


def _cells(row: list[object], depth: int, leaf: Callable[[str], str] | None) -> list[Any]:
    """A table's row (``answer_models.Table``): its places are its columns, so an empty cell stays, as null,
    except at the end: a row stops at its last value, and a column past its end is empty."""
    cells = [prune(cell, depth + 1, leaf) for cell in row]
    cells = [None if cell in ("", [], {}) else cell for cell in cells]
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def clip(text: str | None, limit: int = MAX_TEXT) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[:limit] + f" [cut: {len(text) - limit} more characters]"


def untrusted(text: str | None, limit: int = MAX_TEXT) -> str | None:
    """Text written by strangers (email bodies, notes), fenced so it reads as data, never as instructions."""
    if not text:
        return text
    return f"{OPEN}{escaped(clip(text, limit) or '')}{CLOSE}"


FENCE_WORDS = 7
FENCE_CHARS = 60
_LETTER = re.compile(r"[^\W\d_]")
_CUES = re.compile(
    r"(?i)\b(?:ignore|disregard|forget|override|instructions?|previous|prompt|assistant|jailbreak|delete|"
    r"system\s*:|user\s*:)"
)
"""Words an instruction to a model is made of and a name, title or company hardly is: such a short value is
fenced too."""
_CUE_WORDS = re.compile(
    "ignore|disregard|forget|override|instruction|previous|prompt|assistant|jailbreak|delete|system|user"
)
"""The words of ``_CUES`` in lower case, without its word bounds: ASCII text without any of them (most values) cannot
match it, and this search of the lowered text costs a third of that one."""


def _cued(value: str) -> bool:
    if value.isascii() and _CUE_WORDS.search(value.lower()) is None:  # ASCII only: lower() is exact there
        return False
    return _CUES.search(value) is not None


def stranger(value: Any) -> Any:
    """A short structured field a third party wrote (a name, a job title, a company, a custom field, an event's
    params): bare while it reads as such a value, fenced like ``untrusted`` once it reads as free text, which
    could carry an instruction (7+ words, 60+ characters with a space, a line break, markup, the fence's
    look-alike or the words instructions are made of; digits alone are no words: a phone stays bare).
    "Head of Sales at Acme" costs no fence, so pages stay cheap and a value written back to a CRM carries no
    markers. Either way long text is clipped. Maps and lists are fenced value by value."""
    if isinstance(value, str):  # the common case first
        if "<" in value and is_ours(value):  # a fence starts with "<"
            return value
        if "\n" in value or "<" in value or _reads_as_prose(value) or _cued(value) or carries_fence(value):
            return untrusted(value)
        return value if len(value) <= MAX_TEXT else clip(value)
    if is_dict(value):
        return {key: stranger(item) for key, item in value.items()}
    if is_list(value):
        return [stranger(item) for item in value]
    return value


def _reads_as_prose(value: str) -> bool:
    """7+ words, or 2+ words in 60+ characters (a word has a letter). Most values have too few parts to be
    either, and are let through without looking at each word."""
    parts = value.split()
    if len(parts) < FENCE_WORDS and (len(parts) < 2 or len(value) < FENCE_CHARS):
        return False
    words = sum(1 for part in parts if _LETTER.search(part))
    return words >= FENCE_WORDS or (words > 1 and len(value) >= FENCE_CHARS)


ANSWER_TOKENS = 20_000
"""Tokens (o200k) of one answer block at most, under what clients accept (Claude Code refuses a result over
25,000 tokens)."""
RESULT_TOKENS = 16_500
"""What an answer is fitted into: ``ANSWER_TOKENS`` less a margin for tokenizers that count JSON higher than
o200k (up to about a fifth more)."""
PAGE_TOKENS = 15_000
"""Tokens of records one page may carry; the rest of ``RESULT_TOKENS`` is room for its envelope."""
RESULT_BUDGET = 80_000
"""Bytes of one answer block at most, whatever its tokens (a run of one letter is few tokens, many bytes)."""
PAGE_BYTES = 72_000
"""Bytes of records one page may carry; the rest of ``RESULT_BUDGET`` is room for its envelope."""
_KEEP = 200
"""Characters a clipped string keeps at least."""
_NOTE_ROOM = 400
"""Bytes left for the note that says what was cut."""


def serialize(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def answer_text(value: Any) -> str:
    """A value as an answer carries it (compact JSON, empties pruned)."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", by_alias=True, exclude_none=True)
    return serialize(prune(value))


def to_result(model: BaseModel) -> CallToolResult:
    """One answer in one shape: the model's JSON pruned of empties is the structured content, and the text
    block is that same JSON serialized (the spec's SHOULD), so every client shows the model the same
    thing, at the size of the one compact form; an answer over ``RESULT_TOKENS`` (or ``RESULT_BUDGET`` bytes) is
    clipped with a note."""
    structured = prune(model.model_dump(mode="json", by_alias=True, exclude_none=True), leaf=REDACTOR.known)
    text = serialize(structured)
    if has_surrogates(text):  # one scan of the text; the rare answer that needs it is scrubbed whole
        structured = scrub(structured)
        text = serialize(structured)
    size = len(text.encode())
    if size > RESULT_BUDGET or not fits(text, RESULT_TOKENS):
        # Cut by bytes at this answer's own bytes per token, then again while its tokens are still over.
        for _ in range(3):
            per_token = size / max(1, count_tokens(text))
            structured = fit(structured, min(RESULT_BUDGET, int(RESULT_TOKENS * per_token)))
            text = serialize(structured)
            size = len(text.encode())
            if fits(text, RESULT_TOKENS):
                break
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)


def fit(answer: dict[str, Any], budget: int = RESULT_BUDGET) -> dict[str, Any]:
    """An answer over ``budget`` bytes with its longest texts, then its longest lists, cut until it fits;
    the cuts are named in ``hint``. Pages stop early before this (``PAGE_TOKENS``): this is for one
    record that big."""
    if len(serialize(answer).encode()) <= budget:
        return answer
    target = budget - _NOTE_ROOM
    cut = {"texts": 0, "items": 0}
    for _ in range(64):
        excess = len(serialize(answer).encode()) - target
        if excess <= 0 or not _cut_longest(answer, excess, cut):
            break
    note = (
        f"Answer cut to fit {RESULT_TOKENS:,} tokens (o200k): {cut['texts']} long texts shortened, {cut['items']} list "
        "items left out. Ask for fewer or narrower records (the get tool of one record) to see them whole."
    )
    hint = answer.get("hint")
    answer["hint"] = f"{hint} {note}" if isinstance(hint, str) else note
    return answer


def _cut_longest(answer: Any, excess: int, cut: dict[str, int]) -> bool:
    """Shorten the longest string (down to ``_KEEP``) or, with none left to shorten, the longest list."""
    holder, key, value = _longest(answer, lambda v: isinstance(v, str) and len(v) > _KEEP * 2)
    if isinstance(value, str):
        keep = max(_KEEP, len(value) - excess - 64)
        holder[key] = value[:keep] + f" [cut: {len(value) - keep} more characters]"
        cut["texts"] += 1
        return True
    holder, key, value = _longest(answer, lambda v: is_list(v) and len(v) > 1)
    if is_list(value):
        share = max(1, len(serialize(value).encode()) // len(value))
        keep = max(1, len(value) - excess // share - 1)
        holder[key] = value[:keep]
        cut["items"] += len(value) - keep
        return True
    return False


def _longest(value: Any, wanted: Callable[[Any], bool]) -> tuple[Any, Any, Any]:
    """(container, key, item) of the longest wanted value inside ``value`` (by serialized length)."""
    best: tuple[Any, Any, Any] = (None, None, None)
    best_size = -1
    stack: list[object] = [value]
    while stack:
        node = stack.pop()
        for key, item in _pairs(node):
            if wanted(item):
                item_size = len(item) if isinstance(item, str) else len(serialize(item))
                if item_size > best_size:
                    best, best_size = (node, key, item), item_size
            if is_dict(item) or is_list(item):
                stack.append(item)
    return best


def _pairs(node: object) -> Iterable[tuple[object, object]]:
    """(key, item) of a map or (index, item) of a list; nothing for a leaf."""
    if is_dict(node):
        return node.items()
    if is_list(node):
        return enumerate(node)
    return ()

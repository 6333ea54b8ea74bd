"""Reading Snov.io's records into the tools' models by pydantic, defensively, as PersistIQ's and Epixel's are read.

A model names, per field, the keys Snov.io sends it under (``upstream``); values are read whatever type they
come in (a number as text, text as a number, one object for a list), keys it does not name are ignored, and a
record in a shape it cannot read is a clear ``BadResponse`` (``parse_record``), skipped on a list page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import BeforeValidator, model_validator

from mcp_server.core.tools.answer_models import Record
from mcp_server.core.tools.answers import stranger
from mcp_server.core.upstream.records import parse_record
from mcp_server.core.upstream.values import is_obj, is_seq

M = TypeVar("M", bound=Record)
LABEL = "Snov.io"


def read(model: type[M], raw: Any, what: str) -> M:
    """One Snov.io record as ``model``; an unexpected shape is a clear error, not a crash."""
    return parse_record(model, raw, what, LABEL)


class Upstream(Record):
    """A tool's record read from Snov.io's keys: ``upstream`` maps a field to the keys it comes under, the
    first with a value winning; without one, a value under the field's own name is kept (a tool filling in
    an answer, or Snov.io using that name)."""

    upstream: ClassVar[Mapping[str, tuple[str, ...]]] = {}

    @model_validator(mode="before")
    @classmethod
    def _from_upstream(cls, data: Any) -> Any:
        if not is_obj(data):
            return data
        out = {key: value for key, value in data.items() if key in cls.model_fields}
        for name, keys in cls.upstream.items():
            out[name] = next((data[key] for key in keys if data.get(key) not in (None, "")), out.get(name))
        return out


def loose_text(value: Any) -> str | None:
    """Text, or a number as text; anything else (an object, a list, a flag) is no value."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    return str(value) if isinstance(value, str | int | float) else None


def text(value: Any) -> str | None:
    """Text, or a number as text; an object, a list or a flag is a shape Snov.io does not document, so the
    record is unreadable (skipped on a list page, said in its hint) rather than shown without the value."""
    if (value is not None and not isinstance(value, str | int | float)) or isinstance(value, bool):
        raise ValueError(f"expected text, got {type(value).__name__}")
    return loose_text(value)


def count(value: Any) -> int | None:
    """A whole number, or one written as text; anything else is no value."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    try:
        return int(value.strip()) if isinstance(value, str) else None
    except ValueError:
        return None


def unix_time(value: Any) -> str | None:
    """A Unix timestamp (a number, or one written as text) as ISO 8601 UTC; a time already written is kept."""
    if isinstance(value, str) and not value.strip().isdigit():
        return value or None
    seconds = value if isinstance(value, float) else count(value)
    try:
        if seconds is not None and seconds > 0:
            return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):  # a time past what a date can hold
        pass
    return None


def php_time(value: Any) -> str | None:
    """``{"date": "2020-07-14 13:10:46.000000", ...}`` (or a plain string) as ``2020-07-14 13:10:46``."""
    text = value.get("date") if is_obj(value) else value
    return text.split(".")[0] if isinstance(text, str) and text else None


def rows(value: Any) -> list[dict[str, Any]]:
    """The objects of a list, or one object as a list of one; anything else is none."""
    if is_obj(value):
        return [value]
    return [row for row in value if is_obj(row)] if is_seq(value) else []


Text = Annotated[str | None, BeforeValidator(text)]
LooseText = Annotated[str | None, BeforeValidator(loose_text)]
"""Details Snov.io gives in varying shapes (a job's company address): one it does not document is left out."""
Count = Annotated[int | None, BeforeValidator(count)]
UnixTime = Annotated[str | None, BeforeValidator(unix_time)]
PhpTime = Annotated[str | None, BeforeValidator(php_time)]
StrangerText = Annotated[str | None, BeforeValidator(lambda value: stranger(loose_text(value)))]
"""Text a stranger wrote (a name, a job title): fenced as data where it reads as free text."""

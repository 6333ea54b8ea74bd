"""Reading an upstream record into its model: an unexpected shape is a clear error, not a crash."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from mcp_server.core.errors import BadResponse

M = TypeVar("M", bound=BaseModel)
log = logging.getLogger("outbound_mcp.records")


def parse_record(model: type[M], raw: Any, what: str, provider: str) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "record"
        raise BadResponse(
            f"{provider} answered with an unexpected {what} ({where}: {first['msg']})", provider=provider
        ) from None


@dataclass
class Readable(Generic[M]):
    """The records of a page that could be read, and a note on those that could not."""

    items: list[M]
    skipped: int = 0


def parse_each(parse: Callable[[Any], M], rows: list[Any]) -> Readable[M]:
    """Each row through ``parse``; a row in a shape the API does not document is skipped (counted), so one
    bad record does not fail a whole page."""
    out: Readable[M] = Readable([])
    for row in rows:
        try:
            out.items.append(parse(row))
        except (BadResponse, ValidationError, KeyError, TypeError, ValueError, AttributeError) as exc:
            out.skipped += 1
            log.warning("skipped an unreadable record: %s", exc.message if isinstance(exc, BadResponse) else repr(exc))
    return out


def skipped_note(skipped: int, noun: str) -> str:
    return f"{skipped} {noun} skipped: the API sent them in a shape it does not document."

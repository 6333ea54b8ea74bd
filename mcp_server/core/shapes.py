"""The output shapes every provider shares: a record, an optional argument, a list and a page of results."""

from __future__ import annotations

from typing import Any, Generic, Self, TypeVar

from pydantic import BaseModel

from mcp_server.core.paging import Collected

T = TypeVar("T")


Maybe = T | None
"""An optional argument: leaving it out, null and "" all mean "not given" (the core publishes it nullable)."""


class Record(BaseModel):
    """An output record: unset fields are left out of the answer (``output.to_result`` prunes them), never sent
    as null, so its published schema spells no null either (``tooling.output_schema``)."""


class Items(Record, Generic[T]):
    """A whole list: nothing more to page through."""

    items: list[T]
    hint: str | None = None


class Paged(Record, Generic[T]):
    """One page of a list; ``next_cursor`` asks for the next one."""

    items: list[T]
    next_cursor: str | None = None
    hint: str | None = None

    @classmethod
    def of(cls, got: Collected[T], **extra: Any) -> Self:
        """The page ``core.paging.collect`` read, with any fields a subclass adds."""
        return cls(items=got.items, next_cursor=got.next_cursor, hint=got.hint, **extra)

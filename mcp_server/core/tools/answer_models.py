"""The output shapes every provider shares: a record, an optional argument, a list and a page of results."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, Generic, Protocol, Self, TypeVar

from pydantic import BaseModel, ConfigDict

from mcp_server.core.guards import is_str_dict, is_tuple

T = TypeVar("T")


Maybe = T | None
"""An optional argument: leaving it out, null and "" all mean "not given" (the core publishes it nullable, or
free text as it is: ``""`` leaves it out)."""


class Shared:
    """Marks an answer field many tools carry (a hint, a handle to resume with, what a call spent or would):
    the server's instructions explain it once, so no tool's published output schema repeats it
    (``schemas.Published``); an answer still carries it, and the schema stays open to it."""


SHARED = Shared()
SharedText = Annotated[str | None, SHARED]
"""``hint`` and ``handle`` on any answer."""


class Collected(Protocol[T]):
    """What reading a list gave (``core.lists.pages.Collected``): the records, and the cursor and hint."""

    @property
    def items(self) -> list[T]: ...

    @property
    def next_cursor(self) -> str | None: ...

    @property
    def hint(self) -> str | None: ...


class Record(BaseModel):
    """An output record: unset fields are left out of the answer (``output.to_result`` prunes them), never sent
    as null, so its published schema spells no null either (``schemas.Published``)."""

    # Validators and serializers made at a record's first use, not at import: a start to tools/list uses none
    # of the ~80 (their schemas are saved, ``app.listings``), and making them took ~0.05 s of every start.
    model_config = ConfigDict(defer_build=True)


class Items(Record, Generic[T]):
    """A whole list: nothing more to page through."""

    items: list[T]
    hint: SharedText = None


class Paged(Record, Generic[T]):
    """One page of a list; ``next_cursor`` asks for the next one."""

    items: list[T]
    next_cursor: str | None = None
    hint: SharedText = None

    @classmethod
    def of(cls, got: Collected[T], **extra: Any) -> Self:
        """The page ``core.paging.collect`` read, with any fields a subclass adds."""
        return cls(items=got.items, next_cursor=got.next_cursor, hint=got.hint, **extra)


class Table(Record, Generic[T]):
    """A page of records as a table: the column names once, then one row per record, each cell in its
    column's place (null where the record has no value; a row stops at its last value, ``answers.prune``).
    Lists of people are the big answers, and their
    keys repeated per record cost more than their values: a 100-lead page as records is over 80% of the
    API's own JSON, as this table under 30%. ``T`` is the row's record; its fields are the columns."""

    columns: list[str]
    rows: list[list[Any]]
    next_cursor: str | None = None
    hint: SharedText = None

    @classmethod
    def of(cls, got: Collected[Any], row: Callable[[Any], Any] | None = None, **extra: Any) -> Self:
        """The page ``core.paging.collect`` read, one row per record: ``row`` makes a ``T`` of each one
        (by default its fields are taken by name)."""
        model = row_model(cls)
        rows = [cells(row(item) if row else as_row(model, item)) for item in got.items]
        return cls(columns=column_names(model), rows=rows, next_cursor=got.next_cursor, hint=got.hint, **extra)


def row_model(table: type[Table[Any]]) -> type[BaseModel]:
    """The record type a table's rows are made of (``Table[LeadRow]`` or a subclass of it)."""
    for klass in table.__mro__:
        meta: object = getattr(klass, "__pydantic_generic_metadata__", None)  # not on BaseModel itself
        if not is_str_dict(meta):
            continue
        args = meta.get("args")
        first = args[0] if is_tuple(args) and args else None
        if meta.get("origin") is Table and isinstance(first, type) and issubclass(first, BaseModel):
            return first
    raise TypeError(f"{table.__name__} names no row record: declare it as Table[SomeRecord]")


def column_names(model: type[BaseModel]) -> list[str]:
    return [info.serialization_alias or name for name, info in model.model_fields.items()]


def as_row(model: type[BaseModel], item: object) -> BaseModel:
    """``item`` as a row of ``model``, its fields taken by name (a row already is one)."""
    if isinstance(item, model):
        return item
    return model.model_validate(item.model_dump() if isinstance(item, BaseModel) else item)


def cells(row: BaseModel) -> list[Any]:
    """A row's values in column order, as JSON."""
    return list(row.model_dump(mode="json", by_alias=True).values())


def row_text(make: Callable[[Any], BaseModel]) -> Callable[[Any], str]:
    """A record as one ``Table`` row shows it (its cells and a comma), for a page budget (``Listing.shown``)."""

    def shown(record: Any) -> str:
        return json.dumps(cells(make(record)), ensure_ascii=False, separators=(",", ":")) + ","

    return shown

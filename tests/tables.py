"""Reading a table answer (``shapes.Table``: columns once, a row per record) in assertions."""

from __future__ import annotations

from typing import Any


def rows(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """Each row as a map from column to cell, every column present (null where the record has no value; a row
    stops at its last value), with the values the answer says once for every row (``same``)."""
    columns: list[str] = answer["columns"]
    same: dict[str, Any] = answer.get("same") or {}  # values every row shares, said once (snov ListPage)
    return [
        {**dict(zip(columns, [*row, *[None] * (len(columns) - len(row))], strict=True)), **same}
        for row in answer["rows"]
    ]

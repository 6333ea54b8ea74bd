"""Narrowing for JSON-like values of unknown shape (upstream bodies, tool arguments).

``isinstance(v, dict)`` narrows an ``object`` to ``dict[Unknown, Unknown]``; these guards say what the
walks really rely on (any keys and items, read as ``object``), so strict checking sees typed values.
"""

from __future__ import annotations

from typing import TypeGuard


def is_list(value: object) -> TypeGuard[list[object]]:
    return isinstance(value, list)


def is_dict(value: object) -> TypeGuard[dict[object, object]]:
    return isinstance(value, dict)


def is_str_dict(value: object) -> TypeGuard[dict[str, object]]:
    """A JSON object: its keys are text (JSON allows no other)."""
    return isinstance(value, dict)

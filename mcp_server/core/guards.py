"""Narrowing for JSON-like values of unknown shape (upstream bodies, tool arguments).

``isinstance(v, dict)`` narrows an ``object`` to ``dict[Unknown, Unknown]``; these guards say what the
walks really rely on (any keys and items, read as ``object``), so strict checking sees typed values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard


def is_list(value: object) -> TypeGuard[list[object]]:
    return isinstance(value, list)


def is_tuple(value: object) -> TypeGuard[tuple[object, ...]]:
    return isinstance(value, tuple)


def is_dict(value: object) -> TypeGuard[dict[object, object]]:
    return isinstance(value, dict)


def is_str_dict(value: object) -> TypeGuard[dict[str, object]]:
    """A JSON object: its keys are text (JSON allows no other)."""
    return isinstance(value, dict)


def is_json_object(value: object) -> TypeGuard[dict[str, Any]]:
    """A JSON object whose values are read as ``Any``: handed whole to a constructor as keywords (``Cls(**value)``)
    or walked by the providers (``core.upstream``); ``object`` values could not be used that way."""
    return isinstance(value, dict)


def is_mapping(value: object) -> TypeGuard[Mapping[object, object]]:
    return isinstance(value, Mapping)


def is_str_mapping(value: object) -> TypeGuard[Mapping[str, object]]:
    """A mapping decoded from JSON (tool arguments): its keys are text."""
    return isinstance(value, Mapping)

"""Narrowing for decoded JSON request bodies.

``isinstance(v, dict)`` narrows to ``dict[Unknown, Unknown]``; these guards name what the simulators rely
on (text keys, values of any JSON shape), so strict checking sees typed values.
"""

from __future__ import annotations

from typing import Any, TypeGuard


def is_object(value: object) -> TypeGuard[dict[str, Any]]:
    """A JSON object: its keys are text (JSON allows no other)."""
    return isinstance(value, dict)


def is_array(value: object) -> TypeGuard[list[Any]]:
    return isinstance(value, list)

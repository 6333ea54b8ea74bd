"""Type guards for decoded JSON: ``isinstance(value, dict)`` leaves a checker with ``dict[Unknown, Unknown]``."""

from __future__ import annotations

from typing import Any, TypeGuard


def is_object(value: object) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict)


def is_list(value: object) -> TypeGuard[list[Any]]:
    return isinstance(value, list)

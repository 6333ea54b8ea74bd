"""Reading an upstream JSON body of unknown shape at the edge: an object as ``dict[str, Any]``, rows as a list
of objects. Anything of another shape reads as empty (the caller decides whether empty is an error).

``isinstance(value, dict)`` types a decoded body as ``dict[Unknown, Unknown]``; these say what the providers
rely on (JSON object keys are text), so strict checking follows the values they read."""

from __future__ import annotations

import math
from typing import Any, TypeGuard

from mcp_server.core.errors import BadResponse
from mcp_server.core.guards import is_json_object

is_obj = is_json_object
"""A JSON object, its values ``Any`` (``core.guards``)."""


def is_seq(value: object) -> TypeGuard[list[Any]]:
    return isinstance(value, list)


def obj(value: object) -> dict[str, Any]:
    """``value`` if it is a JSON object, else ``{}``."""
    return value if is_obj(value) else {}


def objs(value: object) -> list[dict[str, Any]]:
    """The objects of a JSON list (other items skipped), or ``[]``."""
    return [item for item in value if is_obj(item)] if is_seq(value) else []


def number(value: object, what: str, provider: str) -> float:
    """An upstream figure (a JSON number or a numeric string) as a number; anything else (``"N/A"``, a map)
    is a clear error naming ``what``, not a ``ValueError`` the model reads as "something unexpected"."""
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        try:
            found = float(value)
        except ValueError:
            found = math.nan
        if math.isfinite(found):
            return found
    raise BadResponse(
        f"{provider} answered a {what} that is not a number ({str(value)[:40]!r})",
        provider=provider,
        hint="This is usually temporary: try again in a minute; if it repeats, tell the user.",
    )

"""Opaque tokens handed to the model: page cursors and resume handles of running jobs."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from mcp_server.core.errors import InvalidInput


def fingerprint(**values: Any) -> str:
    """A short digest of the arguments a cursor belongs to."""
    raw = json.dumps(values, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


def encode(kind: str, payload: dict[str, Any]) -> str:
    raw = json.dumps({"k": kind, **payload}, separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(kind: str, token: str, field: str) -> dict[str, Any]:
    """The payload of a token made by ``encode(kind, ...)``; a clear error naming ``field`` otherwise."""
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError:
        payload = None
    if not isinstance(payload, dict) or payload.get("k") != kind:
        raise InvalidInput(
            f"{field} is not a value this tool returned",
            field=field,
            hint=f"Pass the {field} exactly as the previous call of this same tool returned it, or leave it out.",
        )
    payload.pop("k")
    return payload

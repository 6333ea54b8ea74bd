"""Opaque tokens handed to the model: page cursors and resume handles of running jobs.

A token is its payload (base64 JSON) and an HMAC-SHA256 tag over its kind, its caller and that payload,
so a model (or a prompt in the data it read) cannot write one, alter one, or replay one made for
another caller or credential. The key and the caller come from the call context's ``signer``, which the tool
wrapper sets for each call; a token's ``scope`` (``scope``) names the call's tool with the arguments it is for.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from mcp_server.core.call.context import Signer, current
from mcp_server.core.errors import InvalidInput
from mcp_server.core.guards import is_str_dict

TAG_BYTES = 16
"""128 bits of tag: unforgeable, and 22 characters of token."""


def fingerprint(**values: Any) -> str:
    """A short digest of the arguments a cursor belongs to."""
    raw = json.dumps(values, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


def scope(**values: Any) -> str:
    """What a cursor or handle of this call is for: the called tool and ``values`` (the filters, and for an
    endpoint with ids in its path, that path filled in: one campaign's cursor is no other campaign's)."""
    return fingerprint(tool=current().tool, **values)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _tag(signer: Signer, kind: str, body: str) -> str:
    message = f"{kind}\n{signer.caller}\n{body}".encode()
    return _b64(hmac.new(signer.key, message, hashlib.sha256).digest()[:TAG_BYTES])


def encode(kind: str, payload: dict[str, Any]) -> str:
    body = _b64(json.dumps(payload, separators=(",", ":"), default=str).encode())
    return f"{body}.{_tag(current().signer, kind, body)}"


def decode(kind: str, token: str, field: str) -> dict[str, Any]:
    """The payload of a token this server made by ``encode(kind, ...)`` for this caller; a clear error
    naming ``field`` otherwise (nothing is sent for a refused token)."""
    body, _, tag = token.strip().rpartition(".")
    payload: Any = None
    if body and hmac.compare_digest(tag.encode(), _tag(current().signer, kind, body).encode()):
        try:
            payload = json.loads(base64.urlsafe_b64decode((body + "=" * (-len(body) % 4)).encode()))
        except (ValueError, binascii.Error):
            payload = None
    if not is_str_dict(payload):
        raise InvalidInput(
            f"{field} is not a value this tool returned to this caller (altered, made up, from another tool or "
            "caller, or from before the server restarted)",
            field=field,
            hint=f"Pass the {field} exactly as the previous call of this same tool returned it, or leave it out "
            "to start over.",
        )
    return payload

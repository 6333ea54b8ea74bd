"""Opaque tokens handed to the model: page cursors and resume handles of running jobs.

A token is its payload (base64 JSON) and an HMAC-SHA256 tag over its kind, its caller and that payload,
so a model (or a prompt in the data it read) cannot write one, alter one, or replay one made for
another caller or credential. The key and the caller come from ``bind``, called once per tool call
where the tool reaches its service (``provider.service_of``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from mcp_server.core.errors import InvalidInput
from mcp_server.core.guards import is_str_dict

TAG_BYTES = 16
"""128 bits of tag: unforgeable, and 22 characters of token."""


@dataclass(frozen=True)
class Signer:
    key: bytes
    caller: str
    """Who the tokens belong to: the caller's id and a digest of the credential the service uses."""


_PROCESS_SIGNER = Signer(secrets.token_bytes(32), "")
"""Used only where no tool call bound one (never for a real call: every tool reaches its service first)."""
_signer: ContextVar[Signer] = ContextVar("outbound_handle_signer", default=_PROCESS_SIGNER)


def bind(key: bytes, caller: str) -> None:
    """Sign and check the tokens of the current tool call with ``key``, bound to ``caller``."""
    _signer.set(Signer(key, caller))


def fingerprint(**values: Any) -> str:
    """A short digest of the arguments a cursor belongs to."""
    raw = json.dumps(values, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _tag(signer: Signer, kind: str, body: str) -> str:
    message = f"{kind}\n{signer.caller}\n{body}".encode()
    return _b64(hmac.new(signer.key, message, hashlib.sha256).digest()[:TAG_BYTES])


def encode(kind: str, payload: dict[str, Any]) -> str:
    body = _b64(json.dumps(payload, separators=(",", ":"), default=str).encode())
    return f"{body}.{_tag(_signer.get(), kind, body)}"


def decode(kind: str, token: str, field: str) -> dict[str, Any]:
    """The payload of a token this server made by ``encode(kind, ...)`` for this caller; a clear error
    naming ``field`` otherwise (nothing is sent for a refused token)."""
    body, _, tag = token.strip().rpartition(".")
    payload: Any = None
    if body and hmac.compare_digest(tag.encode(), _tag(_signer.get(), kind, body).encode()):
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

"""Reading an error body in any of the shapes the three APIs use, into one ``ApiError``."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from mcp_server.core.errors import ApiError

E = TypeVar("E", bound=ApiError)
_MAX_MESSAGE = 500


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return json.dumps(value)


def field_errors(mapping: dict[str, Any]) -> dict[str, list[str]]:
    """DRF style ``{"field": ["message", ...]}``."""
    out: dict[str, list[str]] = {}
    for name, value in mapping.items():
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            out[name] = [v[:_MAX_MESSAGE] for v in value]
        elif isinstance(value, str) and name not in ("status", "message", "detail", "reason"):
            out[name] = [value[:_MAX_MESSAGE]]
    return out


def parse_error(status: int, body: bytes, cls: type[E]) -> E:
    """The upstream's own words, whatever the shape; never the raw body of an HTML page."""
    try:
        data = json.loads(body) if body.strip() else None
    except ValueError:
        data = None
    reason, message, fields = "", "", {}
    if isinstance(data, dict):
        err = data.get("error")
        if isinstance(err, dict):  # PersistIQ {"error": {"reason", "message"}}
            reason, message = str(err.get("reason", "")), _text(err.get("message", ""))
        elif isinstance(err, str):
            message = err
        if not message and isinstance(data.get("message"), str):
            message = data["message"]
        if not message and "detail" in data:  # DRF {"detail": ...}
            message = _text(data["detail"])
        errors = data.get("errors")
        if isinstance(errors, dict) and errors:  # Epixel envelope, Snov field errors
            fields = field_errors(errors) or {"error": [_text(errors)[:_MAX_MESSAGE]]}
        elif isinstance(errors, list) and errors:
            message = message or _text(errors)
        elif isinstance(errors, str) and errors:
            message = message or errors
        if not message and not fields:
            fields = field_errors({k: v for k, v in data.items() if k not in ("status_code", "data", "success")})
    elif isinstance(data, list) and data:
        message = _text(data)
    elif data is None and body.lstrip()[:1] == b"<":
        message = "an HTML error page instead of the API's answer"
    if not message and not fields:
        message = "no error message"
    text = f"the API answered {status}: {message[:_MAX_MESSAGE]}" if message else f"the API answered {status}"
    return cls(text, status=status, reason=reason, field_errors=fields)

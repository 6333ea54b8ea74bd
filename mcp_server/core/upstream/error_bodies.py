"""Reading an error body in any of the shapes the three APIs use, into one ``ApiError``."""

from __future__ import annotations

import json
from typing import TypeVar

from mcp_server.core.errors import ApiError
from mcp_server.core.guards import is_dict, is_list, is_str_dict

E = TypeVar("E", bound=ApiError)
_MAX_MESSAGE = 500


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if is_list(value):
        return "; ".join(_text(v) for v in value)
    if is_dict(value):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return json.dumps(value)


def _texts(value: object) -> list[str] | None:
    """The items of a non-empty list of text, else None."""
    if not is_list(value) or not value:
        return None
    texts = [v for v in value if isinstance(v, str)]
    return texts if len(texts) == len(value) else None


def field_errors(mapping: dict[str, object]) -> dict[str, list[str]]:
    """DRF style ``{"field": ["message", ...]}``."""
    out: dict[str, list[str]] = {}
    for name, value in mapping.items():
        if (texts := _texts(value)) is not None:
            out[name] = [v[:_MAX_MESSAGE] for v in texts]
        elif isinstance(value, str) and name not in ("status", "message", "detail", "reason"):
            out[name] = [value[:_MAX_MESSAGE]]
    return out


def parse_error(status: int, body: bytes, cls: type[E]) -> E:
    """The upstream's own words, whatever the shape; never the raw body of an HTML page."""
    try:
        data = json.loads(body) if body.strip() else None
    except ValueError:
        data = None
    reason, message, fields = "", "", dict[str, list[str]]()
    if is_str_dict(data):
        err = data.get("error")
        if is_dict(err):  # PersistIQ {"error": {"reason", "message"}}
            reason, message = str(err.get("reason", "")), _text(err.get("message", ""))
        elif isinstance(err, str):
            message = err
        elif is_list(err) and err:  # PersistIQ {"error": [{"reason", "message"}]}, as the Singer tap reads it
            message = _text(err)
        if not message and isinstance(top := data.get("message"), str):
            message = top
        if not message and "detail" in data:  # DRF {"detail": ...}
            message = _text(data["detail"])
        errors = data.get("errors")
        if is_str_dict(errors) and errors:  # Epixel envelope, Snov field errors
            fields = field_errors(errors) or {"error": [_text(errors)[:_MAX_MESSAGE]]}
        elif is_list(errors) and errors:
            message = message or _text(errors)
        elif isinstance(errors, str) and errors:
            message = message or errors
        if not message and not fields:
            fields = field_errors({k: v for k, v in data.items() if k not in ("status_code", "data", "success")})
    elif is_list(data) and data:
        message = _text(data)
    elif data is None and body.lstrip()[:1] == b"<":
        message = "an HTML error page instead of the API's answer"
    if not message and not fields:
        message = "no error message"
    text = f"the API answered {status}: {message[:_MAX_MESSAGE]}" if message else f"the API answered {status}"
    return cls(text, status=status, reason=reason, field_errors=fields)

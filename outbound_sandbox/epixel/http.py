"""Epixel simulator plumbing: request parsing, DRF field validation, envelope and DRF error bodies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse

from outbound_sandbox.epixel.data import DATE_FORMAT
from outbound_sandbox.guards import is_object

Style = Literal["envelope", "drf"]
REQUIRED = "This field is required."
BLANK = "This field may not be blank."
BLANK_APPT = "This field is may not be blank."  # sic, the doc's appointment tables
PHONE = "Phone number must be entered in the format: '999999999'. Up to 15 digits allowed."
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")


def too_long(limit: int) -> str:
    return f"Ensure this field has no more than {limit} characters."


class Refusal(Exception):
    """A 4xx answer: field errors or one "Request Failed" message, shaped by the endpoint's style."""

    def __init__(self, status: int, fields: dict[str, list[str]] | None = None, detail: str | None = None) -> None:
        super().__init__(detail or str(fields))
        self.status, self.fields, self.detail = status, fields or {}, detail


def envelope(data: Any, status: int = 200, errors: dict[str, Any] | None = None) -> JSONResponse:
    return JSONResponse({"status_code": status, "errors": errors or {}, "data": data}, status_code=status)


def detail(status: int, message: str, **extra: Any) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="api"'} if status == 401 else None
    return JSONResponse({"detail": message, **extra}, status_code=status, headers=headers)


@dataclass
class Call:
    request: Request
    fields: dict[str, str | None]
    has_body: bool

    def get(self, name: str) -> str | None:
        return self.fields.get(name)


async def parse_call(request: Request) -> Call:
    if request.method == "GET":
        return Call(request, dict(parse_qsl(request.url.query, keep_blank_values=True)), False)
    ctype = request.headers.get("content-type", "")
    raw = await request.body()
    fields: dict[str, str | None] = {}
    if "multipart/form-data" in ctype:
        form = await request.form()
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    elif "json" in ctype or raw.strip()[:1] == b"{":
        try:
            body: object = json.loads(raw) if raw.strip() else {}
        except ValueError:
            raise Refusal(400, detail="JSON parse error - Expecting value") from None
        if is_object(body):
            fields = {str(k): None if v is None else str(v) for k, v in body.items()}
    elif raw:
        fields = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    return Call(request, fields, bool(fields))


class Checker:
    """Collects DRF field errors."""

    def __init__(self, call: Call, blank: str = BLANK) -> None:
        self.call, self.blank = call, blank
        self.errors: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def text(self, name: str, *, required: bool = False, allow_blank: bool = False, max_len: int = 0) -> str | None:
        """The stripped value, or None when absent or refused."""
        raw = self.call.get(name)
        if raw is None:
            if required:
                self.add(name, REQUIRED)
            return None
        value = raw.strip()
        if not value and not allow_blank:
            self.add(name, self.blank)
            return None
        if max_len and len(value) > max_len:
            self.add(name, too_long(max_len))
            return None
        return value

    def choice(self, name: str, choices: tuple[str, ...], message: str | None = None) -> str | None:
        value = self.text(name, allow_blank=True)
        if value is None or (value == "" and message is None):
            return None
        if value not in choices:
            self.add(name, message or f"{value} is not a valid choice.")
            return None
        return value

    def date(self, name: str, *, required: bool) -> datetime | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        try:
            if not _DATE.match(value):
                raise ValueError(value)
            return datetime.strptime(value, DATE_FORMAT)
        except ValueError:
            self.add(name, "Invalid date format.")
            return None

    def number(self, name: str, invalid: str) -> int | None:
        value = self.text(name, required=True)
        if value is None:
            return None
        if not value.isdigit():
            self.add(name, invalid)
            return None
        return int(value)

    def done(self) -> None:
        if self.errors:
            raise Refusal(400, self.errors)


def b64json(obj: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).rstrip(b"=").decode()


def to_int(raw: str | None, default: int, *, minimum: int) -> int:
    try:
        value = int(raw or "")
    except ValueError:
        return default
    return value if value >= minimum else default


def jwt(secret: bytes, payload: dict[str, Any]) -> str:
    """An HS256 JSON Web Token, like simplejwt's."""
    parts = [b64json({"alg": "HS256", "typ": "JWT"}), b64json(payload)]
    signature = hmac.new(secret, ".".join(parts).encode(), hashlib.sha256).digest()
    return ".".join([*parts, base64.urlsafe_b64encode(signature).rstrip(b"=").decode()])


def paginate(call: Call, items: list[dict[str, Any]]) -> dict[str, Any]:
    """DRF ``LimitOffsetPagination``: absolute next/previous links on the request's URL, filters kept."""
    limit = min(to_int(call.get("limit"), DEFAULT_LIMIT, minimum=1), MAX_LIMIT)
    offset = to_int(call.get("offset"), 0, minimum=0)
    url = call.request.url
    nxt = str(url.include_query_params(limit=limit, offset=offset + limit)) if offset + limit < len(items) else None
    prev: str | None = None
    if offset > 0:  # as DRF: the link back to the first page has no offset
        back = url.include_query_params(limit=limit)
        prev = str(
            back.remove_query_params("offset") if offset <= limit else back.include_query_params(offset=offset - limit)
        )
    return {"count": len(items), "next": nxt, "previous": prev, "results": items[offset : offset + limit]}

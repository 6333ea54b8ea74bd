"""Shared machinery of the Snov.io simulator: request parsing, auth, limits, credits, tasks.

Decisions where the vendor doc is silent (the provider client relies on them):

* Transport-level errors are ``{"success": false, "errors": "<message>"}``: 401 for a missing,
  unknown or expired token, 404 for unknown paths and for the v1 methods when
  ``config.snov_v1_retired`` is set, 429 ``"Too many requests"`` (no ``Retry-After``: none is
  documented). Missing required fields answer 400 ``{"success": false, "errors": {field: [msg]}}``.
* Business failures of v1 methods answer 200 with ``"success": false`` (as the doc says for
  change-recipient-status), e.g. the hourly plan limit
  ``{"success": false, "message": "There are too many prospects processing. Please try later"}``.
* The 60/min limit counts authenticated API calls per client (the token endpoint is not counted).
* The hourly counter counts names, emails and URLs queued (add-names, add-emails, add-url and the
  v2 finder/verifier/LinkedIn starts). A method with the documented hourly limit (finder, add
  names, verifier, add emails and their v2 successors) is refused when its own items would take
  the counter above ``config.snov_hourly_limit``; it is off when ``config.rate_limits`` is False.
* Credits: a paid call is refused with ``{"success": false, "message": "Not enough credits"}``
  (v1) or 402 ``{"success": false, "errors": "Not enough credits"}`` (v2) when the balance is short.

With ``config.profile == "documented"`` the simulator keeps to ../shared/api-docs/snov-api.txt and,
where it is silent, gives the least helpful answer a real server could: the methods only the newer
pages list (the v2 finder, verifier and LinkedIn pairs, GET /v2/blacklists) answer 404, and the hourly
plan limit answers 400 (the document gives its message, not its status). The route modules say the rest.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from outbound_sandbox import config as cfg
from outbound_sandbox.guards import is_array, is_object
from outbound_sandbox.kit import SandboxEnv
from outbound_sandbox.snov.crm import SnovCrm, seed_crm
from outbound_sandbox.snov.data import SnovDatabase, seed_database

USER_ID = 1313777
HOURLY_LIMIT_MESSAGE = "There are too many prospects processing. Please try later"
DEFAULT_ROW_CAP = 10_000
_BRACKETS = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])+)$")


def _split_key(key: str) -> tuple[str, list[str]]:
    """``customFields['Project name']`` -> ("customFields", ["Project name"])."""
    m = _BRACKETS.match(key)
    if not m:
        return key, []
    parts = re.findall(r"\[([^\[\]]*)\]", m.group(2))
    return m.group(1), [p.strip("'\"") for p in parts]


def _scalar(value: Any) -> str | None:
    if value is None or isinstance(value, (list, dict)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class Call:
    """One request with its fields merged: query string, then the form or JSON body."""

    request: Request
    fields: list[tuple[str, str]]
    body: dict[str, Any] | None
    origin: str
    """Scheme, host and the vendor prefix: absolute URLs in answers start with it."""

    def get(self, name: str) -> str | None:
        if self.body is not None and name in self.body:
            return _scalar(self.body[name])
        values = [v for k, v in self.fields if k == name]
        return values[-1] if values else None

    def text(self, name: str) -> str:
        return (self.get(name) or "").strip()

    def get_list(self, name: str) -> list[str]:
        """``name[]=a&name[]=b``, ``name[0]=a``, repeated ``name=a`` or a JSON list."""
        if self.body is not None and isinstance(self.body.get(name), list):
            return [s for v in self.body[name] if (s := _scalar(v)) is not None]
        out: list[str] = []
        for key, value in self.fields:
            base, parts = _split_key(key)
            if base == name and len(parts) <= 1:
                out.append(value)
        if len(out) == 1 and "," in out[0] and "@" in out[0]:
            out = [p.strip() for p in out[0].split(",") if p.strip()]
        return out

    def get_map(self, name: str) -> dict[str, str]:
        """``name[key]=value`` pairs or a JSON object."""
        if self.body is not None and is_object(given := self.body.get(name)):
            return {str(k): s for k, v in given.items() if (s := _scalar(v)) is not None}
        out: dict[str, str] = {}
        for key, value in self.fields:
            base, parts = _split_key(key)
            if base == name and len(parts) == 1 and parts[0]:
                out[parts[0]] = value
        return out

    def get_rows(self, name: str) -> list[dict[str, str]]:
        """``rows[0][first_name]=...`` or a JSON list of objects."""
        if self.body is not None and is_array(given := self.body.get(name)):
            return [
                {str(k): s for k, v in row.items() if (s := _scalar(v)) is not None} for row in given if is_object(row)
            ]
        rows: dict[str, dict[str, str]] = {}
        for key, value in self.fields:
            base, parts = _split_key(key)
            if base == name and len(parts) == 2:
                rows.setdefault(parts[0], {})[parts[1]] = value
        return [rows[k] for k in sorted(rows, key=lambda s: int(s) if s.isdigit() else 0)]

    def path(self, key: str) -> str:
        return str(self.request.path_params.get(key, ""))

    def query_list(self, name: str) -> list[str]:
        """``name[]=a&name[]=b`` from the URL query only, where the document's examples put the list."""
        return [v for k, v in parse_qsl(self.request.url.query) if _split_key(k)[0] == name]

    def url(self, path: str, **query: Any) -> str:
        pairs: list[tuple[str, str]] = []
        for key, value in query.items():
            if is_array(value):
                pairs.extend((f"{key}[]", str(v)) for v in value)
            elif value is not None and value != "":
                pairs.append((key, str(value)))
        return self.origin + path + (f"?{urlencode(pairs)}" if pairs else "")

    def token(self) -> str | None:
        header = self.request.headers.get("authorization", "").strip()
        if header:
            return header[7:].strip() if header.lower().startswith("bearer ") else header
        return self.get("access_token")


def ok(data: Any, status: int = 200) -> Response:
    return JSONResponse(data, status_code=status)


def failure(message: str | dict[str, list[str]], status: int = 200, key: str = "errors") -> Response:
    return JSONResponse({"success": False, key: message}, status_code=status)


def missing(*names: str) -> Response:
    return failure({n: ["This value should not be blank."] for n in names}, status=400)


def php_date(text: str) -> dict[str, Any]:
    """The doc's PHP DateTime objects: ``{"date": "... .000000", "timezone_type": 3, "timezone": "UTC"}``."""
    return {"date": f"{text}.000000", "timezone_type": 3, "timezone": "UTC"}


Handler = Callable[[Call], Response]


@dataclass
class Task:
    """A v2 async task: done once ``config.job_delay`` vendor seconds have passed since ``started``."""

    hash: str
    kind: str
    started: float
    params: dict[str, Any] = field(default_factory=dict[str, Any])


@dataclass
class Queued:
    started: float


class SnovCore:
    """State and shared behaviour; the route modules hold a reference to it."""

    def __init__(self, env: SandboxEnv) -> None:
        self.env = env
        self.limiter = env.limiter(60)
        self.reset()

    def reset(self) -> None:
        seed = self.env.config.seed
        self.db: SnovDatabase = seed_database(seed)
        self.crm: SnovCrm = seed_crm(seed, self.db)
        self.limiter.windows.clear()
        self.tokens: dict[str, tuple[float, float]] = {}
        self.balance: float = self.env.config.snov_balance
        self.spent: float = 0.0
        self.row_cap = DEFAULT_ROW_CAP
        self.tasks: dict[str, Task] = {}
        self.charged_requests: set[tuple[str, ...]] = set()
        self.name_queue: dict[tuple[str, str, str], Queued] = {}
        self.email_queue: dict[str, Queued] = {}
        self.url_queue: dict[str, Queued] = {}
        self.hourly_start = self.env.now()
        self.hourly_used = 0
        self._counter = 0

    @property
    def documented(self) -> bool:
        """Only what the vendor document says (``config.profile``); see the module docstring."""
        # The recorded profile is the documented one plus the shapes real servers were recorded giving.
        return self.env.config.profile in ("documented", "recorded")

    @property
    def recorded(self) -> bool:
        """The shapes public clients recorded from the real servers (docs/upstream-assumptions*.md)."""
        return self.env.config.profile == "recorded"

    def hourly_limited(self) -> Response:
        """The documented message; its status is not documented (400 in the documented profile)."""
        return failure(HOURLY_LIMIT_MESSAGE, status=400 if self.documented else 200, key="message")

    # ---- ids, tokens, tasks
    def new_hash(self, *parts: str) -> str:
        self._counter += 1
        raw = f"{self.env.config.seed}:{self._counter}:{':'.join(parts)}"
        return hashlib.md5(raw.encode()).hexdigest()

    def issue_token(self) -> str:
        token = secrets.token_urlsafe(30)[:40]
        self.tokens[token] = (self.env.now(), self.env.config.token_lifetime)
        return token

    def token_valid(self, token: str | None) -> bool:
        if not token or token not in self.tokens:
            return False
        issued, lifetime = self.tokens[token]
        return not self.env.expired(issued, lifetime)

    def start_task(self, kind: str, **params: Any) -> Task:
        task = Task(self.new_hash(kind, json.dumps(params, sort_keys=True, default=str)), kind, self.env.now(), params)
        self.tasks[task.hash] = task
        return task

    def ready(self, started: float) -> bool:
        return self.env.expired(started, self.env.config.job_delay)

    # ---- credits and the hourly plan limit
    def can_afford(self, credits: float) -> bool:
        return self.balance >= credits

    def charge(self, credits: float) -> None:
        self.balance -= credits
        self.spent += credits

    def charge_once(self, key: tuple[str, ...]) -> bool:
        """Charge 1 credit for a distinct request; False when it is short of credits."""
        if key in self.charged_requests:
            return True
        if not self.can_afford(1):
            return False
        self.charged_requests.add(key)
        self.charge(1)
        return True

    def _hourly_window(self) -> None:
        if self.env.expired(self.hourly_start, 3600.0):
            self.hourly_start, self.hourly_used = self.env.now(), 0

    def hourly_refused(self, items: int) -> bool:
        if not self.env.config.rate_limits:
            return False
        self._hourly_window()
        return self.hourly_used + items > self.env.config.snov_hourly_limit

    def hourly_add(self, items: int) -> None:
        self._hourly_window()
        self.hourly_used += items

    # ---- responses
    def error_response(self, status: int, message: str) -> Response:
        return failure(message, status=status)

    def rate_limited_response(self, request: Request) -> Response:
        return failure("Too many requests", status=429)

    # ---- routing
    def route(
        self, path: str, handler: Handler, methods: list[str], *, retired: bool = False, documented: bool = True
    ) -> Route:
        """An authenticated, rate-limited endpoint; ``retired`` ones vanish with ``snov_v1_retired``, the
        ones the document lacks (``documented=False``) in the documented profile."""

        async def endpoint(request: Request) -> Response:
            if (retired and self.env.config.snov_v1_retired) or (not documented and self.documented):
                return failure("Not found", status=404)
            call = await parse_call(request)
            if not self.token_valid(call.token()):
                return failure("Invalid or expired access token", status=401)
            allowed, _, _ = self.limiter.hit(cfg.SNOV_CLIENT_ID)
            if not allowed:
                return self.rate_limited_response(request)
            return handler(call)

        return Route(path, endpoint, methods=methods)


async def parse_call(request: Request) -> Call:
    fields: list[tuple[str, str]] = list(parse_qsl(request.url.query, keep_blank_values=True))
    body: dict[str, Any] | None = None
    ctype = request.headers.get("content-type", "")
    raw = await request.body()
    if "multipart/form-data" in ctype:
        form = await request.form()
        fields.extend((k, v) for k, v in form.multi_items() if isinstance(v, str))
    elif raw.strip()[:1] in (b"{", b"[") or "json" in ctype:
        try:
            parsed = json.loads(raw) if raw.strip() else None
        except ValueError:
            parsed = None
        body = parsed if is_object(parsed) else {}
    elif raw:
        fields.extend(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    origin = f"{request.url.scheme}://{request.url.netloc}{cfg.SNOV_PREFIX}"
    return Call(request, fields, body, origin)


def job_view(company: str, position: str, site: str, industry: str | None, country: str | None) -> dict[str, Any]:
    """One entry of ``currentJob(s)`` / ``previousJob(s)`` as the doc shows it."""
    return {
        "companyName": company,
        "position": position,
        "socialLink": None,
        "site": site,
        "locality": country,
        "state": None,
        "city": None,
        "street": None,
        "street2": None,
        "postal": None,
        "founded": None,
        "startDate": "2021-03-31",
        "endDate": None,
        "size": None,
        "industry": industry,
        "companyType": None,
        "country": country,
    }

"""Epixel's service: ``apikey`` header plus a Bearer access token (fixed, or from login and renewed).

Also the endpoint table, the envelope unwrap, and the limit/offset pages of its lists.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import httpx
from mcp.server.mcpserver import Context
from pydantic import BaseModel, SecretStr

from mcp_server.app.providers import service_of
from mcp_server.core.errors import ApiError, BadResponse, OutboundError
from mcp_server.core.lists.listings import Ask, Listing, Offset, read
from mcp_server.core.lists.pages import Collected
from mcp_server.core.state import StateStore, namespace
from mcp_server.core.upstream.auth import Fetch, HeaderAuth, Token, TokenAuth, TokenCache
from mcp_server.core.upstream.budget import WindowBudget
from mcp_server.core.upstream.client import ApiClient, ApiResponse, AuthHook
from mcp_server.core.upstream.dialect import Dialect
from mcp_server.core.upstream.endpoints import Endpoint
from mcp_server.core.upstream.error_bodies import field_errors
from mcp_server.core.upstream.records import parse_record
from mcp_server.core.upstream.values import is_obj, is_seq
from mcp_server.providers.epixel.filters import Filter, kept
from mcp_server.settings import Settings

LABEL = "Epixel"
# The API documents no limit; this keeps one server polite to a customer's own host.
RATE_LIMIT = 120
# DRF's usual cap on `limit`; a smaller server cap only makes pages shorter.
PAGE_SIZE = 100
M = TypeVar("M", bound=BaseModel)
# What DRF and simplejwt answer when the credentials themselves are refused (not a "Request Failed").
_AUTH_WORDS = ("token", "credentials", "api key", "apikey", "authoriz", "no active account")


class Endpoints:
    """Every upstream endpoint in one place, paths relative to ``EPIXEL_BASE_URL``.

    Epixel writes with POST; the updates set fields to given values, so a resend changes nothing more."""

    # Asking for a token twice is harmless.
    login = Endpoint("POST", "user/login/", idempotent=True)
    refresh = Endpoint("POST", "user/token/refresh/", idempotent=True)  # undocumented; simplejwt's convention
    overview = Endpoint("GET", "leads/overview/")
    leads = Endpoint("GET", "leads/list/")
    appointments = Endpoint("GET", "leads/appointments/list/")
    lead = Endpoint("GET", "leads/view/lead/")
    create_lead = Endpoint("POST", "leads/create/lead/")
    create_lead_documented = Endpoint("POST", "v1/leads/create/lead/")  # the document's heading: an extra v1/
    update_lead = Endpoint("POST", "leads/update/lead/", idempotent=True)
    delete_lead = Endpoint("POST", "leads/delete/lead/")
    create_appointment = Endpoint("POST", "leads/create/appointment/")
    update_appointment = Endpoint("POST", "leads/update/appointment/", idempotent=True)
    delete_appointment = Endpoint("POST", "leads/delete/appointment/")
    create_note = Endpoint("POST", "leads/create/leadnote/")
    delete_note = Endpoint("POST", "leads/delete/leadnote/")


def _tidy(error: ApiError, status: int) -> ApiError:
    """DRF's ``non_field_errors`` is the message itself; 401 and 404 say what to check."""
    general = error.field_errors.pop("non_field_errors", None) or error.field_errors.pop("error", None)
    if general:
        error.message = f"the API answered {status}: {'; '.join(general)}"
    if status == 404:  # Epixel answers 400 for unknown records: a 404 means a wrong base URL
        error.hint = "Ask the user to check EPIXEL_BASE_URL: it must be https://<domain>/<api prefix>/<version>."
    if status == 401:
        text = " ".join([error.message, *(m for ms in error.field_errors.values() for m in ms)]).lower()
        if any(word in text for word in _AUTH_WORDS):
            error.hint = (
                "The Epixel credentials were refused: ask the user to check EPIXEL_API_KEY and "
                "EPIXEL_ACCESS_TOKEN (it may have expired) or EPIXEL_USERNAME/EPIXEL_PASSWORD."
            )
        else:  # a business rule, answered 401 by Epixel: its own reason, never "authentication failed"
            reason = error.message.split(": ", 1)[-1] if ": " in error.message else error.message
            error.message = f"refused the request: {reason}"
            what = next((hint for mark, hint in _REFUSALS.items() if mark in text), "")
            error.hint = " ".join(filter(None, [what, "(A rule of the CRM, not a credentials problem.)"]))
    return error


_REFUSALS = {
    "end date": "Give appointment_to at or after the start: a new start after the current end needs a new end too.",
    "in the future": "Give an appointment_date in the future.",
    "schedule exists": "Another appointment takes that time: pick another (epixel_list_appointments shows them).",
    "not owner": "Only the lead's owner may do this: epixel_list_leads list_type=owned lists the user's own.",
    "can't delete": "The CRM does not let this user delete it (not the owner, or the record is locked).",
    "can't update": "The CRM does not let this user change it (not the owner, or the record is locked).",
    "does not esixt": "No such lead for this user: take slugs from epixel_list_leads.",
    "does not exist": "No such record for this user: take ids from the matching epixel_list_ tool.",
    "body data not found": "Give at least one field to change.",
}
"""Epixel's business refusals (401s) by a mark in their words, and what to change for each."""


def unwrap(response: ApiResponse) -> Any:
    """``{"status_code", "errors", "data"}`` -> ``data``; errors inside a 2xx envelope become ``ApiError``."""
    body = response.data
    if not is_obj(body) or "data" not in body or not ({"status_code", "errors"} & body.keys()):
        return body
    errors = body.get("errors")
    code = body.get("status_code")
    status = code if isinstance(code, int) and code >= 400 else response.status
    if errors or status >= 400:
        fields = field_errors(errors) if is_obj(errors) else {}
        message = errors if isinstance(errors, str) and errors else "the request was refused"
        if is_obj(errors) and not fields:
            message = json.dumps(errors)[:500]
        raise _tidy(
            ApiError(f"the API answered {status}: {message}", provider=LABEL, status=status, field_errors=fields),
            status,
        )
    return body["data"]


def token_rejected(response: httpx.Response, body: bytes) -> bool:
    """Epixel answers 401 for business refusals too ("You are not owner of this lead."): only a 401 about
    the token (simplejwt's ``token_not_valid``, a missing or malformed header, a challenge) is worth a renewal
    and a resend, which for a write would send it twice."""
    if "www-authenticate" in response.headers:
        return True
    text = body[:2000].decode(errors="replace")
    return any(mark in text for mark in ("token_not_valid", "bad_authorization_header", "credentials were not"))


class EpixelDialect(Dialect):
    """Epixel's data comes in an envelope that may hold an error; its error bodies are DRF's, with business
    refusals answered 401 (``_tidy``)."""

    def data(self, response: ApiResponse) -> Any:
        return unwrap(response)

    def error(self, error: ApiError, response: httpx.Response, body: bytes) -> ApiError:
        return _tidy(error, response.status_code)

    def token_rejected(self, response: httpx.Response, body: bytes) -> bool:
        return token_rejected(response, body)


DIALECT = EpixelDialect()


def _tokens(data: Any) -> tuple[str, str | None]:
    if is_obj(data) and isinstance(data.get("access"), str):
        return data["access"], data.get("refresh") if isinstance(data.get("refresh"), str) else None
    raise BadResponse("the login answered without an access token", provider=LABEL)


def token_fetcher(api_key: SecretStr, username: str, password: SecretStr) -> Fetch:
    """Refresh with the refresh token when there is one; otherwise (or if that fails) log in again."""

    async def fetch(client: ApiClient, deadline: float, previous: Token | None) -> Token:
        headers = {"apikey": api_key.get_secret_value()}
        if previous is not None and previous.refresh:
            try:
                response = await Endpoints.refresh.send(
                    client,
                    data={"refresh": previous.refresh},
                    deadline=deadline,
                    authenticated=False,
                    headers=headers,
                )
                access, _ = _tokens(response.data)
                return Token(access, refresh=previous.refresh)
            except OutboundError:
                pass  # an expired or unsupported refresh: log in again below
        response = await Endpoints.login.send(
            client,
            data={"username": username, "password": password.get_secret_value()},
            deadline=deadline,
            authenticated=False,
            headers=headers,
        )
        access, refresh = _tokens(response.data)
        return Token(access, refresh=refresh)

    return fetch


@dataclass
class Epixel:
    api: ApiClient
    username: str | None = None
    """The signed-in user, when known (login credentials): who owns a lead and who it is assigned to."""
    create_lead: Endpoint | None = None
    """The create-lead endpoint this server answered at, once known (the document and the other paths differ)."""


def _auth(settings: Settings, store: StateStore, account: str) -> AuthHook:
    key = settings.epixel_api_key
    assert key is not None
    if settings.epixel_username is not None and settings.epixel_password is not None:
        fetch = token_fetcher(key, settings.epixel_username, settings.epixel_password)
        # Tokens from a login are per user: another process of the same user reuses them.
        cache = TokenCache.of(store, f"{namespace('epixel', account, settings.epixel_username)}:token")
        return TokenAuth(fetch, static={"apikey": key}, initial=settings.epixel_access_token, cache=cache)
    # A fixed token cannot be renewed: a 401 is reported with the upstream's own words.
    token = settings.epixel_access_token
    assert token is not None
    return HeaderAuth({"apikey": key, "Authorization": SecretStr(f"Bearer {token.get_secret_value()}")})


def open_service(settings: Settings, http: httpx.AsyncClient, store: StateStore) -> Epixel:
    assert settings.epixel_base_url is not None and settings.epixel_api_key is not None
    account = namespace("epixel", settings.epixel_base_url, settings.epixel_api_key.get_secret_value())
    api = ApiClient(
        provider=LABEL,
        base_url=settings.epixel_base_url,
        auth=_auth(settings, store, account),
        budget=WindowBudget(RATE_LIMIT, settings.rate_window, provider=LABEL, store=store, key=f"{account}:rate"),
        http=http,
        dialect=DIALECT,
    )
    return Epixel(api, username=settings.epixel_username)


def epixel(ctx: Context) -> Epixel:
    return service_of(ctx, "epixel", Epixel)


def parse(model: type[M], raw: Any, what: str) -> M:
    """One upstream record as ``model``; an unexpected shape is a clear error, not a crash."""
    return parse_record(model, raw, what, LABEL)


def page_of(data: Any, what: str) -> tuple[list[Any], bool]:
    """The records of ``data`` (a DRF page, a bare list, or one object) and whether more follow."""
    if is_seq(data):
        return data, False
    if is_obj(data) and is_seq(data.get("results")):
        return data["results"], bool(data.get("next"))
    if is_obj(data) and not data:
        return [], False
    raise BadResponse(f"Epixel answered without a list of {what}", provider=LABEL)


def _first_page(data: Any) -> bool:
    """DRF links back from any offset past 0: a page without one was read from the start."""
    return is_obj(data) and "previous" in data and data["previous"] is None


def _key(record: Any) -> Any:
    return (record.get("slug"), record.get("id")) if is_obj(record) else None


def _notes(hint: str | None, dropped: set[str], repeated: bool) -> str | None:
    notes = [hint] if hint else []
    if dropped:
        names = ", ".join(sorted(dropped))
        notes.append(f"This Epixel server ignored the {names} filter: the tool filtered the records itself.")
    if repeated:
        notes.append("This Epixel server ignores offset: the list stops where its pages started to repeat.")
    return " ".join(notes) or None


@dataclass
class DrfPages:
    """DRF's limit/offset pages, ``size`` a page. Offsets rather than the page's ``next`` URL: a DRF server
    behind a proxy often writes ``http://`` links for an ``https://`` API, which the core would rightly refuse
    to follow. The document names none of these parameters: a bare list, or a page longer than asked for, is
    taken as the whole list (the cursor then counts records into it), and a server that ignores offset sends
    page one again, which ends the list (``repeated``)."""

    size: int
    what: str
    start: list[Any] = field(default_factory=lambda: [])
    """The first record at offset 0, once read."""
    repeated: bool = False

    def __post_init__(self) -> None:
        self.offsets = Offset(self._more, limit="limit", size=self.size)

    def _more(self, body: Any, raw: list[Any]) -> bool:
        return page_of(body, self.what)[1] and len(raw) <= self.size  # a longer page ignored limit: it is all

    def ask(self, ref: Any) -> Ask:
        return self.offsets.ask(ref)

    def read(self, ref: Any, body: Any, raw: list[Any]) -> tuple[list[Any], Any]:
        offset, first = int(ref or 0), _key(raw[0]) if raw else None
        if offset and ((first is not None and first in self.start) or _first_page(body)):
            self.repeated = True  # offset ignored: this is page one again
            return [], None
        if not offset and first is not None:
            self.start.append(first)
        return self.offsets.read(ref, body, raw)


def listing(tool: str, endpoint: Endpoint, model: type[M]) -> Listing[M]:
    """An Epixel list; its pages are ``DrfPages``, made for each call by ``read_list``."""
    what = tool.removeprefix("epixel_list_")

    def record(item: Any) -> M:
        return parse(model, item, what)

    return Listing(tool, api, endpoint, DrfPages(PAGE_SIZE, what), lambda data: page_of(data, what)[0], record, what)


def api(ctx: Context) -> ApiClient:
    return epixel(ctx).api


async def read_list(
    ctx: Context,
    listing: Listing[M],
    limit: int,
    cursor: str | None,
    filters: Mapping[str, str | None],
    local: Sequence[Filter] = (),
) -> Collected[M]:
    """``listing`` until ``limit`` records, pages no longer than ``limit``; ``local`` filters the records again
    in case the server ignored them, and the hint says when it did (or ignored offset)."""
    paging = DrfPages(min(limit, PAGE_SIZE), listing.noun)
    dropped: set[str] = set()
    got = await read(
        ctx, replace(listing, paging=paging), limit, cursor, filters, keep=lambda raw: kept(raw, list(local), dropped)
    )
    return Collected(got.items, got.next_cursor, _notes(got.hint, dropped, paging.repeated))

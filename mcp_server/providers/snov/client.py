"""Snov.io service: its endpoint table, OAuth token, 60/min budget, credit ceiling per period, v1 retirement memory.

The budget, the credit ledger and the token live in the server's state store, keyed by a hash of the
account: every process on the same store shares them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from mcp.server.mcpserver import Context
from pydantic import SecretStr

from mcp_server.app.providers import service_of
from mcp_server.core.errors import ApiError
from mcp_server.core.lists.jobs import Durations, Schedule
from mcp_server.core.state import StateStore, namespace
from mcp_server.core.upstream.auth import Fetch, Token, TokenAuth, TokenCache
from mcp_server.core.upstream.budget import WindowBudget
from mcp_server.core.upstream.client import ApiClient, ApiResponse
from mcp_server.core.upstream.dialect import Dialect
from mcp_server.core.upstream.endpoints import Endpoint
from mcp_server.core.upstream.values import is_obj, obj
from mcp_server.providers.snov.credits import Credits, OutOfCredits
from mcp_server.settings import Settings

R = TypeVar("R")

LABEL = "Snov.io"
HOURLY_LIMIT_TEXT = "too many prospects processing"
HOURLY_HINT = (
    "Snov.io's hourly plan limit for this method is used up (by plan, 200-1000 finder requests or 500-4000 "
    "verified emails an hour): try again later (within the hour), or spread the work over hours."
)


class Endpoints:
    """Every upstream endpoint in one place, paths relative to ``SNOV_BASE_URL``.

    Snov.io reads with POST too: a POST that only reads, sets a value, or (domain search) is charged once
    per distinct request declares ``idempotent=True``, so a failure is retried like a GET's."""

    # Asking for a token twice is harmless.
    token = Endpoint("POST", "v1/oauth/access_token", idempotent=True)
    balance = Endpoint("GET", "v1/get-balance")

    campaigns = Endpoint("GET", "v1/get-user-campaigns")
    campaign_analytics = Endpoint("GET", "v2/statistics/campaign-analytics")
    campaign_progress = Endpoint("GET", "v2/campaigns/{campaign_id}/progress")
    recipient_status = Endpoint("POST", "v1/change-recipient-status", idempotent=True)
    completed_prospects = Endpoint("GET", "v1/prospect-finished")
    replies = Endpoint("GET", "v1/get-emails-replies")
    opens = Endpoint("GET", "v1/get-emails-opened")
    clicks = Endpoint("GET", "v1/get-emails-clicked")
    sent_emails = Endpoint("GET", "v1/emails-sent")

    add_to_do_not_email = Endpoint("POST", "v1/do-not-email-list")
    do_not_email_lists = Endpoint("GET", "v2/blacklists")
    add_prospect = Endpoint("POST", "v1/add-prospect-to-list")
    prospect_by_id = Endpoint("POST", "v1/get-prospect-by-id", idempotent=True)
    prospects_by_email = Endpoint("POST", "v1/get-prospects-by-email", idempotent=True)
    custom_fields = Endpoint("GET", "v1/prospect-custom-fields")
    lists = Endpoint("GET", "v1/get-user-lists")
    list_prospects = Endpoint("POST", "v1/prospect-list", idempotent=True)
    create_list = Endpoint("POST", "v1/lists")

    # The v1 finder, verifier and profile methods; their queueing halves are paid and never resent.
    emails_from_names = Endpoint("POST", "v1/get-emails-from-names", idempotent=True)
    queue_names = Endpoint("POST", "v1/add-names-to-find-emails")
    verification_status = Endpoint("POST", "v1/get-emails-verification-status", idempotent=True)
    queue_verification = Endpoint("POST", "v1/add-emails-to-verification")
    emails_from_url = Endpoint("POST", "v1/get-emails-from-url", idempotent=True)
    queue_url = Endpoint("POST", "v1/add-url-for-search")
    profile_by_email = Endpoint("POST", "v1/get-profile-by-email")  # charged per request

    # v2 start/result pairs: each start is charged.
    emails_by_name_start = Endpoint("POST", "v2/emails-by-domain-by-name/start")
    emails_by_name_result = Endpoint("GET", "v2/emails-by-domain-by-name/result")
    profiles_by_urls_start = Endpoint("POST", "v2/li-profiles-by-urls/start")
    profiles_by_urls_result = Endpoint("GET", "v2/li-profiles-by-urls/result")
    verification_start = Endpoint("POST", "v2/email-verification/start")
    verification_result = Endpoint("GET", "v2/email-verification/result")

    # Domain search: a result also answers at ``<result>/<task_hash>`` (tasks.result_link).
    domain_search_start = Endpoint("POST", "v2/domain-search/start", idempotent=True)
    domain_search_result = Endpoint("GET", "v2/domain-search/result")
    domain_prospects_start = Endpoint("POST", "v2/domain-search/prospects/start", idempotent=True)
    domain_prospects_result = Endpoint("GET", "v2/domain-search/prospects/result")
    prospect_email_start = Endpoint(
        "POST", "v2/domain-search/prospects/search-emails/start/{prospect_hash}", idempotent=True
    )
    prospect_email_result = Endpoint("GET", "v2/domain-search/prospects/search-emails/result")
    domain_emails_start = Endpoint("POST", "v2/domain-search/domain-emails/start", idempotent=True)
    domain_emails_result = Endpoint("GET", "v2/domain-search/domain-emails/result")
    generic_contacts_start = Endpoint("POST", "v2/domain-search/generic-contacts/start", idempotent=True)
    generic_contacts_result = Endpoint("GET", "v2/domain-search/generic-contacts/result")
    domain_emails_count = Endpoint("POST", "v1/get-domain-emails-count", idempotent=True)

    webhooks = Endpoint("GET", "v2/webhooks")
    add_webhook = Endpoint("POST", "v2/webhooks")
    change_webhook = Endpoint("PUT", "v2/webhooks/{webhook_id}")
    delete_webhook = Endpoint("DELETE", "v2/webhooks/{webhook_id}")


def token_fetcher(client_id: SecretStr, client_secret: SecretStr) -> Fetch:
    """OAuth client credentials (``POST /v1/oauth/access_token``)."""

    async def fetch(client: ApiClient, deadline: float, previous: Token | None) -> Token:
        form = {
            "grant_type": "client_credentials",
            "client_id": client_id.get_secret_value(),
            "client_secret": client_secret.get_secret_value(),
        }
        # Counted in the budget like any request: where the vendor counts it too, a cold start would otherwise
        # send 61 requests in a 60-a-minute window (and it costs one slot an hour where it does not).
        response = await Endpoints.token.send(client, data=form, deadline=deadline, authenticated=False)
        data = obj(response.data)
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise ApiError("the token endpoint answered without an access_token", provider=LABEL, status=200)
        return Token(token, client.clock() + lifetime(data.get("expires_in")))

    return fetch


def lifetime(value: Any) -> float:
    """A token's ``expires_in`` in seconds; anything but a sane number reads as the documented hour."""
    try:
        seconds = float(value) if isinstance(value, int | float | str) and not isinstance(value, bool) else 0.0
    except ValueError:
        seconds = 0.0
    return seconds if math.isfinite(seconds) and 0 < seconds <= 366 * 86_400 else 3600.0


def check_success(response: ApiResponse) -> Any:
    """Snov.io answers some failures with 200 and ``"success": false``."""
    data = response.data
    if is_obj(data) and data.get("success") is False:
        # Public clients recorded the reason under ``message``, ``errors``, ``error`` and ``result``.
        message = (
            data.get("message") or data.get("errors") or data.get("error") or data.get("result") or "the request failed"
        )
        text = message if isinstance(message, str) else str(message)
        hint = HOURLY_HINT if HOURLY_LIMIT_TEXT in text.lower() else ""
        if out_of_credits(text):
            raise OutOfCredits(
                f"Snov.io refused the request: {text[:500]}",
                provider=LABEL,
                hint="Nothing was charged. Check snov_get_balance; the account needs more credits.",
            )
        raise ApiError(f"Snov.io refused the request: {text[:500]}", provider=LABEL, status=200, hint=hint)
    return data


OUT_OF_CREDITS_TEXTS = ("ran out of credits", "not enough credits", "no credits left", "insufficient credits")
"""How Snov.io words an empty balance; real servers answer it as HTTP 502 (public clients recorded it)."""


def out_of_credits(message: str) -> bool:
    text = message.lower()
    return any(words in text for words in OUT_OF_CREDITS_TEXTS)


def hourly(error: ApiError) -> ApiError:
    """The hourly plan limit's hint whatever status it comes with (the document gives its message only: a 4xx
    would otherwise read as a bad argument, a 429 as a one-minute wait). A plain ApiError, not RateLimited:
    no "retry in N s", the wait is the plan's hour."""
    if HOURLY_LIMIT_TEXT not in error.message.lower():
        return error
    return ApiError(
        error.message,
        provider=error.provider,
        hint=HOURLY_HINT,
        status=error.status,
        reason=error.reason,
        request_id=error.request_id,
        maybe_applied=error.maybe_applied,
    )


class SnovDialect(Dialect):
    """Snov.io answers some refusals with 200 and ``"success": false``; an empty balance is a refusal whatever
    its status (a 502 is not "may have been applied"), and the hourly plan limit has its own hint."""

    def data(self, response: ApiResponse) -> Any:
        return check_success(response)

    def error(self, error: ApiError, response: httpx.Response, body: bytes) -> ApiError:
        if out_of_credits(error.message) or out_of_credits(body.decode(errors="replace")[:2000]):
            # Raised, not returned: a refusal is neither retried nor "maybe applied".
            raise OutOfCredits(
                f"Snov.io refused the request: the account ran out of credits (HTTP {response.status_code})",
                provider=LABEL,
                hint="Nothing was charged. Check snov_get_balance; the account needs more credits.",
            )
        return hourly(super().error(error, response, body))


DIALECT = SnovDialect(
    unauthorized_hint="The Snov.io credentials were refused: ask the user to check SNOV_CLIENT_ID and "
    "SNOV_CLIENT_SECRET."
)


RETIRE_AFTER = 2
"""404/410 answers in a row from one v1 method before it counts as retired: one 404 may be a proxy's or a
deploy's, and retiring on it would turn every later free lookup into a paid v2 call."""
RETIRE_FOR = 3600.0
"""Seconds a retired v1 method is left alone before it is asked again (a vendor may bring a method back)."""


@dataclass
class Retirements:
    """Which v1 methods look retired: 404/410 ``RETIRE_AFTER`` times in a row, within the last ``RETIRE_FOR``."""

    misses: dict[str, tuple[int, float]] = field(default_factory=dict[str, tuple[int, float]])

    def missed(self, path: str, now: float) -> None:
        count, _ = self.misses.get(path, (0, now))
        self.misses[path] = (count + 1, now)

    def answered(self, path: str) -> None:
        self.misses.pop(path, None)

    def retired(self, path: str, now: float) -> bool:
        count, at = self.misses.get(path, (0, 0.0))
        if count >= RETIRE_AFTER and now - at >= RETIRE_FOR:
            # Long enough ago: the next call asks v1 again, and a fresh 404 retires it at once.
            self.misses[path] = (RETIRE_AFTER - 1, at)
            return False
        return count >= RETIRE_AFTER


@dataclass
class Snov:
    api: ApiClient
    credits: Credits
    """Every paid path's afford, reserve, settle and refund (``providers.snov.credits``)."""
    read_only: bool
    v1_retired: Retirements = field(default_factory=lambda: Retirements())
    """v1 methods that answered 404/410 again and again: a tool that needs one uses its v2 replacement for a
    while; the other v1 methods stay in use (kept here until a shared state store holds it)."""
    analytics_needs_dates: bool = False
    """Campaign analytics refused empty dates once (the newer page requires them): send them from then on."""
    wait: float = 25.0
    """Seconds one call polls a job before handing back a resume handle."""
    schedule: Schedule = field(default_factory=lambda: Schedule(initial=1.0, first=1.0, factor=1.25, most=3.0))
    """At most one poll a second: Snov.io's whole budget is 60 requests a minute."""
    durations: Durations = field(default_factory=Durations)
    """Each job kind's typical duration, learned in this process: polls align on when it is usually done."""


def open_service(settings: Settings, http: httpx.AsyncClient, store: StateStore) -> Snov:
    assert settings.snov_client_id is not None and settings.snov_client_secret is not None
    account = namespace("snov", settings.snov_base_url, settings.snov_client_id.get_secret_value())
    fetch = token_fetcher(settings.snov_client_id, settings.snov_client_secret)
    budget = WindowBudget(
        settings.snov_rate_limit, settings.rate_window, provider=LABEL, store=store, key=f"{account}:rate"
    )
    api = ApiClient(
        provider=LABEL,
        base_url=settings.snov_base_url,
        auth=TokenAuth(fetch, cache=TokenCache.of(store, f"{account}:token")),
        budget=budget,
        http=http,
        dialect=DIALECT,
    )
    credits = Credits(settings.snov_max_credits, store, account, settings.snov_credit_period)
    return Snov(
        api,
        credits,
        # Spending is for read-only mode only with OUTBOUND_MCP_ALLOW_SPEND (then the spend tools are served).
        settings.outbound_mcp_read_only and not settings.outbound_mcp_allow_spend,
        wait=settings.poll_wait,
        schedule=poll_schedule(settings.poll_interval),
    )


def snov(ctx: Context) -> Snov:
    return service_of(ctx, "snov", Snov)


FLAT_POLLS = 10
"""Intervals past the expected ready moment (or the start) polled one interval apart before polls grow apart."""


def poll_schedule(every: float) -> Schedule:
    """Snov.io's job polling from ``OUTBOUND_MCP_POLL_INTERVAL``: one poll per interval while the job is likely
    to become ready (never later than plain polling), then slowly further apart (at most two intervals), so a
    long job does not spend the 60-a-minute budget."""
    return Schedule(initial=every, first=every, factor=1.2, most=2 * every, flat=FLAT_POLLS * every)


def api(ctx: Context) -> ApiClient:
    """The shared client, as the list declarations (``core.pagination.Listing``) find it."""
    return snov(ctx).api

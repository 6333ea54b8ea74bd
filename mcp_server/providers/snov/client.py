"""Snov.io service: OAuth token, 60/min budget, credit ceiling, v1 retirement memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from mcp.server.mcpserver import Context
from pydantic import SecretStr

from mcp_server.core.auth import Fetch, Token, TokenAuth
from mcp_server.core.budget import WindowBudget
from mcp_server.core.errors import ApiError, CreditLimit
from mcp_server.core.http import ApiClient, ApiResponse
from mcp_server.core.poller import Learned, Schedule
from mcp_server.core.provider import service_of
from mcp_server.settings import Settings

LABEL = "Snov.io"
TOKEN_PATH = "v1/oauth/access_token"
HOURLY_LIMIT_TEXT = "too many prospects processing"
HOURLY_HINT = (
    "Snov.io's hourly plan limit for this method is used up (by plan, 200-1000 finder requests or 500-4000 "
    "verified emails an hour): try again later (within the hour), or spread the work over hours."
)


def token_fetcher(client_id: SecretStr, client_secret: SecretStr) -> Fetch:
    """OAuth client credentials (``POST /v1/oauth/access_token``)."""

    async def fetch(client: ApiClient, deadline: float, previous: Token | None) -> Token:
        form = {
            "grant_type": "client_credentials",
            "client_id": client_id.get_secret_value(),
            "client_secret": client_secret.get_secret_value(),
        }
        # Asking for a token twice is harmless, so it may be retried like a read. Snov.io's limit is on API
        # methods (60 a minute); the token endpoint is not one, so it takes no slot from the calls.
        response = await client.request(
            "POST", TOKEN_PATH, data=form, deadline=deadline, idempotent=True, authenticated=False, budgeted=False
        )
        data = response.data if isinstance(response.data, dict) else {}
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise ApiError("the token endpoint answered without an access_token", provider=LABEL, status=200)
        return Token(token, client.clock() + float(data.get("expires_in") or 3600))

    return fetch


def check_success(response: ApiResponse) -> Any:
    """Snov.io answers some failures with 200 and ``"success": false``."""
    data = response.data
    if isinstance(data, dict) and data.get("success") is False:
        message = data.get("message") or data.get("errors") or data.get("error") or "the request failed"
        text = message if isinstance(message, str) else str(message)
        hint = HOURLY_HINT if HOURLY_LIMIT_TEXT in text.lower() else ""
        raise ApiError(f"Snov.io refused the request: {text[:500]}", provider=LABEL, status=200, hint=hint)
    return data


class SnovApi(ApiClient):
    """The shared client, plus the hourly plan limit's hint whatever status it comes with (the document gives
    its message only: a 4xx would otherwise read as a bad argument, a 429 as a one-minute wait)."""

    async def request(self, *args: Any, **kwargs: Any) -> ApiResponse:
        try:
            return await super().request(*args, **kwargs)
        except ApiError as error:
            if HOURLY_LIMIT_TEXT not in error.message.lower():
                raise
            # A plain ApiError, not RateLimited: no "retry in N s", the wait is the plan's hour.
            raise ApiError(
                error.message,
                provider=error.provider,
                hint=HOURLY_HINT,
                status=error.status,
                reason=error.reason,
                request_id=error.request_id,
            ) from None


@dataclass
class Snov:
    api: ApiClient
    max_credits: float | None
    read_only: bool
    spent: float = 0.0
    """Credits this process has committed to spend (estimated before each paid call)."""
    v1_retired: set[str] = field(default_factory=set)
    """v1 method paths that answered 404/410: a tool that needs one uses its v2 replacement for the rest of the
    process; the other v1 methods stay in use (kept here until a shared state store holds it)."""
    paid_requests: set[str] = field(default_factory=set)
    """Domain-search starts this process paid for: Snov.io charges a distinct request once."""
    analytics_needs_dates: bool = False
    """Campaign analytics refused empty dates once (the newer page requires them): send them from then on."""
    wait: float = 25.0
    """Seconds one call polls a job before handing back a resume handle."""
    schedule: Schedule = field(default_factory=lambda: Schedule(initial=1.0, first=1.0, factor=1.25, most=3.0))
    """At most one poll a second: Snov.io's whole budget is 60 requests a minute."""
    learned: dict[str, Learned] = field(default_factory=dict)
    """How long each kind of job has taken in this process, to poll when it is likely done."""

    def charge(self, credits: float, what: str) -> None:
        """Reserve ``credits`` before a paid request; refuse (nothing sent) past ``SNOV_MAX_CREDITS``."""
        if credits <= 0:
            return
        self.afford(credits, what)
        self.spent += credits

    def afford(self, credits: float, what: str) -> None:
        """Refuse a call whose worst case would pass ``SNOV_MAX_CREDITS``, before its first request."""
        if self.max_credits is not None and self.spent + credits > self.max_credits:
            left = max(0.0, self.max_credits - self.spent)
            raise CreditLimit(
                f"{what} would spend up to {credits:g} credits, but only {left:g} of this server's "
                f"SNOV_MAX_CREDITS={self.max_credits:g} remain",
                provider=LABEL,
                hint="Nothing was sent. Ask the user to raise SNOV_MAX_CREDITS or narrow the request.",
            )

    def refund(self, credits: float) -> None:
        """Give back a reservation that was not spent (nothing found, batch not sent)."""
        self.spent = max(0.0, self.spent - credits)

    def settle(self, reserved: float, actual: float) -> None:
        """Replace a reservation with what Snov.io actually charged."""
        self.spent = max(0.0, self.spent - reserved + actual)


def open_service(settings: Settings, http: httpx.AsyncClient) -> Snov:
    assert settings.snov_client_id is not None and settings.snov_client_secret is not None
    api = SnovApi(
        provider=LABEL,
        base_url=settings.snov_base_url,
        auth=TokenAuth(token_fetcher(settings.snov_client_id, settings.snov_client_secret)),
        budget=WindowBudget(settings.snov_rate_limit, settings.rate_window, provider=LABEL),
        http=http,
        unauthorized_hint="The Snov.io credentials were refused: ask the user to check SNOV_CLIENT_ID and "
        "SNOV_CLIENT_SECRET.",
        check=check_success,
    )
    every = settings.poll_interval
    schedule = Schedule(initial=every, first=every, factor=1.2, most=2 * every)
    return Snov(
        api, settings.snov_max_credits, settings.outbound_mcp_read_only, wait=settings.poll_wait, schedule=schedule
    )


def snov(ctx: Context) -> Snov:
    return service_of(ctx, "snov", Snov)

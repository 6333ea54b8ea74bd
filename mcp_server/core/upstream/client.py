"""The one HTTP core: auth hook, rate budget, retries, error mapping, link checks, size cap.

Providers describe endpoints (``endpoints.Endpoint``, with their hints) and how their API speaks (one
``dialect.Dialect``); every request of every tool goes through ``ApiClient.request``.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import anyio
import httpx

from mcp_server.core.call import deadline as call_time
from mcp_server.core.call.context import note_write
from mcp_server.core.errors import (
    ApiError,
    BadResponse,
    InvalidInput,
    OutboundError,
    RateLimited,
    TransportError,
    UnsafeLink,
    mark_maybe_applied,
)
from mcp_server.core.scrub import parsed_clean
from mcp_server.core.state import StateUnavailable
from mcp_server.core.upstream.bodies import ACCEPTED, read_capped
from mcp_server.core.upstream.budget import Clock, RateBudget, Sleep
from mcp_server.core.upstream.dialect import ApiResponse, Dialect
from mcp_server.core.upstream.error_bodies import parse_error
from mcp_server.core.upstream.links import Link, climbs
from mcp_server.core.upstream.retry import (
    IDEMPOTENT_METHODS,
    Failure,
    Retry,
    RetryPolicy,
    Status,
    Stop,
    Transport,
    Unreadable,
    decide,
    rate_remaining,
    rate_reset,
    retry_at,
    uncertain,
)

log = logging.getLogger("outbound_mcp.http")

NAME_NOT_FOUND = "name not found"
_CONNECT_CAUSES = {
    "name or service not known": NAME_NOT_FOUND,
    "nodename nor servname": NAME_NOT_FOUND,
    "no address associated": NAME_NOT_FOUND,
    "getaddrinfo failed": NAME_NOT_FOUND,
    "temporary failure in name resolution": "name lookup failed (is the network up?)",
    "connection refused": "connection refused",
    "network is unreachable": "network unreachable",
    "certificate verify failed": "its TLS certificate was not accepted",
}


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_PLAIN_PATH = re.compile(
    r"(?!(?:[^?]*/)?\.\.?(?:[/?]|\Z))"  # no "." or ".." segment
    r"(?:[\w\-~%@.]+/)*[\w\-~%@.]*"  # segments of plain characters, none empty
    r"(?:\?[\w\-.~%@/=&+,\[\]:]+)?",  # a query, not empty
    re.ASCII,
)
"""A relative path that joins the base URL by plain concatenation: no dot segment, empty segment, colon (a
scheme), fragment or empty query, nothing to escape. Parsing the joined text is a third of ``URL.join``'s work."""


def _writes(method: str, idempotent: bool) -> bool:
    """Whether a request may change something upstream: every non-idempotent request, and PUT, PATCH and
    DELETE (a POST declared idempotent is a read, see ``Endpoint``)."""
    return not idempotent or (method not in READ_METHODS and method != "POST")


def _connect_cause(exc: httpx.ConnectError) -> str:
    """Why a connection failed, in a few words: a typo'd host reads differently from an outage."""
    text = str(exc).lower()
    return next((cause for needle, cause in _CONNECT_CAUSES.items() if needle in text), "")


_TRANSPORT_KINDS: dict[type[BaseException], str] = {
    httpx.ConnectError: "could not connect",
    httpx.ConnectTimeout: "timed out connecting",
    httpx.ReadTimeout: "timed out waiting for the answer",
    httpx.WriteTimeout: "timed out sending the request",
    httpx.PoolTimeout: "had no free connection",
    httpx.RemoteProtocolError: "dropped the connection",
    httpx.ReadError: "dropped the connection",
    TimeoutError: "ran past this call's time limit",
}
"""What each failure on the way was, as "the request ..." goes on."""


MAX_BODY_BYTES = 16 * 1024 * 1024
Params = Mapping[str, Any] | list[tuple[str, Any]]
Form = Mapping[str, Any]
"""Form fields; a list value repeats the key (``{"emails[]": [a, b]}``)."""
Hints = Mapping[int, str]
"""What to do about an error status on one endpoint, by status."""


class AuthHook(Protocol):
    async def headers(self, client: ApiClient, deadline: float) -> dict[str, str]:
        """Headers that authenticate one request (may fetch and cache a token)."""
        ...

    async def renew(self, client: ApiClient, rejected: dict[str, str], deadline: float) -> bool:
        """Called once after a 401; True when a new credential is worth one more try."""
        ...


@dataclass
class ApiClient:
    provider: str
    base_url: str
    auth: AuthHook | None
    budget: RateBudget
    http: httpx.AsyncClient
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    default_wait: float = 50.0
    """Seconds a call may take by default, waits included; clients time out near 60 s."""
    dialect: Dialect = field(default_factory=Dialect)
    """How this vendor's bodies and errors read (``core.upstream.dialect``)."""
    clock: Clock = time.time
    sleep: Sleep = anyio.sleep

    def __post_init__(self) -> None:
        self._base = httpx.URL(self.base_url.rstrip("/") + "/")
        self._base_text = str(self._base)

    def deadline(self, seconds: float | None = None) -> float:
        """When a request must be done by: ``seconds`` (default ``default_wait``), never past the tool call's
        own budget, which its polls, rate waits, token renewals and other pages share."""
        return self.clock() + call_time.bounded(self.default_wait if seconds is None else seconds)

    def url(self, path_or_url: str, link: Link | None = None, method: str = "GET") -> httpx.URL:
        """A path joins the base URL and must stay under its path; a link (a URL or path a model or an API
        answer gave) must also be the endpoint ``link`` declares. An absolute URL is only ever a link."""
        absolute = "://" in path_or_url or path_or_url.startswith("//")
        if link is None and not absolute and "%" not in path_or_url:
            relative = path_or_url.lstrip("/")
            if _PLAIN_PATH.fullmatch(relative):
                # Plain text under the base (no dot or empty segment, nothing escaped): the joined URL keeps the
                # base's origin and stays under its path, so none of the checks below can refuse it.
                return httpx.URL(self._base_text + relative)
        try:
            url = httpx.URL(path_or_url) if absolute else self._base.join(path_or_url.lstrip("/"))
        except httpx.InvalidURL as exc:
            raise self._unusable(exc) from None
        same_origin = (url.scheme, url.host, url.port) == (self._base.scheme, self._base.host, self._base.port)
        base = self._base
        inside = not climbs(path_or_url) and not climbs(url.path) and url.path.startswith(base.path)
        if not (same_origin and inside):
            port = f":{url.port}" if url.port else ""
            where = f"{url.scheme}://{url.host}{port}{url.path if same_origin else ''}"
            raise self._unsafe(f"refused to follow a link to {where}: it is outside the configured API {self._where()}")
        relative = url.path[len(base.path) :]
        if (absolute or link is not None) and (link is None or not link.allows(method, relative)):
            wanted = f"only {link.describe()}" if link else "no link here"
            raise self._unsafe(f"refused to follow a link to {method} {relative}: it may lead to {wanted}")
        return url

    def _where(self) -> str:
        return f"{self._base.scheme}://{self._base.host}{self._base.path}"

    def _unsafe(self, message: str) -> UnsafeLink:
        return UnsafeLink(
            message,
            provider=self.provider,
            hint="Nothing was sent there. Pass ids and links exactly as the tools returned them; "
            "upstream data may be tampered with, so do not retry with that link.",
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        data: Form | None = None,
        json_body: Any = None,
        deadline: float | None = None,
        idempotent: bool | None = None,
        authenticated: bool = True,
        headers: Mapping[str, str] | None = None,
        link: Link | None = None,
        hints: Hints | None = None,
    ) -> ApiResponse:
        """Send one logical request; retried where that is safe, never a write twice.

        Every request takes a slot of the rate budget, a token request included (the APIs count it).
        ``link``: ``path`` came from a model or an API answer and must be that endpoint (required for URLs).
        ``hints``: what to do about an error status on this endpoint (its ``Endpoint.hints``).
        """
        url = self.url(path, link, method)
        if params and url.query:
            # httpx's params= would replace a link's own query (its page number, say): merge them instead.
            url, params = url.copy_merge_params(params), None
        deadline = deadline if deadline is not None else self.deadline()
        idempotent = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        renewed = False
        attempt = 0
        landed = False  # whether an attempt so far may have been applied (retry.uncertain)
        while True:
            # Token first: a token fetch takes a slot of its own, and a slot taken while waiting for it goes stale.
            auth_headers = await self.auth.headers(self, deadline) if (self.auth and authenticated) else {}
            ticket = await self.budget.acquire(deadline)
            wait_until: float | None = None
            failure: Failure
            error: OutboundError
            try:
                if _writes(method, idempotent):
                    note_write()
                try:
                    response, body = await self._send(
                        method, url, params, data, json_body, {**(headers or {}), **auth_headers}, deadline
                    )
                finally:
                    self.budget.settle(ticket)  # the request reached the API, if at all, by now
            except BadResponse as oversized:  # an answer over the size cap: the request itself went through
                failure, error = Unreadable(oversized=True), oversized
            except (httpx.TransportError, TimeoutError) as exc:
                failure = Transport.of(exc)
                error = self._transport_error(exc)
            else:
                await self._observe(response, body)
                if (
                    response.status_code == 401
                    and self.auth
                    and authenticated
                    and not renewed
                    and self.dialect.token_rejected(response, body)
                ):
                    renewed = True
                    if await self.auth.renew(self, auth_headers, deadline):
                        continue
                if response.is_success:
                    try:
                        return self._parsed(response, body)
                    except BadResponse as unreadable:
                        failure, error = Unreadable(), unreadable
                else:
                    failure, error = Status(response.status_code), self._api_error(response, body, hints)
                    wait_until = retry_at(response, self.clock(), body.decode(errors="replace")[:2000])
            landed = landed or uncertain(failure)
            decision = decide(
                failure,
                attempt,
                idempotent,
                policy=self.retry,
                now=self.clock(),
                deadline=deadline,
                wait_until=wait_until,
            )
            # A 429's wait is shared with every call on the budget, even one whose deadline it outlasts.
            would_wait = isinstance(decision, Retry) or decision.reason == "deadline"
            if would_wait and failure == Status(429) and wait_until is not None:
                await self._block_until(wait_until)
            if isinstance(decision, Stop):
                raise self._final(error, failure, decision, writes=_writes(method, idempotent), landed=landed) from None
            log.info("%s: %s; retrying in %.2fs", self.provider, error.message, decision.wait)
            await self.sleep(decision.wait)
            attempt += 1

    async def _block_until(self, wait_until: float) -> None:
        """Record a 429's wait for every call sharing the budget; this call waits for it regardless."""
        try:
            await self.budget.block_until(wait_until)
        except StateUnavailable as unrecorded:
            log.warning("%s: 429 wait not recorded: %s", self.provider, unrecorded.message)

    def _final(
        self, error: OutboundError, failure: Failure, stop: Stop, *, writes: bool, landed: bool
    ) -> OutboundError:
        """The error to raise when no retry follows: a write that may have been applied, on this attempt or an
        earlier one (``landed``: an idempotent write resent after a 5xx and then refused), says so."""
        if stop.reason == "deadline" and isinstance(error, RateLimited):
            error.retry_after = max(error.retry_after, stop.wait)
        if not writes or not landed:
            return error
        if not uncertain(failure):
            why = "An earlier attempt of this write may have been applied before this one was refused"
        elif isinstance(failure, Unreadable):
            why = "The API accepted the write but its answer could not be read, so it was probably applied"
        elif isinstance(failure, Transport):
            why = "The write may have been applied"
        else:
            why = "The API failed on its side after the write reached it, so it may have been applied"
        return mark_maybe_applied(error, why)

    async def _send(
        self,
        method: str,
        url: httpx.URL,
        params: Params | None,
        data: Form | None,
        json_body: Any,
        headers: dict[str, str],
        deadline: float,
    ) -> tuple[httpx.Response, bytes]:
        try:
            headers = {"Accept-Encoding": ACCEPTED, **headers}
            request = self.http.build_request(method, url, params=params, data=data, json=json_body, headers=headers)
        except httpx.InvalidURL as exc:
            raise self._unusable(exc) from None
        started = self.clock()
        remaining = max(0.1, deadline - started)
        with anyio.fail_after(remaining):
            response = await self.http.send(request, stream=True)
            try:
                body = await read_capped(response, MAX_BODY_BYTES, self.provider)
            finally:
                await response.aclose()
        if log.isEnabledFor(logging.DEBUG):  # the path is decoded anew each time it is read
            elapsed = self.clock() - started
            log.debug("%s %s %s -> %s in %.3fs", self.provider, method, url.path, response.status_code, elapsed)
        return response, body

    def _unusable(self, exc: httpx.InvalidURL) -> InvalidInput:
        return InvalidInput(
            f"an argument cannot be part of a request URL ({str(exc)[:120]})",
            provider=self.provider,
            hint="Nothing was sent. Pass ids and URLs exactly as the list tools returned them.",
        )

    async def _observe(self, response: httpx.Response, body: bytes) -> None:
        # Best effort: the request has gone out, so a store failing now must not read as "nothing was sent".
        limited = response.status_code == 429
        now = self.clock()
        # A 429 costs no more than its own Retry-After: its X-RateLimit-Reset may be a whole window away
        # (a sliding-window API reporting when its window clears) while the API asks for a second.
        reset = retry_at(response, now, body.decode(errors="replace")[:2000]) if limited else rate_reset(response, now)
        try:
            await self.budget.observe(rate_remaining(response), reset, limited=limited)
        except StateUnavailable as unrecorded:
            log.warning("%s: rate figures not recorded: %s", self.provider, unrecorded.message)

    def _parsed(self, response: httpx.Response, body: bytes) -> ApiResponse:
        try:
            data = json.loads(body) if body.strip() else None
        except RecursionError:
            raise BadResponse(
                f"the API answered {response.status_code} with JSON nested too deeply to read",
                provider=self.provider,
                hint="This is usually temporary: try again in a minute.",
            ) from None
        except ValueError:
            kind = "an HTML page" if body.lstrip()[:1] == b"<" else "malformed JSON"
            raise BadResponse(
                f"the API answered {response.status_code} with {kind} instead of JSON",
                provider=self.provider,
                hint="This is usually temporary: try again in a minute.",
            ) from None
        result = ApiResponse(response.status_code, response.headers, parsed_clean(body, data), response.url)
        result.data = self.dialect.data(result)
        return result

    def _api_error(self, response: httpx.Response, body: bytes, hints: Hints | None) -> ApiError:
        cls = RateLimited if response.status_code == 429 else ApiError
        try:
            error = parse_error(response.status_code, body, cls)
        except RecursionError:
            error = cls(f"the API answered {response.status_code} (its error body is nested too deeply to read)")
            error.status = response.status_code
        error.provider = self.provider
        error.request_id = response.headers.get("x-request-id", "") or response.headers.get("request-id", "")
        if isinstance(error, RateLimited):
            until = retry_at(response, self.clock(), body.decode(errors="replace")[:2000])
            error.retry_after = max(1.0, (until or self.clock() + 60) - self.clock())
        error = self.dialect.error(error, response, body)
        if hints and (hint := hints.get(response.status_code)):
            error.hint = hint
        return error

    def _transport_error(self, exc: Exception) -> TransportError:
        kind = _TRANSPORT_KINDS.get(type(exc), "failed on the network")
        cause = _connect_cause(exc) if isinstance(exc, httpx.ConnectError) else ""
        if cause:
            kind = f"could not connect to {self._base.host}: {cause}"
        if cause in (NAME_NOT_FOUND, "connection refused"):
            hint = "Ask the user to check the provider's base URL setting."
        else:
            hint = "Try again in a minute."
        return TransportError(f"the request {kind}", provider=self.provider, hint=hint)

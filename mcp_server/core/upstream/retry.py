"""When a request may be sent again, and how long to wait first."""

from __future__ import annotations

import email.utils
import math
import random
import re
import time
from dataclasses import dataclass
from typing import Literal

import httpx

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Errors raised before a byte of the request left: safe to resend even a POST.
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_RESET_IN_MESSAGE = re.compile(r"reset(?:ed)? at (\d{9,11})")
MAX_WAIT = 86_400.0
"""Seconds past which an API's "wait until" is malformed (``inf``, ``1e12``, a date in year 9999), not a
rate limit: it is ignored and the call falls back to the provider's own window."""
EPOCH_MS = 1e11
"""An ``X-RateLimit-Reset`` this large is epoch milliseconds (epoch seconds pass it in the year 5138)."""
EPOCH_S = 1e9
"""Below this an ``X-RateLimit-Reset`` is seconds from now, not an epoch (which passed 1e9 in 2001)."""


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0

    def backoff(self, attempt: int) -> float:
        """Capped exponential backoff with full jitter; ``attempt`` counts from 0."""
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        return random.uniform(ceiling / 2, ceiling)


def retry_at(response: httpx.Response, now: float, body_text: str = "") -> float | None:
    """Epoch seconds the API asks us to wait until: ``Retry-After``, ``X-RateLimit-Reset`` or the body.

    None when none says, or when what it says is absurd (see ``MAX_WAIT``)."""
    header = response.headers.get("retry-after")
    if header:
        header = header.strip()
        try:
            return _sane(now + max(0.0, float(header)), now)
        except ValueError:
            try:
                return _sane(email.utils.parsedate_to_datetime(header).timestamp(), now)
            except (TypeError, ValueError, OverflowError):
                pass
    reset = rate_reset(response, now)
    if reset is not None:
        return reset
    match = _RESET_IN_MESSAGE.search(body_text)
    return _sane(float(match.group(1)), now) if match else None


def rate_reset(response: httpx.Response, now: float | None = None) -> float | None:
    """``X-RateLimit-Reset`` as epoch seconds (sent as epoch seconds, epoch milliseconds or seconds from now)."""
    value = response.headers.get("x-ratelimit-reset")
    try:
        reset = float(value) if value else None
    except ValueError:
        return None
    if reset is None or not math.isfinite(reset) or reset < 0:
        return None
    now = time.time() if now is None else now
    if reset >= EPOCH_MS:
        reset /= 1000
    elif reset < EPOCH_S:
        reset += now
    return _sane(reset, now)


def _sane(at: float, now: float) -> float | None:
    return at if math.isfinite(at) and at - now <= MAX_WAIT else None


def rate_remaining(response: httpx.Response) -> int | None:
    value = response.headers.get("x-ratelimit-remaining")
    try:
        remaining = float(value) if value else None
    except ValueError:
        return None
    return int(remaining) if remaining is not None and math.isfinite(remaining) else None


@dataclass(frozen=True)
class Transport:
    """The request failed on the way: ``sent`` when bytes of it may have left (not a connect failure);
    ``timed_out`` when the call's own time limit ran out (not httpx's per-request timeouts)."""

    sent: bool
    timed_out: bool = False

    @classmethod
    def of(cls, exc: BaseException) -> Transport:
        return cls(sent=not isinstance(exc, NOT_SENT_ERRORS), timed_out=isinstance(exc, TimeoutError))


@dataclass(frozen=True)
class Unreadable:
    """A 2xx answer whose body could not be read; ``oversized``: over the size cap (never read again)."""

    oversized: bool = False


@dataclass(frozen=True)
class Status:
    """The API answered this error status."""

    code: int


Failure = Transport | Unreadable | Status


@dataclass(frozen=True)
class Retry:
    wait: float
    """Seconds to sleep before the next attempt."""


@dataclass(frozen=True)
class Stop:
    reason: Literal["final", "cap", "deadline"]
    """``final``: resending could repeat a write or cannot help; ``cap``: out of retries; ``deadline``: the
    wait would end past the call's deadline."""
    wait: float = 0.0
    """For ``deadline``: the wait that did not fit."""


Decision = Retry | Stop


def uncertain(failure: Failure) -> bool:
    """The one rule for "may have been applied": the request may have reached the API and its outcome is
    unknown. Bytes of it left and no answer came (a reset, a timeout after sending), its 2xx answer could
    not be read, or the API failed on its side (any 5xx: a proxy's HTML 500 or 504 can come after the API
    applied the write). The retry decision below and the replay guard (via the error's ``maybe_applied``,
    set by ``ApiClient``) both read it: such a write is never sent again unasked."""
    if isinstance(failure, Transport):
        return failure.sent
    if isinstance(failure, Unreadable):
        return True
    return failure.code >= 500


def _resendable(failure: Failure, idempotent: bool) -> bool:
    if not idempotent and uncertain(failure):
        return False
    if isinstance(failure, Transport):
        return not failure.timed_out  # no time is left after the call's own limit
    if isinstance(failure, Unreadable):
        return not failure.oversized
    # A 429 was refused before any work, so even a write goes again.
    return failure.code in RETRY_STATUSES and (idempotent or failure.code == 429)


def decide(
    failure: Failure,
    attempt: int,
    idempotent: bool,
    *,
    policy: RetryPolicy,
    now: float,
    deadline: float,
    wait_until: float | None = None,
) -> Decision:
    """Whether to send again after ``failure`` on ``attempt`` (from 0), and after how long.

    The wait is the jittered backoff, or the API's ``wait_until`` (epoch seconds) when later; it must end
    by ``deadline``."""
    if not _resendable(failure, idempotent):
        return Stop("final")
    if attempt >= policy.max_retries:
        return Stop("cap")
    wait = max(policy.backoff(attempt), (wait_until - now) if wait_until is not None else 0.0)
    if now + wait > deadline:
        return Stop("deadline", wait)
    return Retry(wait)

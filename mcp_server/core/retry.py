"""When a request may be sent again, and how long to wait first."""

from __future__ import annotations

import email.utils
import random
import re
from dataclasses import dataclass

import httpx

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Errors raised before a byte of the request left: safe to resend even a POST.
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_RESET_IN_MESSAGE = re.compile(r"reset(?:ed)? at (\d{9,11})")


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
    """Epoch seconds the API asks us to wait until: ``Retry-After``, ``X-RateLimit-Reset`` or the body."""
    header = response.headers.get("retry-after")
    if header:
        header = header.strip()
        try:
            return now + max(0.0, float(header))
        except ValueError:
            try:
                return email.utils.parsedate_to_datetime(header).timestamp()
            except (TypeError, ValueError):
                pass
    reset = rate_reset(response)
    if reset is not None:
        return reset
    match = _RESET_IN_MESSAGE.search(body_text)
    return float(match.group(1)) if match else None


def rate_reset(response: httpx.Response) -> float | None:
    value = response.headers.get("x-ratelimit-reset")
    try:
        return float(value) if value else None
    except ValueError:
        return None


def rate_remaining(response: httpx.Response) -> int | None:
    value = response.headers.get("x-ratelimit-remaining")
    try:
        return int(float(value)) if value else None
    except ValueError:
        return None

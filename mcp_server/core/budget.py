"""Rate budget: calls wait for room in the provider's window instead of meeting a 429.

``RateBudget`` is the small interface the HTTP core uses; ``WindowBudget`` keeps the state in
this process. A store shared by several processes can implement the same four methods.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

import anyio

from mcp_server.core.errors import RateLimited

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class RateBudget(Protocol):
    async def acquire(self, deadline: float) -> None:
        """Wait for room for one request; raise ``RateLimited`` if none comes before ``deadline``."""
        ...

    def observe(self, remaining: int | None, reset_at: float | None) -> None:
        """Correct the budget with what the API reported (``X-RateLimit-*``)."""
        ...

    def block_until(self, reset_at: float) -> None:
        """After a 429: send nothing before ``reset_at``."""
        ...

    def wait_hint(self) -> float:
        """Seconds until the next request could go, for error messages."""
        ...


class WindowBudget:
    """``limit`` requests per ``window`` seconds (sliding), corrected by the API's own counters.

    Once the API reports ``X-RateLimit-Remaining``/``-Reset``, a request goes only while both the API's
    figures and the local window have room; when the API reports none it waits for the reset.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        provider: str = "",
        clock: Clock = time.time,
        sleep: Sleep = anyio.sleep,
    ) -> None:
        self.limit = limit
        self.window = window
        self.provider = provider
        self.clock = clock
        self.sleep = sleep
        # A request counted here may reach the API a moment later than we stamp it.
        self.margin = min(0.25, window * 0.02)
        self._sent: deque[float] = deque()
        self._remaining: int | None = None
        self._reset_at: float | None = None
        self._blocked_until = 0.0
        self._lock = anyio.Lock()

    def _next_slot(self, now: float) -> float:
        """The earliest time one more request may be sent (``now`` if it may go now)."""
        while self._sent and self._sent[0] <= now - self.window:
            self._sent.popleft()
        if self._reset_at is not None and now >= self._reset_at + self.margin:
            self._remaining, self._reset_at = None, None
        at = max(now, self._blocked_until)
        # Both must have room: the API's figures lag the requests still in flight, our window its resets.
        if self._remaining is not None and self._reset_at is not None and self._remaining <= 0:
            at = max(at, self._reset_at + self.margin)
        if len(self._sent) < self.limit:
            return at
        return max(at, self._sent[len(self._sent) - self.limit] + self.window + self.margin)

    async def acquire(self, deadline: float) -> None:
        with anyio.move_on_after(max(0.0, deadline - self.clock())):
            async with self._lock:
                while True:
                    now = self.clock()
                    slot = self._next_slot(now)
                    if slot <= now:
                        self._sent.append(now)
                        if self._remaining is not None:
                            self._remaining -= 1
                        return
                    if slot > deadline:
                        raise self._limited(slot - now)
                    await self.sleep(slot - now)
        raise self._limited(self.wait_hint())

    def _limited(self, wait: float) -> RateLimited:
        return RateLimited(
            "rate limit reached: no request budget left within this call's time",
            provider=self.provider,
            status=429,
            retry_after=wait,
            hint="Nothing was sent.",
        )

    def observe(self, remaining: int | None, reset_at: float | None) -> None:
        if remaining is None or reset_at is None:
            return
        if self._reset_at is None or reset_at > self._reset_at + 0.001:
            # A new window on the API's side: its count replaces ours.
            self._remaining, self._reset_at = remaining, reset_at
        elif self._remaining is None or remaining < self._remaining:
            self._remaining = remaining

    def block_until(self, reset_at: float) -> None:
        self._blocked_until = max(self._blocked_until, reset_at)

    def wait_hint(self) -> float:
        now = self.clock()
        return max(0.0, self._next_slot(now) - now)

"""Rate budget: calls wait for room in the provider's window instead of meeting a 429.

``RateBudget`` is the small interface the HTTP core uses; ``WindowBudget`` keeps its state in the server's
state store, so every process (and machine) on one store and one API key shares one budget.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

import anyio

from mcp_server.core.errors import RateLimited
from mcp_server.core.state import RateRule, StateStore, StateUnavailable
from mcp_server.core.state.memory import MemoryStore

Clock = Callable[[], float]
MARGIN_SHARE = 0.1
"""The most of each window the margin for late arrivals may take."""
Sleep = Callable[[float], Awaitable[None]]


class RateBudget(Protocol):
    async def acquire(self, deadline: float) -> None:
        """Wait for room for one request; raise ``RateLimited`` if none comes before ``deadline``."""
        ...

    async def observe(self, remaining: int | None, reset_at: float | None, limited: bool = False) -> None:
        """Correct the budget with what the API reported (``X-RateLimit-*``); ``limited``: on a 429."""
        ...

    async def block_until(self, reset_at: float) -> None:
        """After a 429: send nothing before ``reset_at`` (the latest 429's wait replaces any earlier one)."""
        ...

    def wait_hint(self) -> float:
        """Seconds until the next request could go (as last seen), for error messages."""
        ...


class WindowBudget:
    """``limit`` requests per ``window`` seconds (sliding), corrected by the API's own counters.

    Once the API reports ``X-RateLimit-Remaining``/``-Reset``, the requests it counted beyond ours (another
    client on the key) hold back their share of the window until its reset; our own free a slot as each
    leaves the window, whatever the API's reset says (a sliding-window API may report when its whole window
    clears). A slot is taken in the store atomically with its check: no request goes without one.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        provider: str = "",
        clock: Clock = time.time,
        sleep: Sleep = anyio.sleep,
        store: StateStore | None = None,
        key: str = "budget",
    ) -> None:
        self.limit = limit
        self.window = window
        self.provider = provider
        self.clock = clock
        self.sleep = sleep
        self.base_margin = min(0.25, window * 0.02)
        self._stamps: deque[float] = deque(maxlen=max(1, limit))
        """When this process's requests in flight took their slots, oldest first (answers come mostly in order)."""
        self._latencies: deque[tuple[float, float]] = deque()
        """(when answered, seconds from slot to answer), falling from the front: the front is the longest of
        the last two windows. It bounds how late the requests now in the window reached the API."""
        self.store: StateStore = store if store is not None else MemoryStore(clock)
        self.key = key
        self._next = 0.0
        self._seen: tuple[int, float] | None = None
        """The API's remaining and reset as the store held them when this process last took a slot."""
        # Calls of this process queue here (first come, first served); the store arbitrates between processes.
        self._lock = anyio.Lock()
        self._in_store = False
        """Whether the call taking a slot waits on the store now (those queued behind it wait on it too)."""

    @property
    def margin(self) -> float:
        """How much later than its slot a request may reach the API: a window counts from the arrivals, so
        a slot frees only this long after our request leaves it. The recent slot-to-answer time bounds it
        (on a loaded machine or a slow link far past the fixed margin), capped to a share of the window."""
        while self._latencies and self._latencies[0][0] < self.clock() - 2 * self.window:
            self._latencies.popleft()
        longest = self._latencies[0][1] if self._latencies else 0.0
        return min(max(self.base_margin, longest), self.window * MARGIN_SHARE)

    @property
    def rule(self) -> RateRule:
        return RateRule(self.limit, self.window, self.margin)

    async def acquire(self, deadline: float) -> None:
        with anyio.move_on_after(max(0.0, deadline - self.clock())):
            async with self._lock:
                while True:
                    now = self.clock()
                    self._in_store = True
                    got = await self.store.rate_slot(self.key, now, self.rule, take=True)
                    self._in_store = False
                    slot = self._next = got.at
                    if slot <= now:
                        self._stamps.append(now)
                        known = got.remaining is not None and got.reset_at is not None
                        self._seen = (got.remaining or 0, got.reset_at or 0.0) if known else None
                        return
                    if slot > deadline:
                        raise self._limited(slot - now)
                    await self.sleep(slot - now)
        if self._in_store:  # the time ran out waiting on the store (another process holds it), not the API
            raise StateUnavailable(
                "the state store did not answer within this call's time (it is busy or locked by another process)",
                provider=self.provider,
                hint="Nothing was sent. Try again in a moment.",
            )
        raise self._limited(self.wait_hint())

    def _limited(self, wait: float) -> RateLimited:
        return RateLimited(
            "rate limit reached: no request budget left within this call's time",
            provider=self.provider,
            status=429,
            retry_after=wait,
            hint="Nothing was sent.",
        )

    def _capped(self, reset_at: float) -> float:
        """One answer's "wait until" bounded by the provider's own window (``OUTBOUND_MCP_RATE_WINDOW``, as its
        document states it): a ``Retry-After: 86400`` must not lock every process on the store out for a day;
        if the API still refuses after a window, its next 429 blocks for one more."""
        return min(reset_at, self.clock() + self.window + self.margin)

    async def observe(self, remaining: int | None, reset_at: float | None, limited: bool = False) -> None:
        self._answered()
        reset_at = None if reset_at is None else self._capped(reset_at)
        if not limited and (remaining is None or reset_at is None or self._unchanged(remaining, reset_at)):
            return  # nothing to correct: spare the store a round trip
        await self.store.rate_observe(self.key, self.clock(), self.rule, remaining, reset_at, limited)

    def _answered(self) -> None:
        """An answer came: how long since the oldest slot still in flight was taken (every answer is observed)."""
        if not self._stamps:
            return
        now = self.clock()
        took = now - self._stamps.popleft()
        if took > self.window:  # a request that failed on the way (no answer observed), not a latency
            return
        while self._latencies and self._latencies[-1][1] <= took:
            self._latencies.pop()  # answered earlier and sooner: never the longest again
        self._latencies.append((now, took))

    def _unchanged(self, remaining: int, reset_at: float) -> bool:
        """The API's figures would change nothing: the same window as stored when our slot was taken, and
        no fewer left than the store counted then (the stored count only falls within a window)."""
        if self._seen is None:
            return False
        seen_remaining, seen_reset = self._seen
        return reset_at <= seen_reset + 0.001 and remaining >= seen_remaining

    async def block_until(self, reset_at: float) -> None:
        reset_at = self._capped(reset_at)
        self._next = reset_at
        await self.store.rate_block(self.key, self.clock(), self.rule, reset_at)

    async def slot(self) -> float:
        """The earliest time the next request could go, read from the store (nothing taken)."""
        self._next = (await self.store.rate_slot(self.key, self.clock(), self.rule, take=False)).at
        return self._next

    def wait_hint(self) -> float:
        return max(0.0, self._next - self.clock())

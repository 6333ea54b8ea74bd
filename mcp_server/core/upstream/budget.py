"""Rate budget: calls wait for room in the provider's window instead of meeting a 429.

``RateBudget`` is the small interface the HTTP core uses; ``WindowBudget`` keeps its state in the server's
state store, so every process (and machine) on one store and one API key shares one budget.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from itertools import count
from typing import Protocol

import anyio

from mcp_server.core.errors import RateLimited
from mcp_server.core.state import RateRule, StateStore, StateUnavailable
from mcp_server.core.state.memory import MemoryStore

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
LEASE_SLACK = 1.0
"""Seconds past its call's deadline a request given up on may still reach the API (bytes already on their way)."""


class RateBudget(Protocol):
    async def acquire(self, deadline: float) -> str:
        """Wait for room for one request; raise ``RateLimited`` if none comes before ``deadline``. Answers the
        slot's ticket, for ``settle``."""
        ...

    def settle(self, ticket: str) -> None:
        """The request of ``ticket`` was answered (or given up on): it reached the API, if at all, by now."""
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

    A window counts arrivals, and a loaded machine may send a request well after its slot was given. So a
    slot is held until its request is answered, and then counts as taken when the answer came (the request
    arrived before it): it frees one window after that, however late the request left, with no margin to
    guess. The answers ride to the store on this process's next trip (the next slot or the API's figures):
    one store trip per call, as before. A call waiting on a slot another process has not reported yet
    looks again shortly (a waiting call's trips cost nothing that matters).

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
        self.margin = min(0.25, window * 0.02)
        """How long after the API's reported reset its window is taken as over (its clock is not ours)."""
        self.store: StateStore = store if store is not None else MemoryStore(clock)
        self.key = key
        self._next = 0.0
        self._seen: tuple[int, float] | None = None
        """The API's remaining and reset as the store held them when this process last took a slot."""
        self._tickets = count()
        self._process = secrets.token_hex(4)
        self._answered: list[tuple[str, float]] = []
        """Tickets answered since this process last went to the store, and when: sent on its next trip."""
        self._waited = 0.0
        """Until when this process last had to wait for a slot (the budget was full)."""
        # Calls of this process queue here (first come, first served); the store arbitrates between processes.
        self._lock = anyio.Lock()
        self._in_store = False
        """Whether the call taking a slot waits on the store now (those queued behind it wait on it too)."""

    @property
    def rule(self) -> RateRule:
        return RateRule(self.limit, self.window, self.margin)

    def _reports(self) -> list[tuple[str, float]]:
        reports, self._answered = self._answered, []
        return reports

    def _undelivered(self, reports: list[tuple[str, float]], delivered: bool) -> None:
        """A trip that failed or was cancelled: its answers go with the next one."""
        if not delivered:
            self._answered[:0] = reports

    async def acquire(self, deadline: float) -> str:
        number = next(self._tickets)
        with anyio.move_on_after(max(0.0, deadline - self.clock())):
            async with self._lock:
                while True:
                    now = self.clock()
                    ticket = f"{self._process}:{number}@{now!r}"  # the store reads when the slot was given
                    lease = (ticket, deadline + LEASE_SLACK)
                    self._in_store = True
                    reports, delivered = self._reports(), False
                    try:
                        got = await self.store.rate_slot(self.key, now, self.rule, True, lease, reports)
                        delivered = True
                    finally:
                        self._in_store = False
                        self._undelivered(reports, delivered)
                    slot = self._next = got.at
                    if slot <= now:
                        known = got.remaining is not None and got.reset_at is not None
                        self._seen = (got.remaining or 0, got.reset_at or 0.0) if known else None
                        return ticket
                    if slot > deadline:
                        raise self._limited(slot - now)
                    self._waited = slot
                    await self.sleep(slot - now)
        if self._in_store:  # the time ran out waiting on the store (another process holds it), not the API
            raise StateUnavailable(
                "the state store did not answer within this call's time (it is busy or locked by another process)",
                provider=self.provider,
                hint="Nothing was sent. Try again in a moment.",
            )
        raise self._limited(self.wait_hint())

    def settle(self, ticket: str) -> None:
        self._answered.append((ticket, self.clock()))

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
        reset_at = None if reset_at is None else self._capped(reset_at)
        unchanged = remaining is None or reset_at is None or self._unchanged(remaining, reset_at)
        if not limited and unchanged and not self._idle_while_contended():
            return  # nothing to correct: spare the store a round trip (the answers go with the next slot)
        reports, delivered = self._reports(), False
        try:
            await self.store.rate_observe(self.key, self.clock(), self.rule, remaining, reset_at, limited, reports)
            delivered = True
        finally:
            self._undelivered(reports, delivered)

    def _idle_while_contended(self) -> bool:
        """Answers no next slot of this process will carry soon (no call of it waits for one) while the budget
        was full within the last window: the other processes waiting on it should see them now."""
        idle = bool(self._answered) and not self._lock.locked()
        return idle and self._waited > self.clock() - self.window

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
        """The earliest time the next request could go, read from the store (nothing taken; the answers
        this process has are dated first)."""
        got = await self.store.rate_slot(self.key, self.clock(), self.rule, False, None, self._reports())
        self._next = got.at
        return self._next

    def wait_hint(self) -> float:
        return max(0.0, self._next - self.clock())

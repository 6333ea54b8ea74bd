"""Rate budget: calls wait for room in the provider's window instead of meeting a 429.

``RateBudget`` is the small interface the HTTP core uses; ``WindowBudget`` keeps its state in the server's
state store, so every process (and machine) on one store and one API key shares one budget.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from itertools import count
from typing import Protocol, TypeVar

import anyio

from mcp_server.core.errors import RateLimited
from mcp_server.core.state import LEASE_SHARE, Figures, Leased, RateRule, Reports, Slot, StateStore, StateUnavailable
from mcp_server.core.state.memory import MemoryStore

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")
BLOCK_LIFE = 1.0
"""Windows a leased block is used for: longer, and its slots would count in the record well before their use."""
BLOCK_MOST = 32
"""The most slots a block grows to by itself (more when more calls wait)."""
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
    guess.

    Slots are leased from the store in blocks (local-first, the store the shared truth): one trip takes as
    many as this process is likely to use soon (its calls waiting now, or twice what it used of its last
    block), never more than a quarter of the room left in the window (``state.block_size``), so near the
    limit they go one at a time and four processes cannot strand capacity. Calls then take a slot of the
    block with no trip. In the store a leased slot is held like one in flight, until the block's lease ends
    (the latest a call given one may reach the API), unless answered sooner: the rule above holds for every
    slot. Unused slots go back on the next trip (a block is used for one window at most), or at once when
    this process falls idle while the budget is tight; a process that stops for good leaves them to lapse.
    The answers ride to the store on this process's next trip, and so do the API's figures while they leave
    room for every slot this process holds and the largest block any process may take (``_covered``). A call
    waiting on a slot another process has not reported yet looks again shortly.

    Once the API reports ``X-RateLimit-Remaining``/``-Reset``, the requests it counted beyond ours (another
    client on the key) hold back their share of the window until its reset; our own free a slot as each
    leaves the window, whatever the API's reset says (a sliding-window API may report when its whole window
    clears). Slots are taken in the store atomically with its check: no request goes without one.
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
        """The API's remaining and reset as the store held them on this process's last trip."""
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
        self._block: list[str] = []
        """Slots leased and not yet given to a call (the oldest last, taken first from the end)."""
        self._block_end = 0.0
        """When the block's lease ends: a call whose request may reach the API later cannot use it."""
        self._block_usable = 0.0
        """Until when the block is used (a window after it was leased); then it goes back."""
        self._blocked = 0.0
        """Until when a 429 this process met holds its block back (the store holds back every process)."""
        self._handed = 0
        """Slots of the current block given to calls, for the size of the next one."""
        self._want = 1
        self._figures: Figures | None = None
        """The API's latest figures, when they could wait for the next block's trip (``_covered``)."""
        self._returns: list[str] = []
        """Unused slots to give back on the next trip."""
        self._waiting = 0
        """Calls of this process waiting for a slot (the one taking it included)."""
        self._flying = 0
        """Calls of this process holding a slot, not answered yet."""
        self._tight = False
        """Whether the window had little room left on the last trip (a quarter of the limit or less)."""

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
        if not self._lock.locked():
            # A leased slot and no call queued before this one: taken at once, without the lock's and the
            # time limit's trips through the event loop (about a third of a millisecond a call under load).
            ticket = self._from_block(self.clock(), deadline)
            if ticket is not None:
                self._flying += 1
                return ticket
        self._waiting += 1
        try:
            with anyio.move_on_after(max(0.0, deadline - self.clock())):
                async with self._lock:
                    while True:
                        now = self.clock()
                        ticket = self._from_block(now, deadline)
                        if ticket is not None:
                            self._flying += 1
                            return ticket
                        got = await self._lease(now, deadline)
                        if got.taken:
                            continue
                        slot = self._next = got.at
                        if slot > deadline:
                            raise self._limited(slot - now)
                        self._waited = slot
                        await self.sleep(slot - now)
        finally:
            self._waiting -= 1
        if self._in_store:  # the time ran out waiting on the store (another process holds it), not the API
            raise StateUnavailable(
                "the state store did not answer within this call's time (it is busy or locked by another process)",
                provider=self.provider,
                hint="Nothing was sent. Try again in a moment.",
            )
        raise self._limited(self.wait_hint())

    def _from_block(self, now: float, deadline: float) -> str | None:
        """A leased slot this call may use: the block is fresh, no 429 blocks, and its lease outlasts the call."""
        usable = now <= self._block_usable and now >= self._blocked and deadline + LEASE_SLACK <= self._block_end
        if not (self._block and usable):
            return None
        self._handed += 1
        return self._block.pop()

    def _give_back(self) -> None:
        """The unused slots of the block go back on the next trip."""
        self._returns += self._block
        self._block = []

    async def _lease(self, now: float, deadline: float) -> Leased:
        """One trip: the answers and the unused slots so far go back, a new block comes."""
        used_all = not self._block
        self._give_back()
        self._want = min(BLOCK_MOST, max(1, 2 * self._handed if used_all else self._handed))
        self._handed = 0
        wanted = min(max(self._waiting, self._want), max(1, self.limit // LEASE_SHARE))  # no trip grants more
        tickets = [f"{self._process}:{next(self._tickets)}@{now!r}" for _ in range(wanted)]
        until = deadline + LEASE_SLACK + self.window * BLOCK_LIFE
        figures, self._figures = self._figures, None
        try:
            got = await self._trip(
                lambda reports, returns: self.store.rate_lease(
                    self.key, now, self.rule, tickets, until, reports, returns, figures
                )
            )
        except BaseException:
            self._figures = self._figures or figures  # not stored: the next trip takes them
            raise
        self._block = tickets[: got.taken][::-1]
        if got.taken:
            self._blocked = 0.0  # the store let them go now: an earlier 429's wait is over or replaced
        self._block_end, self._block_usable = until, now + self.window * BLOCK_LIFE
        self._tight = got.left * LEASE_SHARE <= self.limit
        self._saw(got.remaining, got.reset_at)
        return got

    async def _trip(self, send: Callable[[Reports, Sequence[str]], Awaitable[T]]) -> T:
        """A store trip carrying the answers and returns so far; a trip that failed or was cancelled leaves
        them for the next one (giving back or dating a slot twice changes nothing)."""
        reports, returns = self._reports(), self._returns
        self._returns = []
        self._in_store = True
        delivered = False
        try:
            got = await send(reports, returns)
            delivered = True
        finally:
            self._in_store = False
            self._undelivered(reports, delivered)
            if not delivered:
                self._returns[:0] = returns
        return got

    def _saw(self, remaining: int | None, reset_at: float | None) -> None:
        known = remaining is not None and reset_at is not None
        self._seen = (remaining or 0, reset_at or 0.0) if known else None

    def settle(self, ticket: str) -> None:
        self._flying = max(0, self._flying - 1)
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
        idle = self._idle_while_contended()
        if not limited and not idle:
            if unchanged:
                return  # nothing to correct: spare the store a round trip (the answers go with the next block)
            if remaining is not None and reset_at is not None and self._covered(remaining):
                self._figures = (remaining, reset_at)  # stored by the next block's trip, before it is counted
                return
        if idle:
            self._give_back()
        self._figures = None  # this trip stores the latest
        now = self.clock()
        expected, reset = await self._trip(
            lambda reports, returns: self._observed(now, remaining, reset_at, limited, reports, returns)
        )
        self._saw(expected, reset)
        if expected is not None and expected < 0:
            # The API has room for fewer than this process holds leased (another client on the key): the excess
            # goes back on the next trip instead of meeting 429s.
            excess = min(len(self._block), -expected)
            self._returns += self._block[:excess]
            del self._block[:excess]

    def _covered(self, remaining: int) -> bool:
        """The API has room for every slot this process holds and for the largest block any process may take
        next: its figures change nothing before this process's next block, whose trip stores them first."""
        return remaining >= len(self._block) + self._flying + max(1, self.limit // LEASE_SHARE)

    async def _observed(
        self,
        now: float,
        remaining: int | None,
        reset_at: float | None,
        limited: bool,
        reports: Reports,
        returns: Sequence[str],
    ) -> tuple[int | None, float | None]:
        if returns:  # given back first, then the figures
            await self.store.rate_lease(self.key, now, self.rule, (), now, (), returns)
        unused = list(self._block)  # the API has not counted them: its figures are read without them
        return await self.store.rate_observe(self.key, now, self.rule, remaining, reset_at, limited, reports, unused)

    def _idle_while_contended(self) -> bool:
        """No call of this process waits for a slot or holds one, and it has answers no next trip will carry
        soon, or unused slots, while the budget is tight: the other processes waiting on it should see them now."""
        idle = (bool(self._answered) or bool(self._block)) and not self._waiting and not self._flying
        return idle and (self._tight or self._waited > self.clock() - self.window)

    def _unchanged(self, remaining: int, reset_at: float) -> bool:
        """The API's figures would change nothing: the same window as stored when our slot was taken, and
        no fewer left than the store counted then (the stored count only falls within a window)."""
        if self._seen is None:
            return False
        seen_remaining, seen_reset = self._seen
        return reset_at <= seen_reset + 0.001 and remaining >= seen_remaining

    async def block_until(self, reset_at: float) -> None:
        reset_at = self._capped(reset_at)
        self._next = self._blocked = reset_at
        self._give_back()  # the API refuses: the block's slots are worth nothing now
        await self.store.rate_block(self.key, self.clock(), self.rule, reset_at)

    async def slot(self) -> float:
        """The earliest time the next request could go, read from the store (nothing taken; the answers
        this process has are dated first)."""
        got = await self._trip(lambda reports, returns: self._read(reports, returns))
        self._next = got.at
        return self._next

    async def _read(self, reports: Reports, returns: Sequence[str]) -> Slot:
        if returns:
            await self.store.rate_lease(self.key, self.clock(), self.rule, (), self.clock(), (), returns)
        return await self.store.rate_slot(self.key, self.clock(), self.rule, False, None, reports)

    def wait_hint(self) -> float:
        return max(0.0, self._next - self.clock())

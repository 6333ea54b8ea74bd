"""Snov.io credits as one object: every paid path affords, reserves, settles and refunds through it.

The ledger of a period lives in the state store (every process on the store shares ``SNOV_MAX_CREDITS``);
each change of it is also counted on the running tool call's meter, which becomes the answer's
``credits_spent``. Snov.io charges a distinct domain-search request once: those this process paid for are
remembered, so a page read again is free.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Generator, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from mcp_server.core.errors import ApiError, CreditLimit, may_be_applied
from mcp_server.core.state import StateStore
from mcp_server.core.state.memory import MemoryStore
from mcp_server.core.state.periods import period_bounds
from mcp_server.providers.snov.ledger import LedgerWatch

R = TypeVar("R")
LABEL = "Snov.io"


@dataclass
class Meter:
    credits: float = 0.0


_meter: ContextVar[Meter | None] = ContextVar("outbound_mcp_snov_meter", default=None)
"""The running tool call's meter: the service is shared by concurrent calls, each counts its own."""


class OutOfCredits(CreditLimit):
    """Snov.io refused a call because the account's balance cannot pay for it: nothing was done or charged."""


@dataclass
class Credits:
    ceiling: float | None = None
    """SNOV_MAX_CREDITS: the most every process on the store may spend per period; None: no ceiling."""
    store: StateStore = field(default_factory=MemoryStore)
    account: str = "snov"
    """The account's namespace in the store."""
    period: str = "day"
    """SNOV_CREDIT_PERIOD: the period the ceiling applies to."""
    spent: float = 0.0
    """Credits this process has committed to spend (reserved before each paid call, less refunds)."""
    paid_requests: set[str] = field(default_factory=set[str])
    """Distinct requests this process paid for (domain-search starts): Snov.io charges each once."""
    watch: LedgerWatch = field(init=False)
    """Notices a ledger the store lost within its period (``providers.snov.ledger``)."""

    def __post_init__(self) -> None:
        self.watch = LedgerWatch(self.store)

    # What the ledger says

    def _ledger(self) -> tuple[str, float, float]:
        """This period's ledger key, its end, and the seconds the ledger must be kept."""
        now = time.time()
        start, end = period_bounds(self.period, now)
        return f"{self.account}:credits:{self.period}:{start:.0f}", end, end - now + 60.0

    async def used(self) -> tuple[float, float]:
        """Credits spent this period by every process on the store, and when the period ends (epoch)."""
        key, end, ttl = self._ledger()
        await self.watch.check(key, ttl)
        raw = await self.store.get(key)
        return (float(raw) if raw else 0.0), end

    async def left(self) -> float | None:
        """What is left of the ceiling this period; None without one."""
        if self.ceiling is None:
            return None
        spent, _ = await self.used()
        return max(0.0, self.ceiling - spent)

    def hint(self) -> str | None:
        """A warning when this process found the ledger lost this period."""
        return self.watch.hint()

    # Spending

    async def afford(self, credits: float, what: str) -> None:
        """Refuse a call whose worst case would pass the ceiling, before its first request."""
        if self.ceiling is None:
            return
        total, end = await self.used()
        if total + credits > self.ceiling:
            raise self._over(credits, total, what, end)

    async def reserve(self, credits: float, what: str) -> None:
        """Reserve ``credits`` before a paid request; refuse (nothing sent) past the ceiling. The check and the
        reservation are one atomic step in the store: two processes cannot both take the last credit."""
        if credits <= 0:
            return
        key, end, ttl = self._ledger()
        await self.watch.check(key, ttl)
        done, total = await self.store.spend(key, credits, self.ceiling, ttl)
        if not done:
            raise self._over(credits, total, what, end)
        self._changed(key, credits)

    async def refund(self, credits: float) -> None:
        """Give back a reservation that was not spent (nothing found, batch not sent, request refused)."""
        if credits <= 0:
            return
        key, _, ttl = self._ledger()
        await self.store.spend(key, -credits, None, ttl)
        self._changed(key, -credits)

    async def settle(self, reserved: float, actual: float) -> None:
        """Replace a reservation with what Snov.io actually charged (recorded even past the ceiling)."""
        if actual != reserved:
            key, _, ttl = self._ledger()
            await self.store.spend(key, actual - reserved, None, ttl)
            self._changed(key, actual - reserved)

    async def spend(self, credits: float, what: str, send: Callable[[], Awaitable[R]]) -> R:
        """``send`` a paid request with ``credits`` reserved first. Refused by Snov.io (any error below 500, its
        not-found answers included, or an empty balance whatever its status) nothing was charged, so they are
        given back; another 5xx or a dropped connection keeps them: the request may have been charged
        (``settle`` corrects it later)."""
        await self.reserve(credits, what)
        try:
            return await send()
        except (OutOfCredits, ApiError) as error:
            if isinstance(error, OutOfCredits) or not may_be_applied(error):
                await self.refund(credits)
            raise

    # Distinct requests, charged once

    async def spend_once(self, key: str, what: str, send: Callable[[], Awaitable[R]]) -> tuple[R, str | None]:
        """``send`` a request Snov.io charges 1 credit once per distinct ``key``: reserved the first time only,
        and given back when it is refused. Returns the answer and ``key`` when this call reserved for it
        (``settle_once`` keeps or gives back that credit), None when it was paid for before."""
        if key in self.paid_requests:
            return await send(), None
        await self.reserve(1, what)
        self.paid_requests.add(key)
        try:
            return await send(), key
        except (OutOfCredits, ApiError) as error:
            if isinstance(error, OutOfCredits) or not may_be_applied(error):
                await self.settle_once(key, found=False)
            raise

    async def settle_once(self, key: str | None, *, found: bool) -> None:
        """A distinct request this process reserved for: kept when its job found something, else given back."""
        if key is not None and not found and key in self.paid_requests:
            self.paid_requests.discard(key)
            await self.refund(1)

    def unpaid(self, keys: Iterable[str]) -> int:
        """How many of these distinct requests this process has not paid for yet."""
        return sum(1 for key in keys if key not in self.paid_requests)

    # The running call's share

    @contextmanager
    def metered(self) -> Generator[Meter, None, None]:
        """Counts every change of the ledger made within (this call's ``credits_spent``)."""
        meter = Meter()
        token = _meter.set(meter)
        try:
            yield meter
        finally:
            _meter.reset(token)

    def _changed(self, key: str, credits: float) -> None:
        self.watch.record(key, credits)
        self.spent = max(0.0, self.spent + credits)
        if (meter := _meter.get()) is not None:
            meter.credits += credits

    def _over(self, credits: float, total: float, what: str, end: float) -> CreditLimit:
        assert self.ceiling is not None
        left = max(0.0, self.ceiling - total)
        until = datetime.fromtimestamp(end, UTC).strftime("%Y-%m-%d %H:%M UTC")
        return CreditLimit(
            f"{what} would spend up to {credits:g} credits, but only {left:g} of SNOV_MAX_CREDITS="
            f"{self.ceiling:g} remain until {until} (the ceiling is shared by every server process on "
            "this state store)",
            provider=LABEL,
            hint="Nothing was sent. Ask the user to raise SNOV_MAX_CREDITS or narrow the request.",
        )

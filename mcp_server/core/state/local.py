"""The store operations as read-modify-write of one record, for the stores that run them in Python
(``MemoryStore`` in this process, ``SqliteStore`` inside one write transaction). ``RedisStore`` runs the same
rules as Lua scripts."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from mcp_server.core.state import RateRule, Slot

R = TypeVar("R")
Change = Callable[[bytes | None], tuple[bytes | None, R]]
"""Given the value (None when absent), the new value (None deletes it) and what to return."""


@dataclass
class RateLog:
    """One budget: when this account's recent requests went, and what the API last reported."""

    sent: list[float] = field(default_factory=list[float])
    remaining: int | None = None
    reset_at: float | None = None
    blocked_until: float = 0.0

    @classmethod
    def load(cls, raw: bytes | None) -> RateLog:
        if not raw:
            return cls()
        data: dict[str, Any] = json.loads(raw)
        return cls(data["s"], data["r"], data["t"], data["b"])

    def dump(self) -> bytes:
        record = {"s": self.sent, "r": self.remaining, "t": self.reset_at, "b": self.blocked_until}
        return json.dumps(record, separators=(",", ":")).encode()

    def next_slot(self, now: float, rule: RateRule) -> float:
        """The earliest time one more request may be sent (``now`` if it may go now)."""
        self.sent = [at for at in self.sent if at > now - rule.window]
        if self.reset_at is not None and now >= self.reset_at + rule.margin:
            self.remaining, self.reset_at = None, None
        at = max(now, self.blocked_until)
        if len(self.sent) >= rule.limit:
            # Our own window is full, so the API's "none left" counts our own requests: the oldest of them
            # leaving frees the next slot. Its reset may be much later (a sliding-window API may report when
            # its whole window clears), and on a fixed-window API this slot is never before that reset.
            return max(at, self.sent[len(self.sent) - rule.limit] + rule.window + rule.margin)
        # Room in our window but none on the API's (others use the key, or the API counts differently): wait
        # for its reset. Both must have room: the API's figures lag the requests still in flight.
        if self.remaining is not None and self.reset_at is not None and self.remaining <= 0:
            at = max(at, self.reset_at + rule.margin)
        return at

    def take(self, now: float) -> None:
        self.sent.append(now)
        if self.remaining is not None:
            self.remaining -= 1

    def observe(self, remaining: int | None, reset_at: float | None, limited: bool) -> None:
        if limited:
            # A 429's own figures win, even a reset sooner than an earlier answer's.
            both = remaining is not None and reset_at is not None
            self.remaining, self.reset_at = (remaining, reset_at) if both else (None, None)
            return
        if remaining is None or reset_at is None:
            return
        if self.reset_at is None or reset_at > self.reset_at + 0.001:
            # A new window on the API's side: its count replaces ours.
            self.remaining, self.reset_at = remaining, reset_at
        elif self.remaining is None or remaining < self.remaining:
            self.remaining = remaining


def _spend(amount: float, ceiling: float | None) -> Change[tuple[bool, float]]:
    def change(raw: bytes | None) -> tuple[bytes | None, tuple[bool, float]]:
        total = float(raw) if raw else 0.0
        after = max(0.0, total + amount)
        if amount > 0 and ceiling is not None and after > ceiling:
            return raw, (False, total)
        return repr(after).encode(), (True, after)

    return change


class LocalOps:
    """``spend`` and the rate operations over one primitive, ``update``: atomic read-modify-write."""

    async def update(self, key: str, change: Change[R], ttl: float | None, keep_ttl: bool = False) -> R:
        """Apply ``change`` atomically; the new value expires after ``ttl`` (kept as it was if ``keep_ttl``
        and the key existed)."""
        raise NotImplementedError

    async def spend(self, key: str, amount: float, ceiling: float | None, ttl: float) -> tuple[bool, float]:
        return await self.update(key, _spend(amount, ceiling), ttl, keep_ttl=True)

    async def rate_slot(self, key: str, now: float, rule: RateRule, take: bool) -> Slot:
        def change(raw: bytes | None) -> tuple[bytes | None, Slot]:
            log = RateLog.load(raw)
            slot = log.next_slot(now, rule)
            if take and slot <= now:
                log.take(now)
            return log.dump(), Slot(slot, log.remaining, log.reset_at)

        return await self._rate(key, now, rule, change)

    async def rate_observe(
        self, key: str, now: float, rule: RateRule, remaining: int | None, reset_at: float | None, limited: bool
    ) -> None:
        def change(raw: bytes | None) -> tuple[bytes | None, None]:
            log = RateLog.load(raw)
            log.observe(remaining, reset_at, limited)
            return log.dump(), None

        await self._rate(key, now, rule, change)

    async def rate_block(self, key: str, now: float, rule: RateRule, until: float) -> None:
        def change(raw: bytes | None) -> tuple[bytes | None, None]:
            log = RateLog.load(raw)
            log.blocked_until = until
            return log.dump(), None

        await self._rate(key, now, rule, change)

    async def _rate(self, key: str, now: float, rule: RateRule, change: Change[R]) -> R:
        return await self.update(key, change, rate_ttl(rule))


def rate_ttl(rule: RateRule) -> float:
    """How long an idle budget record is kept: everything in it is stale well before (a longer 429 block
    than this is rare, and then the API's next 429 says so again)."""
    return max(2 * rule.window + 1.0, 3600.0)

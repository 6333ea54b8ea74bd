"""The store operations as read-modify-write of one record, for the stores that run them in Python
(``MemoryStore`` in this process, ``SqliteStore`` inside one write transaction). ``RedisStore`` runs the same
rules as Lua scripts."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from mcp_server.core.guards import is_dict, is_list
from mcp_server.core.state import Figures, Lease, Leased, RateRule, Reports, Slot, block_size

R = TypeVar("R")
Change = Callable[[bytes | None], tuple[bytes | None, R]]
"""Given the value (None when absent), the new value (None deletes it) and what to return."""


@dataclass
class RateLog:
    """One budget: when this account's recent requests reached the API at the latest, and what it reported.

    ``sent`` maps each request's ticket to the latest moment it can have reached the API: while it is in
    flight, the end of its lease (when its call gives up); once answered, the moment the answer came (a
    window counts arrivals, and an answer comes after its request arrived, however late a loaded machine
    sent it). So a request frees its slot exactly a window after its answer, and one still in flight holds
    it; one whose answer has not been reported yet frees no sooner than a window after its slot was given
    (its ticket ends ``@<when>``): a call waiting for it looks again shortly after that.

    The API's figures are kept as ``others``: requests its window counted beyond ours (another client on the
    key, a lower limit than configured), until its ``reset_at``. Our own requests leave our window one by one,
    so the API's "none left" frees a slot as soon as the oldest of ours leaves, not only at its reset (a
    sliding-window API may report when its whole window clears, a window after its newest request).
    """

    sent: dict[str, float] = field(default_factory=dict[str, float])
    others: int = 0
    reset_at: float | None = None
    blocked_until: float = 0.0

    @classmethod
    def load(cls, raw: bytes | None) -> RateLog:
        if not raw:
            return cls()
        data: dict[str, Any] = json.loads(raw)
        # Tickets under "k"; a record without them was written by a release from before them (it rewrites
        # the record without them): its requests count as answered when they went. Another shape (a ticket
        # map under "s", as a development build wrote) is read as far as it goes: a budget never crashes a call.
        kept: object = data.get("k", data.get("s"))
        pairs = list(kept.items()) if is_dict(kept) else list(enumerate(kept)) if is_list(kept) else []
        sent = {str(ticket): float(at) for ticket, at in pairs if isinstance(at, int | float)}
        return cls(sent, data.get("o", 0), data.get("t"), data.get("b", 0.0))

    def dump(self) -> bytes:
        # "s" keeps the earlier release's shape (a list of times), so a replica not yet upgraded on the same
        # store still reads the record; "k" holds the tickets.
        times = sorted(self.sent.values())
        record = {"s": times, "k": self.sent, "o": self.others, "t": self.reset_at, "b": self.blocked_until}
        return json.dumps(record, separators=(",", ":")).encode()

    def _prune(self, now: float, rule: RateRule) -> None:
        self.sent = {ticket: at for ticket, at in self.sent.items() if at > now - rule.window}
        if self.reset_at is not None and now >= self.reset_at + rule.margin:
            self.others, self.reset_at = 0, None

    def _aged(self, newest: int, now: float, rule: RateRule) -> float:
        """The soonest the ``newest``-th latest of our requests can leave the window; when that has passed
        and it still holds its slot (in flight, or answered in a process that has not said so yet), soon."""
        soonest = sorted(
            at + rule.window if at <= now else granted(ticket, now) + rule.window for ticket, at in self.sent.items()
        )
        at = soonest[len(self.sent) - newest]
        return at if at > now else now + poll(rule)

    def next_slot(self, now: float, rule: RateRule) -> float:
        """The earliest time one more request may be sent (``now`` if it may go now)."""
        self._prune(now, rule)
        at = max(now, self.blocked_until)
        n = len(self.sent)
        free = now
        if self.reset_at is not None and self.others > 0:
            # Until the API's reset, room for ours is what the others left; after it, the whole limit.
            after_reset = self.reset_at + rule.margin
            if n >= rule.limit:
                after_reset = max(after_reset, self._aged(rule.limit, now, rule))
            room = rule.limit - self.others
            if room <= 0:
                free = after_reset
            elif n >= room:
                free = min(self._aged(room, now, rule), after_reset)
        elif n >= rule.limit:
            free = self._aged(rule.limit, now, rule)
        return max(at, free)

    def room(self, now: float, rule: RateRule) -> int:
        """How many more requests may go now (after ``next_slot``, which prunes): none while a 429 blocks."""
        if self.blocked_until > now:
            return 0
        ceiling = rule.limit - self.others if self.reset_at is not None and self.others > 0 else rule.limit
        return max(0, ceiling - len(self.sent))

    def returned(self, tickets: Sequence[str]) -> None:
        """Slots leased and never used: they hold nothing any more."""
        for ticket in tickets:
            self.sent.pop(ticket, None)

    def remaining(self, rule: RateRule) -> int | None:
        """The API's remaining as we expect it now (None while it reported none)."""
        return None if self.reset_at is None else rule.limit - self.others - len(self.sent)

    def take(self, now: float, ticket: str, until: float | None) -> None:
        self.sent[ticket] = now if until is None else max(now, until)

    def answered(self, reports: Reports) -> None:
        """Requests answered (or given up on): each reached the API, if at all, before that moment."""
        for ticket, at in reports:
            if ticket in self.sent:
                self.sent[ticket] = min(self.sent[ticket], at)

    def observe(
        self,
        now: float,
        rule: RateRule,
        remaining: int | None,
        reset_at: float | None,
        limited: bool,
        unused: Sequence[str] = (),
    ) -> None:
        self._prune(now, rule)
        both = remaining is not None and reset_at is not None
        # The API counted what we sent, not the slots we hold leased and unused.
        ours = len(self.sent) - sum(ticket in self.sent for ticket in unused)
        others = max(0, rule.limit - (remaining or 0) - ours) if both else 0
        if limited:
            # A 429's own figures win, even a reset sooner than an earlier answer's.
            self.others, self.reset_at = (others, reset_at) if both else (0, None)
            return
        if not both:
            return
        assert reset_at is not None
        if self.reset_at is None or reset_at > self.reset_at + 0.001:
            # A new window on the API's side: its count replaces the one before.
            self.others, self.reset_at = others, reset_at
        elif others > self.others:
            self.others = others


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

    async def rate_slot(
        self, key: str, now: float, rule: RateRule, take: bool, lease: Lease | None = None, reports: Reports = ()
    ) -> Slot:
        def change(raw: bytes | None) -> tuple[bytes | None, Slot]:
            log = RateLog.load(raw)
            log.answered(reports)
            slot = log.next_slot(now, rule)
            if take and slot <= now:
                log.take(now, *(lease or (f"{secrets.token_hex(6)}@{now!r}", None)))
            return log.dump(), Slot(slot, log.remaining(rule), log.reset_at)

        return await self._rate(key, now, rule, change)

    async def rate_lease(
        self,
        key: str,
        now: float,
        rule: RateRule,
        tickets: Sequence[str],
        until: float,
        reports: Reports = (),
        returns: Sequence[str] = (),
        figures: Figures | None = None,
    ) -> Leased:
        def change(raw: bytes | None) -> tuple[bytes | None, Leased]:
            log = RateLog.load(raw)
            log.answered(reports)
            log.returned(returns)
            if figures is not None:
                log.observe(now, rule, *figures, limited=False)
            at = log.next_slot(now, rule)
            taken = block_size(log.room(now, rule), len(tickets)) if at <= now else 0
            for ticket in tickets[:taken]:
                log.take(now, ticket, until)
            left = log.room(now, rule)
            return log.dump(), Leased(taken, now if taken else at, left, log.remaining(rule), log.reset_at)

        return await self._rate(key, now, rule, change)

    async def rate_observe(
        self,
        key: str,
        now: float,
        rule: RateRule,
        remaining: int | None,
        reset_at: float | None,
        limited: bool,
        reports: Reports = (),
        unused: Sequence[str] = (),
    ) -> tuple[int | None, float | None]:
        def change(raw: bytes | None) -> tuple[bytes | None, tuple[int | None, float | None]]:
            log = RateLog.load(raw)
            log.answered(reports)
            log.observe(now, rule, remaining, reset_at, limited, unused)
            return log.dump(), (log.remaining(rule), log.reset_at)

        return await self._rate(key, now, rule, change)

    async def rate_block(self, key: str, now: float, rule: RateRule, until: float) -> None:
        def change(raw: bytes | None) -> tuple[bytes | None, None]:
            log = RateLog.load(raw)
            log.blocked_until = until
            return log.dump(), None

        await self._rate(key, now, rule, change)

    async def _rate(self, key: str, now: float, rule: RateRule, change: Change[R]) -> R:
        return await self.update(key, change, rate_ttl(rule))


def granted(ticket: str, otherwise: float) -> float:
    """When a ticket's slot was given (``<id>@<epoch seconds>``), or ``otherwise``."""
    _, at, when = ticket.rpartition("@")
    try:
        return float(when) if at else otherwise
    except ValueError:
        return otherwise


def poll(rule: RateRule) -> float:
    """How soon a call waiting on a slot whose answer may have come looks again: one request's share of the
    window (the store trip it costs is nothing beside the wait)."""
    return max(0.01, rule.window / max(1, rule.limit))


def rate_ttl(rule: RateRule) -> float:
    """How long an idle budget record is kept: everything in it is stale well before (a longer 429 block
    than this is rare, and then the API's next 429 says so again)."""
    return max(2 * rule.window + 1.0, 3600.0)

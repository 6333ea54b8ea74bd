"""The state store: everything a later call relies on (rate budgets, the Snov.io credit ledger, provider
tokens, job handles and cursors, the write-replay guard), behind one small async interface.

``MemoryStore`` keeps it in this process; ``SqliteStore`` (the default: one file per user) shares it between
the processes of one machine, ``RedisStore`` between machines. Keys are namespaced by the caller
(``namespace(provider, credential)`` + ``":<what>"``), never a secret. Every operation is atomic across
every process on the same store; a store that cannot answer raises ``StateUnavailable``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from mcp_server.core.errors import OutboundError

SHARED_KEY_BYTES = 32


@dataclass
class StateUnavailable(OutboundError):
    """The state store failed (Redis down, the file locked or unwritable): nothing was sent."""


@dataclass(frozen=True)
class RateRule:
    """``limit`` requests per ``window`` seconds; ``margin``: how long after the API's reported reset its window
    is taken as over (its clock is not ours). Our own requests need none: each frees a window after its answer."""

    limit: int
    window: float
    margin: float


@dataclass(frozen=True)
class Slot:
    """The answer of ``rate_slot``: when the next request may go, and the API's figures as now stored."""

    at: float
    remaining: int | None = None
    reset_at: float | None = None


@dataclass(frozen=True)
class Leased:
    """The answer of ``rate_lease``: how many of the tickets offered were taken (the first ones), when the next
    request may go (now when any was taken), how many more the window had room for after them, and the API's
    figures as now stored."""

    taken: int
    at: float
    left: int
    remaining: int | None = None
    reset_at: float | None = None


LEASE_SHARE = 4
"""One trip takes at most a quarter of the room left in the window: other processes on the store always find
some, and near the limit (fewer than 8 left) slots go one at a time, as each is needed."""


def block_size(room: int, wanted: int) -> int:
    """How many of ``wanted`` slots one trip takes when the window has ``room`` left."""
    return 0 if room <= 0 else min(wanted, max(1, room // LEASE_SHARE))


Figures = tuple[int, float]
"""The API's ``X-RateLimit-Remaining`` and ``-Reset`` (epoch seconds), as an answer reported them."""
Lease = tuple[str, float]
"""A slot taken for one request: its ticket (``<id>@<now>``), and the latest moment it may reach the API (its
call gives up then); until it is answered, it holds its slot."""
Reports = Sequence[tuple[str, float]]
"""Requests answered since: ticket, and when the answer came (each reached the API, if at all, before)."""


class StateStore(Protocol):
    protected: bool
    """Whether secrets (provider tokens) may be kept at rest here: in this process, a file of mode 0600,
    or a Redis that asks for credentials."""

    async def get(self, key: str) -> bytes | None:
        """The value under ``key``, or None when absent or expired."""
        ...

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        """Store ``value`` (replacing any), expiring after ``ttl`` seconds when given."""
        ...

    async def add(self, key: str, value: bytes, ttl: float | None = None) -> bool:
        """Store ``value`` only if ``key`` is absent (atomically); True when it was stored."""
        ...

    async def delete(self, key: str) -> None: ...

    async def spend(self, key: str, amount: float, ceiling: float | None, ttl: float) -> tuple[bool, float]:
        """Add ``amount`` (negative gives back; the total never drops below 0) to the counter under ``key``
        unless that would pass ``ceiling``. Returns whether it was added and the total after. A new counter
        expires after ``ttl`` seconds; ``get`` reads it as a decimal string."""
        ...

    async def rate_slot(
        self, key: str, now: float, rule: RateRule, take: bool, lease: Lease | None = None, reports: Reports = ()
    ) -> Slot:
        """The earliest time one more request may go under ``rule`` (``now`` or earlier: it may go now).
        With ``take``, a request that may go now is counted (atomically with the check), under ``lease``
        (without one: as answered now). ``reports`` first date the requests answered since (same trip)."""
        ...

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
        """A block of slots in one trip: as many of ``tickets`` as ``block_size`` allows (none unless a request
        may go now), each held until ``until`` unless answered sooner (``reports``), as a leased slot counts as
        used until given back. ``returns``: tickets leased and never used, given back (first, same trip).
        ``figures``: the API's latest remaining and reset (as ``rate_observe`` without a 429), stored before
        the block is counted."""
        ...

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
        """Correct the budget with the API's ``X-RateLimit-*``; ``limited`` (a 429): its figures replace ours.
        ``reports`` as for ``rate_slot``; ``unused``: slots this process holds leased and has not used, which
        the API has not counted (its count beyond ours is read without them). Answers the API's remaining as
        now expected, and its reset, as stored (None while it reported none)."""
        ...

    async def rate_block(self, key: str, now: float, rule: RateRule, until: float) -> None:
        """After a 429: nothing goes before ``until``; the latest 429 wins, even when it is sooner."""
        ...

    async def aclose(self) -> None: ...


def namespace(provider: str, *credential: str) -> str:
    """``"<provider>:<hash>"``: the keys of one account, naming neither its key nor its secret."""
    digest = hashlib.sha256("\x00".join(("outbound-mcp", provider, *credential)).encode()).hexdigest()
    return f"{provider}:{digest[:20]}"


async def shared_key(store: StateStore, name: str) -> bytes:
    """A random 32-byte key under ``name``, made by whichever process asks first and then the same for every
    process on this store (for signing handles that another process must accept)."""
    key = f"keys:{name}"
    await store.add(key, secrets.token_bytes(SHARED_KEY_BYTES))
    value = await store.get(key)
    if value is None or len(value) != SHARED_KEY_BYTES:
        raise StateUnavailable(f"the state store lost the shared key {name!r}", hint="Try again.")
    return value

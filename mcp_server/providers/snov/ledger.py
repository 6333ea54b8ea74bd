"""Noticing a credit ledger the state store lost within its period (a Redis restarted without persistence):
the ceiling would silently start again from 0, and the account be charged twice over in one period.

Each period's ledger has a mark beside it, a random id made by the first process to look. A process that saw
one mark and later finds none, or another, knows the store lost the ledger: it says so loudly (a warning in
the log, a hint in ``snov_get_balance``) and adds back the credits it recorded itself this period, so that
every process restores its own share and the ceiling holds again as far as the survivors know."""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass, field

from mcp_server.core.state import StateStore

log = logging.getLogger("outbound_mcp.snov")


@dataclass
class LedgerWatch:
    store: StateStore
    seen: dict[str, bytes] = field(default_factory=dict[str, bytes])
    """Per period ledger key: its mark as this process last saw it."""
    mine: dict[str, float] = field(default_factory=dict[str, float])
    """Per period ledger key: the credits this process recorded in it (reservations less refunds)."""
    lost_at: float | None = None
    """When this process last found its ledger lost (epoch seconds); None: never."""
    restored: float = 0.0
    """Credits this process added back then."""

    async def check(self, key: str, ttl: float) -> None:
        """Before the ledger under ``key`` is read or charged: notice and repair a loss since the last look."""
        mark_key = f"{key}:mark"
        mark = await self.store.get(mark_key)
        if mark is None:
            await self.store.add(mark_key, secrets.token_hex(8).encode(), ttl)
            mark = await self.store.get(mark_key)
        known = self.seen.get(key)
        if mark is not None:
            self.seen[key] = mark
        if known is None or known == mark:
            return
        self.lost_at = time.time()
        self.restored = max(0.0, self.mine.get(key, 0.0))
        if self.restored:
            await self.store.spend(key, self.restored, None, ttl)
        log.warning(
            "Snov.io credit ledger LOST: the state store came back without this period's ledger (a Redis "
            "restart without persistence?). This process re-added the %g credits it spent; what other processes "
            "spent before the loss is not counted, so SNOV_MAX_CREDITS may be passed this period.",
            self.restored,
        )

    def record(self, key: str, credits: float) -> None:
        self.mine[key] = self.mine.get(key, 0.0) + credits

    def hint(self) -> str | None:
        """What ``snov_get_balance`` says after a loss this process found."""
        if self.lost_at is None:
            return None
        at = time.strftime("%H:%M UTC on %d %b", time.gmtime(self.lost_at))
        return (
            f"Warning: the credit ledger was found empty at {at}, after this server had recorded spending this "
            f"period: the state store lost it (a Redis restart without persistence?). This server re-added its "
            f"own {self.restored:g} credits; what other server processes spent before the loss is not counted, "
            "so spent_this_period may be too low and SNOV_MAX_CREDITS may be passed this period. Tell the user; "
            "check balance against the account's own figures."
        )

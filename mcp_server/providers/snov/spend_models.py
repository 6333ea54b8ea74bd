"""What every paid Snov.io answer carries: what it spent and what is left, or, for a dry run, what it would."""

from __future__ import annotations

from mcp_server.core.tools.answer_models import Record


class Spending(Record):
    credits_spent: float | None = None
    """Credits this call counted against the ledger (0: it was free, a page read before, nothing found)."""
    credits_left: float | None = None
    """What is left of SNOV_MAX_CREDITS this period, where it is set."""
    dry_run: bool | None = None
    """True: nothing was sent; the fields below say what the call would cost."""
    credits_at_most: int | None = None
    cost: str | None = None
    """What the credits would pay for, and when it costs less."""
    balance: float | None = None
    """The account balance snov_get_balance last read (not fetched for a dry run), and when."""
    balance_at: str | None = None

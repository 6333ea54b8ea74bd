"""What every paid Snov.io answer carries: what it spent and what is left, or, for a dry run, what it would."""

from __future__ import annotations

from typing import Annotated

from mcp_server.core.tools.answer_models import SHARED, Record, SharedText


class Spending(Record):
    """Shared by every paid answer: the server's instructions say what these fields mean, once (``SHARED``)."""

    credits_spent: Annotated[float | None, SHARED] = None
    """Credits this call counted against the ledger (0: it was free, a page read before, nothing found)."""
    credits_left: Annotated[float | None, SHARED] = None
    """What is left of SNOV_MAX_CREDITS this period, where it is set."""
    dry_run: Annotated[bool | None, SHARED] = None
    """True: nothing was sent; the fields below say what the call would cost."""
    credits_at_most: Annotated[int | None, SHARED] = None
    cost: SharedText = None
    """What the credits would pay for, and when it costs less."""
    balance: Annotated[float | None, SHARED] = None
    """The account balance snov_get_balance last read (not fetched for a dry run), and when."""
    balance_at: SharedText = None

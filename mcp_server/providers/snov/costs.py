"""What a paid Snov.io call may spend, asked of the person before it runs (README "Confirmations").

Each estimate reads the call's arguments only: the question is asked before any request, so a "no"
sends nothing. An estimate is the worst case the description states; None means the call is free
this time (a resume handle, a paid flag left off).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mcp.server.mcpserver import Context

from mcp_server.app.providers import state_of
from mcp_server.core.tools.confirmations import Confirmation
from mcp_server.providers.snov.client import snov
from mcp_server.providers.snov.search_models import clean_domain

BALANCE_SEEN = "balance_seen"
"""Under the account's namespace: the balance snov_get_balance last read, and when (shown in the question,
never fetched for it)."""
DRY_RUN = "dry_run"
"""The argument every paid tool takes (``spending.spends``): true answers the cost, spends nothing, asks nothing."""
PERIOD_WORDS = {"day": "today", "week": "this week", "month": "this month"}
"""How a confirmation names the credit period."""


@dataclass(frozen=True)
class Estimate:
    credits: int
    """The most the call can spend."""
    what: str
    note: str = ""
    """When it costs less (nothing found, already verified...)."""


@dataclass(frozen=True)
class Ledger:
    spent: float
    period: str
    ceiling: float | None
    balance: float | None = None
    balance_at: float | None = None


async def ledger(ctx: Context) -> Ledger:
    """The one place a confirmation reads the credit ledger: repoint it when the ledger moves."""
    credits = snov(ctx).credits
    seen = await state_of(ctx).store.get(f"{credits.account}:{BALANCE_SEEN}")
    balance, at = json.loads(seen) if seen else (None, None)
    # The ceiling holds per period for every process on the state store: the question shows that figure.
    spent, _ = await credits.used()
    return Ledger(spent, PERIOD_WORDS.get(credits.period, "this period"), credits.ceiling, balance, at)


async def remember_balance(ctx: Context, balance: float) -> None:
    account = snov(ctx).credits.account
    await state_of(ctx).store.set(f"{account}:{BALANCE_SEEN}", json.dumps([balance, time.time()]).encode())


def paid(estimate: Callable[[Mapping[str, Any]], Estimate | None], flag: str = "", instead: str = "") -> Confirmation:
    """A paid Snov.io call: ``flag`` names the argument that turns spending on, when one does."""

    async def question(ctx: Context, args: Mapping[str, Any]) -> str | None:
        found = estimate(args)
        # A read-only server refuses the flag before any request: there is nothing to ask; nor for a dry run.
        if found is None or args.get(DRY_RUN) or (flag and snov(ctx).read_only):
            return None
        return render(found, await ledger(ctx))

    return Confirmation("paid", question, instead)


def render(estimate: Estimate, book: Ledger) -> str:
    """The question; stable while the figures are, since a 2026-07-28 retry must see the same words."""
    cost = f"up to {credits(estimate.credits)}" if estimate.credits > 1 else credits(estimate.credits)
    lines = [f"Snov.io: {estimate.what} will spend {cost}" + (f" ({estimate.note})." if estimate.note else ".")]
    spent = f"This server has spent {credits(book.spent)} {book.period}"
    if book.ceiling is not None:
        left = max(0.0, book.ceiling - book.spent)
        spent += f", of its SNOV_MAX_CREDITS={book.ceiling:g} ({credits(left)} left)"
    lines.append(spent + ".")
    if book.balance is not None and book.balance_at is not None:
        at = time.strftime("%H:%M UTC on %d %b", time.gmtime(book.balance_at))
        lines.append(f"Account balance: {credits(book.balance)} at {at}.")
    else:
        lines.append("Account balance: not checked yet (snov_get_balance shows it, free).")
    lines.append("Spend the credits?")
    return "\n".join(lines)


def credits(n: float) -> str:
    return f"{n:g} credit" + ("" if n == 1 else "s")


def domain_search(a: Mapping[str, Any]) -> Estimate | None:
    if a.get("handle"):
        return None
    return Estimate(1, f"a domain search for {clean_domain(a['domain'])}", "nothing if Snov.io has no results")


def domain_prospects(a: Mapping[str, Any]) -> Estimate | None:
    pages = math.ceil(a["limit"] / 20)
    what = f"reading up to {a['limit']} prospects at {clean_domain(a['domain'])}"
    return Estimate(pages, what, "1 per page of 20; a page read before is free")


def prospect_email(a: Mapping[str, Any]) -> Estimate | None:
    return None if a.get("handle") else Estimate(1, "an email search for one prospect", "only if an email is found")


def domain_emails(noun: str) -> Callable[[Mapping[str, Any]], Estimate | None]:
    def estimate(a: Mapping[str, Any]) -> Estimate | None:
        pages = math.ceil(a["limit"] / 50)
        what = f"reading up to {a['limit']} {noun} of {clean_domain(a['domain'])}"
        return Estimate(pages, what, "1 per page of 50; a page read before is free")

    return estimate


def find_email(a: Mapping[str, Any]) -> Estimate | None:
    if not a.get("queue_if_missing") or a.get("handle"):
        return None
    who = f"{a['first_name'].strip()} {a['last_name'].strip()} at {clean_domain(a['domain'])}"
    return Estimate(1, f"searching the email of {who}", "nothing if Snov.io already knows it; 1 per email found")


def verify_emails(a: Mapping[str, Any]) -> Estimate | None:
    if not a.get("queue_unverified") or a.get("handle"):
        return None
    n = len({e.strip().lower() for e in a["emails"]})
    what = f"verifying {n} email" + ("" if n == 1 else "s")
    return Estimate(n, what, "only emails Snov.io never verified are charged; greylisted ones are free")


def profile_by_url(a: Mapping[str, Any]) -> Estimate | None:
    return None if a.get("handle") else Estimate(1, f"a profile lookup for {a['url'].strip()}")


def profile_by_email(a: Mapping[str, Any]) -> Estimate | None:
    return Estimate(1, f"a profile lookup for {a['email'].strip()}", "only if a profile is found")

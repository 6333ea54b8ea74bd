"""``dry_run`` and ``credits_spent`` for every paid Snov.io tool, declared once under ``@toolset.tool``:

    @spends(costs.domain_search)

adds ``dry_run`` (default false) to the tool's arguments. A dry run answers the most the call would cost, the
ceiling's remainder and the balance last read, and sends nothing. A real call's answer carries the credits it
counted against the ledger and, where ``SNOV_MAX_CREDITS`` is set, what is left of it.
"""

from __future__ import annotations

import functools
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from mcp.server.mcpserver import Context

from mcp_server.core.state import StateUnavailable
from mcp_server.providers.snov import costs
from mcp_server.providers.snov.client import snov
from mcp_server.providers.snov.spend_models import Spending

log = logging.getLogger("outbound_mcp.snov")
F = TypeVar("F", bound=Callable[..., Awaitable[Spending]])
Estimator = Callable[[Mapping[str, Any]], costs.Estimate | None]
DRY_RUN_PARAMETER = inspect.Parameter(
    costs.DRY_RUN,
    inspect.Parameter.KEYWORD_ONLY,
    default=False,
    annotation=bool,
)


def spends(estimate: Estimator) -> Callable[[F], F]:
    def wrap(fn: F) -> F:
        signature = inspect.signature(fn, eval_str=True)

        @functools.wraps(fn)
        async def run(*args: Any, **kwargs: Any) -> Spending:
            dry = bool(kwargs.pop(costs.DRY_RUN, False))
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            ctx = bound.arguments["ctx"]
            if dry:
                return await dry_run(ctx, estimate(bound.arguments))
            with snov(ctx).credits.metered() as meter:
                answer = await fn(*args, **kwargs)
            answer.credits_spent = meter.credits
            answer.credits_left = await credits_left(ctx)
            return answer

        run.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*signature.parameters.values(), DRY_RUN_PARAMETER]
        )
        return run  # type: ignore[return-value]

    return wrap


async def dry_run(ctx: Context, found: costs.Estimate | None) -> Spending:
    """What the call would cost, from its arguments and the ledger alone: no request goes upstream."""
    book = await costs.ledger(ctx)
    if found is None:
        most, cost = 0, "nothing: this call is free as asked"
    else:
        most, cost = found.credits, found.what + (f" ({found.note})" if found.note else "")
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(book.balance_at)) if book.balance_at else None
    left = None if book.ceiling is None else max(0.0, book.ceiling - book.spent)
    return Spending(
        dry_run=True,
        credits_at_most=most,
        cost=f"{cost}. Nothing was sent: call again without dry_run to run it.",
        credits_spent=0,
        credits_left=left,
        balance=book.balance,
        balance_at=at,
    )


async def credits_left(ctx: Context) -> float | None:
    """What is left of ``SNOV_MAX_CREDITS`` this period; None without a ceiling, or when the store cannot say
    (the credits were spent: the answer stands without the figure)."""
    try:
        return await snov(ctx).credits.left()
    except StateUnavailable as error:
        log.warning("the credit ledger could not be read for an answer: %s", error.message)
        return None

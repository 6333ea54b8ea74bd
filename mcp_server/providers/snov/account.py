"""Snov.io account: the credit balance, beside what this server has spent and may spend."""

from __future__ import annotations

from datetime import UTC, datetime

from mcp.server.mcpserver import Context

from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.core.upstream.values import number
from mcp_server.providers.snov.campaigns_models import body_of
from mcp_server.providers.snov.client import Endpoints, snov
from mcp_server.providers.snov.costs import remember_balance
from mcp_server.providers.snov.finder_models import Balance

toolset = Toolset("snov")
"""This module's tools, in the order the provider lists them (providers/snov/provider.py)."""


@toolset.tool("Get Snov.io credit balance", Access.READ, example={})
async def snov_get_balance(ctx: Context) -> Balance:
    """Credit balance, this server's spending against SNOV_MAX_CREDITS this period and when it ends, recipients used
    this month. Free."""
    service = snov(ctx)
    spent, ends = await service.credits.used()
    data = body_of(body_of((await Endpoints.balance.send(service.api)).data).get("data"))
    balance = number(data.get("balance") or 0, "credit balance", "Snov.io")
    await remember_balance(ctx, balance)  # shown in the next paid call's confirmation
    return Balance(
        balance=balance,
        spent_by_this_server=round(service.credits.spent, 2),
        max_credits=service.credits.ceiling,
        spent_this_period=round(spent, 2),
        credit_period=service.credits.period,
        period_ends_at=datetime.fromtimestamp(ends, UTC).isoformat().replace("+00:00", "Z"),
        recipients_used=data.get("unique_recipients_used", data.get("recipients_used")),
        teamwork=data.get("teamwork") if isinstance(data.get("teamwork"), bool) else None,
        limit_resets_in_days=data.get("limit_resets_in"),
        subscription_ends_in_days=data.get("expires_in"),
        hint=service.credits.hint(),
    )

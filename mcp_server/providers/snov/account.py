"""Snov.io account: the credit balance, beside what this server has spent and may spend."""

from __future__ import annotations

from mcp.server.mcpserver import Context

from mcp_server.core.tooling import Access
from mcp_server.providers.snov.campaigns_models import body_of
from mcp_server.providers.snov.client import snov
from mcp_server.providers.snov.costs import remember_balance
from mcp_server.providers.snov.finder_models import Balance
from mcp_server.providers.snov.toolset import toolset


@toolset.tool("Get Snov.io credit balance", Access.READ)
async def snov_get_balance(ctx: Context) -> Balance:
    """The account's credit balance, what this server process has spent (estimated before each paid call)
    and its SNOV_MAX_CREDITS ceiling, plus unique recipients used this month. Free."""
    service = snov(ctx)
    data = body_of(body_of((await service.api.request("GET", "v1/get-balance")).data).get("data"))
    balance = float(data.get("balance") or 0)
    await remember_balance(ctx, balance)  # shown in the next paid call's confirmation
    return Balance(
        balance=balance,
        spent_by_this_server=round(service.spent, 2),
        max_credits=service.max_credits,
        recipients_used=data.get("unique_recipients_used", data.get("recipients_used")),
        limit_resets_in_days=data.get("limit_resets_in"),
        subscription_ends_in_days=data.get("expires_in"),
    )

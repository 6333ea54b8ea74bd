"""The activity log: events by group, campaign, lead, user and time."""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from pydantic import AwareDatetime, Field

from mcp_server.core.errors import InvalidInput
from mcp_server.core.lists.listings import read
from mcp_server.core.tools.answer_models import Maybe, Paged
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.providers.persistiq.client import Lists
from mcp_server.providers.persistiq.models import CampaignId, Cursor, Event, LeadId, Limit, UserId

toolset = Toolset("persistiq")
"""This module's tools, in the order the provider lists them (providers/persistiq/provider.py)."""


@toolset.tool(
    "List PersistIQ events",
    Access.READ,
    example={"group": "lead_detail", "start_at": "2025-03-01T00:00:00+00:00", "limit": 50},
)
async def persistiq_list_events(
    ctx: Context,
    group: Annotated[
        Maybe[Literal["campaign", "settings", "lead_detail"]],
        Field(description="lead_detail: lead and message events"),
    ] = None,
    campaign: Maybe[CampaignId] = None,
    lead: Maybe[LeadId] = None,
    user: Annotated[Maybe[UserId], Field(description="Who acted")] = None,
    start_at: Maybe[AwareDatetime] = None,
    end_at: Maybe[AwareDatetime] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Paged[Event]:
    """Account activity: lead changes, messages sent, opened, clicked, replied (message_received), bounced, opted out;
    campaign and settings changes."""
    if start_at and end_at and start_at >= end_at:
        raise InvalidInput("start_at must be before end_at", field="end_at", hint="Swap or widen the times.")
    times = {"start_at": start_at.isoformat() if start_at else None, "end_at": end_at.isoformat() if end_at else None}
    filters = {"group": group, "campaign": campaign, "lead": lead, "user": user, **times}
    return Paged[Event].of(await read(ctx, Lists.events, limit, cursor, filters))

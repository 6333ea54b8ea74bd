"""Snov.io drip campaigns: the list, analytics, progress, recipient status and the email activity rows."""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_server.core.errors import ApiError, InvalidInput
from mcp_server.core.lists.listings import Listing, Offset, OnePage, read
from mcp_server.core.tools.answer_models import Collected, Items, Maybe, row_text
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.core.upstream.records import parse_each, skipped_note
from mcp_server.core.upstream.values import obj
from mcp_server.providers.snov.campaigns_models import (
    Activity,
    Analytics,
    Campaign,
    CampaignAnalytics,
    CampaignId,
    Cursor,
    Email,
    Limit,
    Progress,
    Recipient,
    RecipientStatus,
    as_list,
    recipient,
)
from mcp_server.providers.snov.client import Endpoints, Snov, api, snov
from mcp_server.providers.snov.reading import read as read_record

toolset = Toolset("snov")
"""This module's tools, in the order the provider lists them (providers/snov/provider.py)."""


def _campaign(raw: Any) -> Campaign:
    return read_record(Campaign, raw, "campaign")


ROW_CAP = 10_000
"""Activity rows Snov.io answers per request; ``offset`` reaches the older ones (none is sent for the first)."""


def _capped(body: Any, rows: list[Any]) -> bool:
    """A request that reached the cap may have left older rows (read at call time: tests lower it)."""
    return len(rows) >= ROW_CAP


ROWS = Offset(_capped, send_zero=False)
SHOWN = row_text(lambda row: row)  # answered as a table (Activity)
ACTIVITY = {
    tool: Listing(tool, api, endpoint, ROWS, as_list, recipient, "rows", skip_unreadable=False, shown=SHOWN)
    for tool, endpoint in {
        "snov_list_campaign_replies": Endpoints.replies,
        "snov_list_campaign_opens": Endpoints.opens,
        "snov_list_campaign_clicks": Endpoints.clicks,
        "snov_list_sent_emails": Endpoints.sent_emails,
    }.items()
}
COMPLETED = Listing(
    "snov_list_completed_prospects",
    api,
    Endpoints.completed_prospects,
    OnePage(),
    as_list,
    recipient,
    "prospects",
    skip_unreadable=False,
    shown=SHOWN,
)
ALL_TIME_FROM = date(2015, 1, 1)
"""Where "all time" starts when the API requires dates: before Snov.io had campaigns."""
Ids = Annotated[Maybe[list[int]], Field(max_length=100)]
Bodies = bool


@toolset.tool("List Snov.io campaigns", Access.READ, example={})
async def snov_list_campaigns(ctx: Context) -> Items[Campaign]:
    """Drip campaigns with their status and prospect list. Free."""
    response = await Endpoints.campaigns.send(snov(ctx).api)
    readable = parse_each(_campaign, as_list(response.data))
    hint = skipped_note(readable.skipped, "campaigns") if readable.skipped else None
    return Items[Campaign](items=readable.items, hint=hint)


@toolset.tool(
    "Get Snov.io campaign analytics",
    Access.READ,
    example={"date_from": "2025-01-01", "date_to": "2025-03-31", "campaign_ids": [237945]},
)
async def snov_get_campaign_analytics(
    ctx: Context,
    date_from: Maybe[date] = None,
    date_to: Annotated[Maybe[date], Field(description="Inclusive")] = None,
    campaign_ids: Ids = None,
    sender_email_ids: Ids = None,
    sender_linkedin_ids: Ids = None,
    campaign_owners: Annotated[Maybe[list[Email]], Field(max_length=50, description="Team members' emails")] = None,
    all_channels: bool = False,
) -> Analytics:
    """Email and LinkedIn campaign stats: totals, then a row per campaign (up to 20). Without campaign_ids only active
    campaigns count. All-zero LinkedIn metrics are left out unless all_channels. Free."""
    if date_from and date_to and date_from > date_to:
        raise InvalidInput("date_from is after date_to", field="date_from", hint="Give date_from <= date_to.")
    service = snov(ctx)
    dates = {"date_from": date_from, "date_to": date_to}
    filters = {
        "campaign_id": _joined(campaign_ids),
        "sender_email": _joined(sender_email_ids),
        "sender_linkedin": _joined(sender_linkedin_ids),
        "campaign_owner": _joined(campaign_owners),
    }
    if service.analytics_needs_dates:
        dates = _spelled_out(dates)
    try:
        data = await _analytics(service, dates, filters)
    except ApiError as error:
        # The older document lets both dates be empty (all time); the newer page requires them: one more try.
        if error.status not in (400, 422) or all(dates.values()):
            raise
        dates = _spelled_out(dates)
        data = await _analytics(service, dates, filters)
        service.analytics_needs_dates = True
    listed = as_list((await Endpoints.campaigns.send(service.api)).data)
    known = {c.id: c for c in parse_each(_campaign, listed).items}
    covered = (
        [known.get(i) or Campaign(id=i) for i in dict.fromkeys(campaign_ids)]
        if campaign_ids
        else [c for c in known.values() if (c.status or "").lower() == "active"]
    )
    rows: list[CampaignAnalytics] = []
    for c in covered[:MAX_CAMPAIGN_ROWS]:  # one campaign's row is the totals: no second request for it
        one = data if len(covered) == 1 else await _analytics(service, dates, {**filters, "campaign_id": str(c.id)})
        rows.append(CampaignAnalytics(campaign_id=c.id, name=c.name, status=c.status, stats=_shown(one, all_channels)))
    stats = _shown(data, all_channels)
    notes = [] if stats else ["Snov.io returned no metrics for these filters: check the ids and the dates."]
    if len(covered) > MAX_CAMPAIGN_ROWS:
        notes.append(f"Rows for the first {MAX_CAMPAIGN_ROWS} of {len(covered)} campaigns; the totals cover all.")
    if not all_channels and any(k in data for k in LINKEDIN) and not any(k in stats for k in LINKEDIN):
        notes.append("The LinkedIn metrics were all zero and are left out (all_channels=true shows them).")
    return Analytics(
        date_from=_iso(dates["date_from"]),
        date_to=_iso(dates["date_to"]),
        scope=_scope(covered, bool(campaign_ids)),
        stats=stats,
        campaigns=rows or None,
        hint=" ".join(notes) or None,
    )


MAX_CAMPAIGN_ROWS = 20
"""Campaign rows one answer carries (a request each)."""
LINKEDIN = frozenset(
    {
        "contacted_by_linkedin",
        "linkedin_total_replies",
        "linkedin_total_replies_rate",
        "connection_request_replies",
        "connection_request_replies_rate",
        "message_replies",
        "message_replies_rate",
        "in_mail_replies",
        "in_mail_replies_rate",
        "connection_requests",
        "accepted_requests",
        "accepted_requests_rate",
        "failed_connection_requests",
        "messages_sent",
        "linkedin_views",
        "linkedin_likes",
        "linkedin_follows",
        "in_mail_sent",
    }
)
"""The LinkedIn block of Snov.io's analytics, as its document lists it."""


def _shown(data: dict[str, Any], all_channels: bool) -> dict[str, Any]:
    """The metrics as answered, less the LinkedIn block when every value in it is zero (unless asked)."""
    stats = {k: v for k, v in data.items() if isinstance(v, int | float | str) and v != ""}
    if all_channels or any(stats.get(k) not in (0, "0%", None) for k in LINKEDIN):
        return stats
    return {k: v for k, v in stats.items() if k not in LINKEDIN}


def _scope(covered: list[Campaign], asked: bool) -> str:
    named = ", ".join(f"{c.id} {c.name!r}" if c.name else str(c.id) for c in covered) or "none"
    if asked:
        return f"The campaigns asked for: {named}."
    return f"Snov.io's default, the active campaigns only ({len(covered)}): {named}. Pass campaign_ids for others."


async def _analytics(service: Snov, dates: dict[str, date | None], filters: dict[str, str | None]) -> dict[str, Any]:
    params = _filled({**{k: _iso(v) for k, v in dates.items()}, **filters})
    response = await Endpoints.campaign_analytics.send(service.api, params=params)
    return obj(response.data)


def _spelled_out(dates: dict[str, date | None]) -> dict[str, date | None]:
    """All time as explicit dates, for an API that requires both."""
    today = datetime.now(UTC).date()
    return {"date_from": dates["date_from"] or ALL_TIME_FROM, "date_to": dates["date_to"] or today}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


@toolset.tool("Get Snov.io campaign progress", Access.READ, example={"campaign_id": 237945})
async def snov_get_campaign_progress(ctx: Context, campaign_id: CampaignId) -> Progress:
    """A campaign's status, share of recipients done and number still in the sequence. Free."""
    response = await Endpoints.campaign_progress.at(campaign_id=campaign_id).send(snov(ctx).api)
    data = obj(response.data)
    return Progress(
        campaign_id=campaign_id,
        status=data.get("status"),
        progress=data.get("progress"),
        unfinished=data.get("unfinished"),
    )


@toolset.tool(
    "Change Snov.io recipient status",
    Access.IDEMPOTENT_WRITE,
    example={"campaign_id": 237945, "email": "jane.doe@acme.com", "status": "Paused"},
)
async def snov_change_recipient_status(
    ctx: Context,
    campaign_id: CampaignId,
    email: Email,
    status: Literal["Active", "Paused", "Unsubscribed"],
) -> RecipientStatus:
    """Pause, resume (Active) or unsubscribe one recipient of a campaign. Free. Finished or Moved recipients cannot be
    changed."""
    form = {"email": email, "campaign_id": campaign_id, "status": status}
    await Endpoints.recipient_status.send(snov(ctx).api, data=form)
    return RecipientStatus(email=email, campaign_id=campaign_id, status=status)


@toolset.tool("List Snov.io completed prospects", Access.READ, example={"campaign_id": 237945, "limit": 20})
async def snov_list_completed_prospects(
    ctx: Context, campaign_id: CampaignId, limit: Limit = 100, cursor: Cursor = None
) -> Activity:
    """Recipients who finished a campaign's sequence. Free."""
    return Activity.of_campaign(await read(ctx, COMPLETED, limit, cursor, {"campaignId": campaign_id}), campaign_id)


@toolset.tool("List Snov.io campaign replies", Access.READ, example={"campaign_id": 237945, "limit": 20})
async def snov_list_campaign_replies(
    ctx: Context, campaign_id: CampaignId, limit: Limit = 100, cursor: Cursor = None, include_bodies: Bodies = False
) -> Activity:
    """Replies to a campaign, newest first. Free. Bodies only with include_bodies."""
    return await _activity(ctx, "snov_list_campaign_replies", campaign_id, limit, cursor, include_bodies)


@toolset.tool("List Snov.io campaign opens", Access.READ, example={"campaign_id": 237945, "limit": 20})
async def snov_list_campaign_opens(
    ctx: Context, campaign_id: CampaignId, limit: Limit = 100, cursor: Cursor = None, include_bodies: Bodies = False
) -> Activity:
    """Email opens in a campaign, newest first. Free. Bodies only with include_bodies."""
    return await _activity(ctx, "snov_list_campaign_opens", campaign_id, limit, cursor, include_bodies)


@toolset.tool("List Snov.io campaign clicks", Access.READ, example={"campaign_id": 237945, "limit": 20})
async def snov_list_campaign_clicks(
    ctx: Context, campaign_id: CampaignId, limit: Limit = 100, cursor: Cursor = None, include_bodies: Bodies = False
) -> Activity:
    """Link clicks in a campaign, newest first. Free. Bodies only with include_bodies."""
    return await _activity(ctx, "snov_list_campaign_clicks", campaign_id, limit, cursor, include_bodies)


@toolset.tool("List Snov.io sent emails", Access.READ, example={"campaign_id": 237945, "limit": 20})
async def snov_list_sent_emails(
    ctx: Context, campaign_id: CampaignId, limit: Limit = 100, cursor: Cursor = None
) -> Activity:
    """Emails a campaign sent, newest first. Free."""
    return await _activity(ctx, "snov_list_sent_emails", campaign_id, limit, cursor, False)


async def _activity(
    ctx: Context, tool: str, campaign_id: int, limit: int, cursor: str | None, bodies: bool
) -> Activity:
    return Activity.of_campaign(await activity_rows(ctx, tool, campaign_id, limit, cursor, bodies), campaign_id)


async def activity_rows(
    ctx: Context, tool: str, campaign_id: int, limit: int, cursor: str | None, bodies: bool
) -> Collected[Recipient]:
    """Activity rows read by ``offset`` (up to ``ROW_CAP`` a request) until ``limit``, as records."""
    listing = replace(ACTIVITY[tool], record=functools.partial(recipient, bodies=bodies))
    return await read(ctx, listing, limit, cursor, {"campaignId": campaign_id})


def _joined(values: list[Any] | None) -> str | None:
    return ",".join(str(v) for v in values) if values else None


def _filled(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}

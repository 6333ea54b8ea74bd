"""outreach_campaign_report: per campaign sent / opens / clicks / replies and who replied, both vendors."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_server.apps.uris import REPORT_URI
from mcp_server.core.call.progress import from_context
from mcp_server.core.tools.answer_models import Maybe
from mcp_server.core.tools.answers import untrusted
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.outcomes.common import closest, read_all
from mcp_server.outcomes.models import CampaignLine, CampaignReport, Replier, campaigns_table, repliers_table
from mcp_server.providers.persistiq.client import Lists as PersistIQLists
from mcp_server.providers.snov.campaigns import (
    activity_rows,
    snov_get_campaign_analytics,
    snov_list_campaigns,
)
from mcp_server.providers.snov.campaigns_models import Recipient

toolset = Toolset("outcomes")

REPLIERS = 50
"""Repliers listed per campaign at most (the count is always whole)."""
EVENTS_CAP = 5000
"""PersistIQ events read per campaign to find who replied."""
FIRST_LINE = 120
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
UNSUBSCRIBE = re.compile(
    r"unsubscribe|remove me|opt(ed)?[ -]?out|stop (e-?mailing|contacting|sending)|take me off", re.I
)
_TAG = re.compile(r"<[^>]{0,200}>")
Vendor = Literal["snov", "persistiq"]


def first_line(body: str | None) -> tuple[str | None, bool | None]:
    """A reply's first line (fenced: a stranger wrote it) and whether the reply asks to unsubscribe."""
    if not body:
        return None, None
    text = _TAG.sub("\n", body.replace("<untrusted-content>", "").replace("</untrusted-content>", ""))
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    line = _SENTENCE_END.split(line, maxsplit=1)[0]  # the first sentence says what the reply is about
    return untrusted(line, FIRST_LINE), True if UNSUBSCRIBE.search(text) else None


def _matches(name: str | None, wanted: str | None) -> bool:
    return not wanted or wanted.lower() in (name or "").lower()


@toolset.tool(
    "Campaign report (Snov.io and PersistIQ)",
    Access.READ,
    meta={"ui": {"resourceUri": REPORT_URI}},
    example={"vendors": ["snov"], "campaign": "mass"},
)
async def outreach_campaign_report(
    ctx: Context,
    vendors: Annotated[Maybe[list[Vendor]], Field(max_length=2)] = None,
    campaign: Annotated[Maybe[str], Field(min_length=1, max_length=200, description="Part of the name")] = None,
    repliers: Annotated[bool, Field(description="With each reply's first line")] = True,
) -> CampaignReport:
    """Every Snov.io and PersistIQ campaign, paused and finished too, in one table: sent, opens, clicks, replies,
    bounced, and who replied. Free."""
    chosen = vendors or ["snov", "persistiq"]
    progress = from_context(ctx)
    lines: list[CampaignLine] = []
    names: list[str] = []
    if "snov" in chosen:
        await progress(0, None, "reading Snov.io campaigns")
        lines += await _snov(ctx, campaign, repliers, names)
    if "persistiq" in chosen:
        await progress(1, None, "reading PersistIQ campaigns")
        lines += await _persistiq(ctx, campaign, repliers, names)
    hint = None
    if campaign and not lines:
        near = ", ".join(f'"{n}"' for n in closest(campaign, names)) or "none is close"
        hint = f'No campaign name contains "{campaign}". Closest: {near}.'
    return CampaignReport(campaigns=campaigns_table(lines), hint=hint)


async def _snov(ctx: Context, wanted: str | None, with_repliers: bool, names: list[str]) -> list[CampaignLine]:
    listed = await snov_list_campaigns(ctx)
    lines: list[CampaignLine] = []
    for camp in listed.items:
        names.append(camp.name or str(camp.id))
        if not _matches(camp.name, wanted):
            continue
        stats: dict[str, Any] = (await snov_get_campaign_analytics(ctx, campaign_ids=[camp.id])).stats
        line = CampaignLine(
            provider="snov",
            id=str(camp.id),
            name=camp.name,
            status=camp.status,
            sent=_int(stats.get("emails_sent")),
            opens=_int(stats.get("email_opens")),
            clicks=_int(stats.get("link_clicks")),
            replies=_int(stats.get("email_replies")),
            bounced=_int(stats.get("bounced")),
        )
        if with_repliers and line.replies:
            page = await activity_rows(ctx, "snov_list_campaign_replies", camp.id, REPLIERS, None, bodies=True)
            line.repliers = repliers_table([_snov_replier(row) for row in page.items])
        lines.append(line)
    return lines


def _snov_replier(row: Recipient) -> Replier:
    line, unsubscribe = first_line(row.body)
    return Replier(name=row.name, email=row.email, at=_minutes(row.at), first_line=line, unsubscribe=unsubscribe)


async def _persistiq(ctx: Context, wanted: str | None, with_repliers: bool, names: list[str]) -> list[CampaignLine]:
    campaigns, _ = await read_all(ctx, PersistIQLists.campaigns, {}, 10_000)
    lines: list[CampaignLine] = []
    for camp in campaigns:
        names.append(camp.name or camp.id)
        if not _matches(camp.name, wanted):
            continue
        stats = camp.stats
        line = CampaignLine(
            provider="persistiq",
            id=camp.id,
            name=camp.name,
            sent=stats.prospects_contacted if stats else None,
            opens=stats.prospects_opened if stats else None,
            replies=stats.prospects_replied if stats else None,
            bounced=stats.prospects_bounced if stats else None,
        )
        if with_repliers and line.replies:
            events, _ = await read_all(
                ctx, PersistIQLists.events, {"campaign": camp.id, "group": "lead_detail"}, EVENTS_CAP
            )
            replied = [e for e in events if e.kind == "message_received" and e.lead is not None]
            people = {e.lead.id or e.lead.email: e for e in replied if e.lead}
            line.repliers = repliers_table(
                [
                    Replier(
                        name=" ".join(p for p in (e.lead.first_name, e.lead.last_name) if p) or None,
                        email=e.lead.email,
                        at=_minutes(e.event_at),
                    )
                    for e in list(people.values())[:REPLIERS]
                    if e.lead
                ]
            )
        lines.append(line)
    return lines


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) else None


def _minutes(at: str | None) -> str | None:
    """``2025-06-02 22:36:00`` (or an ISO time) to the minute: seconds tell a reader nothing here."""
    return at[:16] if at and len(at) >= 16 else at

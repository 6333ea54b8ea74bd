"""outreach_lead_counts: leads counted by status, campaign or owner, read in the server, never streamed."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_server.app.providers import state_of
from mcp_server.core.call.progress import from_context
from mcp_server.core.tools.answer_models import Maybe
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.outcomes.common import read_all
from mcp_server.outcomes.models import LeadCounts
from mcp_server.providers.epixel.client import read_list
from mcp_server.providers.epixel.leads import LEADS as EPIXEL_LEADS
from mcp_server.providers.persistiq.client import Lists as PersistIQLists

toolset = Toolset("outcomes")

CAP = 50_000
"""Leads read per provider at most; past it the answer says the counts are of the first CAP."""
Provider = Literal["persistiq", "epixel"]
CAMPAIGN_STATS = ("contacted", "reached", "opened", "replied", "bounced", "optedout")


@toolset.tool("Count leads by status, campaign or owner", Access.READ, example={"by": "campaign"})
async def outreach_lead_counts(
    ctx: Context,
    by: Annotated[
        Literal["status", "campaign", "owner"],
        Field(description="campaign: PersistIQ only; owner: Epixel only"),
    ] = "status",
    providers: Annotated[Maybe[list[Provider]], Field(max_length=2)] = None,
    statuses: Annotated[
        Maybe[list[Annotated[str, Field(min_length=1, max_length=100)]]],
        Field(max_length=20, description="Only these; zero counts kept"),
    ] = None,
) -> LeadCounts:
    """Lead counts per status, PersistIQ campaign or Epixel owner, counted in the server. Free. The leads themselves:
    persistiq_list_leads, epixel_list_leads."""
    able: list[Provider] = (
        ["persistiq"] if by == "campaign" else ["epixel"] if by == "owner" else ["persistiq", "epixel"]
    )
    on = state_of(ctx).settings.enabled_providers()
    chosen = providers or [p for p in able if p in on]
    off = [p for p in chosen if p not in on]
    if off or not chosen:
        return LeadCounts(counts={}, totals={}, hint=f"Not configured on this server: {', '.join(off or able)}.")
    wrong = [p for p in chosen if (by == "campaign" and p != "persistiq") or (by == "owner" and p != "epixel")]
    if wrong:
        from_what = "PersistIQ campaigns" if by == "campaign" else "Epixel owners"
        return LeadCounts(counts={}, totals={}, hint=f"by={by} counts {from_what} only; {', '.join(wrong)} cannot.")
    progress = from_context(ctx)
    counts: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    notes: list[str] = []
    wanted = [s.lower() for s in statuses or []]
    for step, provider in enumerate(chosen):
        await progress(step, len(chosen), f"counting {provider} leads")
        if by == "campaign":
            campaigns, _ = await read_all(ctx, PersistIQLists.campaigns, {}, CAP)
            for campaign in campaigns:
                stats = campaign.stats.model_dump() if campaign.stats else {}
                shown = [stat for stat in CAMPAIGN_STATS if not wanted or stat in wanted]
                counts[campaign.name or campaign.id] = {stat: stats.get(f"prospects_{stat}") or 0 for stat in shown}
            totals[provider] = len(campaigns)
            notes.append("PersistIQ counts per campaign are its own stats (prospects contacted, replied...).")
            continue
        tally, total, cut = await _tally(ctx, provider, by)
        totals[provider] = total
        values = wanted or sorted(tally, key=lambda v: (-tally[v], v))
        counts[f"{provider} {by}"] = {value: tally.get(value, 0) for value in values}
        if cut:
            notes.append(f"{provider}: only the first {CAP} leads were counted.")
        unknown = [value for value in wanted if value not in tally]
        if unknown:
            known = ", ".join(sorted(tally)) or "none"
            notes.append(f"{provider}: no lead has {by} {', '.join(unknown)} (0; its {by} values: {known}).")
    return LeadCounts(counts=counts, totals=totals, hint=" ".join(notes) or None)


async def _tally(ctx: Context, provider: str, by: str) -> tuple[Counter[str], int, bool]:
    """Leads per value of ``by``: PersistIQ's every lead; Epixel's owned and assigned leads, each once."""
    if provider == "persistiq":
        leads, cut = await read_all(ctx, PersistIQLists.leads, {}, CAP)
        return Counter((lead.status or "none").lower() for lead in leads), len(leads), cut
    owned, cut = await read_all(ctx, EPIXEL_LEADS, {}, CAP, read_list)
    assigned, more = await read_all(ctx, EPIXEL_LEADS, {"list_type": "assigned"}, CAP, read_list)
    unique = {lead.slug: lead for lead in [*owned, *assigned]}
    key = "owner" if by == "owner" else "status"
    tally = Counter(str(getattr(lead, key) or "none").lower() for lead in unique.values())
    return tally, len(unique), cut or more

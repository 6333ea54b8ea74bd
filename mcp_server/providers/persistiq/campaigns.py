"""Campaign tools: list with stats, add leads 100 per request, remove one lead."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_server.core.call.progress import from_context
from mcp_server.core.errors import ApiError
from mcp_server.core.lists.batches import run_batches
from mcp_server.core.lists.listings import read
from mcp_server.core.tools.answer_models import Maybe, Paged
from mcp_server.core.tools.choices import closest
from mcp_server.core.tools.confirmations import Absent, checked, in_words
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.core.upstream.values import obj, objs
from mcp_server.providers.persistiq.batches import CampaignOutcome, campaign_outcome, failures
from mcp_server.providers.persistiq.client import LABEL, Endpoints, Lists, persistiq
from mcp_server.providers.persistiq.models import (
    AddedToCampaign,
    Campaign,
    CampaignId,
    Cursor,
    LeadId,
    Limit,
    MailboxId,
    Removed,
    UserId,
)

toolset = Toolset("persistiq")
"""This module's tools, in the order the provider lists them (providers/persistiq/provider.py)."""

ADD_BATCH = 100


@toolset.tool("List PersistIQ campaigns", Access.READ, example={"name_contains": "solar", "limit": 20})
async def persistiq_list_campaigns(
    ctx: Context,
    lead_id: Maybe[LeadId] = None,
    owner_id: Maybe[UserId] = None,
    name: Annotated[Maybe[str], Field(min_length=1, max_length=200, description="Exact campaign name")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
    name_contains: Annotated[Maybe[str], Field(min_length=1, max_length=200, description="Any case")] = None,
) -> Paged[Campaign]:
    """Campaigns with creator and stats. A name that matches nothing answers the closest names."""
    filters = {"lead_id": lead_id, "owner_id": owner_id, "name": name}
    part = name_contains.casefold() if name_contains else None

    def keep(raw: list[Any]) -> list[Any]:  # PersistIQ matches whole names only: a part is matched here
        return [r for r in raw if part is None or part in str(obj(r).get("name") or "").casefold()]

    got = await read(ctx, Lists.campaigns, limit, cursor, filters, keep=keep, local={"name_contains": name_contains})
    if not got.items and not cursor and (name or name_contains):
        got.hint = " ".join(filter(None, [got.hint, await _closest_names(ctx, name or name_contains or "")]))
    return Paged[Campaign].of(got)


async def _closest_names(ctx: Context, wanted: str) -> str:
    """The campaign names most like ``wanted``, from the first page of all campaigns."""
    everything = await read(ctx, Lists.campaigns, 1000, None, {})
    near = closest(wanted, [c.name for c in everything.items if c.name])
    if not near:
        return "No campaign name is close to it."
    return f"Closest campaign names: {', '.join(near)} (name matches exactly; name_contains matches a part)."


@toolset.tool(
    "Add PersistIQ leads to a campaign", Access.WRITE, example={"campaign_id": "c_qJPoxg", "lead_ids": ["l_KCOLKD"]}
)
async def persistiq_add_leads_to_campaign(
    ctx: Context,
    campaign_id: CampaignId,
    lead_ids: Annotated[list[LeadId], Field(min_length=1, max_length=5000)],
    mailbox_id: Annotated[Maybe[MailboxId], Field(description="A user's default_mailbox_id")] = None,
) -> AddedToCampaign:
    """Add up to 5000 leads to a campaign, 100 per request; a failed batch stops no other. Answers those added and
    already in it, and each failure. Its campaign-lead ids are left out: no tool takes them."""
    api = persistiq(ctx).api
    endpoint = Endpoints.add_campaign_leads.at(campaign_id=campaign_id)
    unique = list(dict.fromkeys(lead_ids))
    deadline = api.deadline()  # one for the whole call: batches past it are reported as not sent

    async def send(batch: list[str]) -> CampaignOutcome:
        body: dict[str, object] = {"leads": [{"id": lead_id} for lead_id in batch]}
        if mailbox_id:
            body["mailbox_id"] = mailbox_id
        response = await endpoint.send(api, json_body=body, deadline=deadline)
        return campaign_outcome(batch, response.data)

    report = await run_batches(unique, ADD_BATCH, send, progress=from_context(ctx), noun="leads")
    added: list[str] = []
    skipped: list[str] = []
    mailboxes: set[str] = set()
    failed = failures(report.failed, str)
    for _, outcome in report.done:
        added += outcome.added
        mailboxes |= outcome.mailboxes
        skipped += outcome.skipped
        failed += outcome.failed
    hint = None
    if any("404" in f.error for f in failed):
        hint = "A 404 means the campaign or a lead id does not exist: check them with the list tools."
    # One mailbox named for every lead added: it sends. Several (or none): the answer leaves it out.
    sender = next(iter(mailboxes)) if len(mailboxes) == 1 else None
    return AddedToCampaign(
        campaign_id=campaign_id,
        added=added,
        mailbox_id=sender,
        skipped=skipped or None,
        failed=failed or None,
        hint=hint,
    )


async def membership_named(ctx: Context, campaign_id: str, lead_id: str) -> str:
    """The removal in words: the lead (one read) and the campaign among the lead's campaigns (one more);
    ``Absent`` when the lead does not exist or is not in that campaign (told only from a complete page)."""
    api = persistiq(ctx).api
    try:
        body = obj((await Endpoints.lead.at(lead_id=lead_id).send(api)).data)
    except ApiError as error:
        if error.status != 404:
            raise
        raise Absent(f"PersistIQ has no lead {lead_id}, so there is nothing to remove", provider=LABEL) from None
    page = obj((await Endpoints.campaigns.send(api, params={"lead_id": lead_id})).data)
    campaigns = objs(page.get("campaigns"))
    named = next((str(c.get("name") or "") for c in campaigns if c.get("id") == campaign_id), None)
    # The raw fields (the lead tools fence long ones): a question shows them on one clipped line.
    raw = obj(body.get("lead") or next(iter(body.get("leads") or []), None))
    fields = {key: str(value) for key, value in obj(raw.get("data")).items() if isinstance(value, str) and value}
    name = " ".join(fields[part] for part in ("first_name", "last_name") if part in fields)
    person = in_words(name or fields.get("email") or lead_id)
    company = fields.get("company_name")
    who = f"{person} ({in_words(company)})" if company else person
    if named is None and not page.get("has_more"):
        raise Absent(
            f"PersistIQ lead {who} is not in campaign {campaign_id}, so there is nothing to remove",
            provider=LABEL,
            hint=f"persistiq_list_campaigns(lead_id={lead_id}) lists the lead's campaigns.",
        )
    campaign = f"campaign {in_words(named)}" if named else f"campaign {campaign_id}"
    return f"Remove PersistIQ lead {who} from {campaign}"


@toolset.tool(
    "Remove a lead from a PersistIQ campaign",
    Access.DESTRUCTIVE,
    confirm=checked(
        lambda ctx, a: membership_named(ctx, a["campaign_id"], a["lead_id"]),
        "The lead gets no more of the campaign's emails.",
    ),
    example={"campaign_id": "c_qJPoxg", "lead_id": "l_k1EdwJ"},
)
async def persistiq_remove_lead_from_campaign(
    ctx: Context,
    campaign_id: CampaignId,
    lead_id: LeadId,
) -> Removed:
    """Remove a lead from a campaign: it gets no more of its emails. The API cannot undo it."""
    await Endpoints.remove_campaign_lead.at(campaign_id=campaign_id, lead_id=lead_id).send(persistiq(ctx).api)
    return Removed(campaign_id=campaign_id, lead_id=lead_id, removed=True)

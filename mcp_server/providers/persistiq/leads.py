"""Users and leads: list, get, create in batches of 10, update; the lead statuses and fields."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import AwareDatetime, Field

from mcp_server.apps.uris import LEADS_URI
from mcp_server.core.call.progress import from_context
from mcp_server.core.errors import BadResponse, InvalidInput, OutboundError, describe
from mcp_server.core.lists.batches import run_batches
from mcp_server.core.lists.listings import read
from mcp_server.core.tools.answer_models import Maybe, Table
from mcp_server.core.tools.choices import known
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.core.upstream.client import ApiClient
from mcp_server.core.upstream.values import obj
from mcp_server.providers.persistiq.batches import LeadOutcome, differs, failures, maybe, split_outcome
from mcp_server.providers.persistiq.client import LABEL, Endpoints, Lists, RebasedLink, parse, persistiq, records
from mcp_server.providers.persistiq.models import (
    CreatedLeads,
    Cursor,
    Failure,
    FieldName,
    FieldPairs,
    Lead,
    LeadField,
    LeadId,
    LeadRef,
    LeadRow,
    LeadStatus,
    Limit,
    Listing,
    NewLead,
    StatusId,
    StatusName,
    User,
    UserId,
)

toolset = Toolset("persistiq")
"""This module's tools, in the order the provider lists them (providers/persistiq/provider.py)."""

CREATE_BATCH = 10


def one_lead(data: Any) -> Lead:
    """``{"lead": {...}}`` (update) or ``{"leads": [{...}]}`` (get)."""
    body = obj(data)
    raw = body.get("lead") or next(iter(body.get("leads") or []), None)
    if raw is None:
        raise BadResponse("PersistIQ answered without the lead", provider=LABEL)
    return parse(Lead, raw, "lead")


async def status_name(api: ApiClient, status: str) -> str:
    """``status`` as PersistIQ spells it, or refused (nothing else sent) naming the company's statuses."""
    statuses = records((await Endpoints.lead_statuses.send(api)).data, "lead_statuses", LeadStatus, "lead status")
    return known(status, [s.name for s in statuses], "status", "lead status", "persistiq_list_lead_statuses")


USER_PAGES = 20
"""Pages of users read at most (the document shows no paging here; real answers carry has_more)."""
USERS_PAGES = RebasedLink(path=Endpoints.users.path)


def stale_lead(email: str, sent: dict[str, dict[str, Any]], outcome: LeadOutcome) -> bool:
    """A lead answered under dup=skip that holds other values than were sent: an existing one, left alone."""
    key = email.lower()
    return key in sent and differs(sent[key], outcome.answered.get(key, {}))


@toolset.tool("List PersistIQ users", Access.READ, example={})
async def persistiq_list_users(ctx: Context) -> Listing[User]:
    """The company's users (not archived): ids for creator_id and owner_id, and the default_mailbox_id
    persistiq_add_leads_to_campaign takes."""
    api, users, target = persistiq(ctx).api, list[User](), None
    for _ in range(USER_PAGES):
        link = Endpoints.users.link if target else None
        response = await Endpoints.users.send(api, target, link=link)
        users += records(response.data, "users", User, "user")
        _, target = USERS_PAGES.read(None, response.data, [])
        if target is None:
            return Listing[User](items=users)
    hint = f"Only the first {USER_PAGES} pages of users were read: the company has more."
    return Listing[User](items=users, hint=hint)


@toolset.tool(
    "List PersistIQ leads",
    Access.READ,
    meta={"ui": {"resourceUri": LEADS_URI}},
    example={"status": "Replied", "limit": 20},
)
async def persistiq_list_leads(
    ctx: Context,
    status: Maybe[StatusName] = None,
    updated_after: Maybe[AwareDatetime] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Table[LeadRow]:
    """Leads, a row each. An unknown status is refused naming the known ones. Every field: persistiq_get_lead."""
    if status:
        status = await status_name(persistiq(ctx).api, status)
    filters = {"status": status, "updated_after": updated_after.isoformat() if updated_after else None}
    return Table[LeadRow].of(await read(ctx, Lists.leads, limit, cursor, filters), LeadRow.of)


@toolset.tool("Get a PersistIQ lead", Access.READ, example={"lead_id": "l_KCOLKD"})
async def persistiq_get_lead(ctx: Context, lead_id: LeadId) -> Lead:
    """One lead by id: its status and every field that has a value."""
    response = await Endpoints.lead.at(lead_id=lead_id).send(persistiq(ctx).api)
    return one_lead(response.data)


@toolset.tool(
    "Create PersistIQ leads",
    Access.WRITE,
    example={"leads": [{"email": "ann.lee@acme.com", "first_name": "Ann", "last_name": "Lee"}]},
)
async def persistiq_create_leads(
    ctx: Context,
    leads: Annotated[list[NewLead], Field(min_length=1, max_length=1000)],
    dup: Annotated[Literal["skip", "update"], Field(description="For a lead with the same email")] = "skip",
    creator_id: Annotated[Maybe[UserId], Field(description="From persistiq_list_users")] = None,
) -> CreatedLeads:
    """Create up to 1000 leads, 10 per request; a failed batch stops no other. Answers ids created, updated (dup=update)
    or skipped, and each failure. Other fields are left out: they are what was sent. Next:
    persistiq_add_leads_to_campaign."""
    api = persistiq(ctx).api
    deadline = api.deadline()  # one for the whole call: batches past it are reported as not sent
    extra: dict[str, Any] = {"creator_id": creator_id} if creator_id else {}

    async def post(batch: list[NewLead], how: str) -> LeadOutcome:
        body = {"dup": how, **extra, "leads": [lead.model_dump(exclude_none=True) for lead in batch]}
        response = await Endpoints.create_leads.send(api, json_body=body, deadline=deadline)
        return split_outcome([lead.email for lead in batch], response.data, how)

    async def send(batch: list[NewLead]) -> LeadOutcome:
        outcome = await post(batch, "skip")
        # Existing leads come back either as duplicates (skipped) or, as real servers were recorded doing, listed
        # like created ones but still holding their old values: those are existing leads too, not created.
        sent = {lead.email.lower(): lead.model_dump(exclude_none=True) for lead in batch}
        stale = {ref.email.lower() for ref in outcome.created if ref.email and stale_lead(ref.email, sent, outcome)}
        outcome.created = [ref for ref in outcome.created if not (ref.email and ref.email.lower() in stale)]
        if dup == "skip":
            outcome.skipped += [lead.email for lead in batch if lead.email.lower() in stale]
            return outcome
        # PersistIQ answers updated and created leads alike: dup=skip first tells them apart, then the existing
        # ones go again with dup=update.
        existing = {email.lower() for email in outcome.skipped} | stale
        if not existing:
            return outcome
        again = [lead for lead in batch if lead.email.lower() in existing]
        try:
            second = await post(again, "update")
        except OutboundError as error:
            unsent = [lead.email for lead in again]
            outcome.failed.append(Failure(leads=unsent, error=describe(error), maybe_applied=maybe(error)))
            outcome.skipped = []
            return outcome
        outcome.updated, outcome.skipped = second.created, second.skipped
        outcome.failed += second.failed
        return outcome

    report = await run_batches(leads, CREATE_BATCH, send, progress=from_context(ctx), noun="leads")
    created: list[LeadRef] = []
    updated: list[LeadRef] = []
    skipped: list[str] = []
    failed = failures(report.failed, lambda lead: lead.email)
    for _, outcome in report.done:
        created += outcome.created
        updated += outcome.updated
        skipped += outcome.skipped
        failed += outcome.failed
    hint = None
    if failed:
        hint = "Fix the failed leads and send only those again (dup=skip keeps the others from doubling)."
    # New leads start alike: one status for all is said once, not per lead (a 1000-lead answer stays small).
    shared = {ref.status for ref in created}
    created_status = shared.pop() if len(shared) == 1 else None
    if created_status:
        created = [ref.model_copy(update={"status": None}) for ref in created]
    return CreatedLeads(
        created=created,
        created_status=created_status,
        updated=updated or None,
        skipped=skipped or None,
        failed=failed or None,
        hint=hint,
    )


@toolset.tool(
    "Update a PersistIQ lead",
    Access.IDEMPOTENT_WRITE,
    example={"lead_id": "l_KCOLKD", "data": [{"name": "title", "value": "CTO"}]},
)
async def persistiq_update_lead(
    ctx: Context,
    lead_id: LeadId,
    data: Annotated[Maybe[FieldPairs], Field(description="Fields to set (persistiq_list_lead_fields)")] = None,
    clear: Annotated[Maybe[list[FieldName]], Field(description="Field names to empty", max_length=100)] = None,
    status: Maybe[StatusName] = None,
    status_id: Annotated[Maybe[StatusId], Field(description="Or the status's id")] = None,
    bounced: Maybe[bool] = None,
    optedout: Maybe[bool] = None,
) -> Lead:
    """Change a lead: only what is given is sent; fields in clear are emptied. Answers the lead as it is now."""
    both = sorted(set(data or {}) & set(clear or []))
    if both:
        raise InvalidInput(
            f"{', '.join(both)} both set in data and listed in clear", field="clear", hint="Set or clear a field."
        )
    if status and status_id:
        raise InvalidInput("give status or status_id, not both", field="status_id", hint="Leave one out.")
    if status:
        status = await status_name(persistiq(ctx).api, status)
    body: dict[str, Any] = {
        key: value
        for key, value in {"status": status, "status_id": status_id, "bounced": bounced, "optedout": optedout}.items()
        if value is not None
    }
    fields = {**(data or {}), **dict.fromkeys(clear or [], "")}  # "" clears, as the document's example does
    if fields:
        body["data"] = fields
    if not body:
        raise InvalidInput(
            "nothing to change", field="data", hint="Give data, clear, status, status_id, bounced or optedout."
        )
    response = await Endpoints.update_lead.at(lead_id=lead_id).send(persistiq(ctx).api, json_body=body)
    return one_lead(response.data)


@toolset.tool("List PersistIQ lead statuses", Access.READ, example={})
async def persistiq_list_lead_statuses(ctx: Context) -> Listing[LeadStatus]:
    """The lead statuses: names persistiq_list_leads filters by and persistiq_update_lead sets."""
    response = await Endpoints.lead_statuses.send(persistiq(ctx).api)
    return Listing[LeadStatus](items=records(response.data, "lead_statuses", LeadStatus, "lead status"))


@toolset.tool("List PersistIQ lead fields", Access.READ, example={})
async def persistiq_list_lead_fields(ctx: Context) -> Listing[LeadField]:
    """Lead fields, built-in and custom: the data keys persistiq_create_leads and persistiq_update_lead take."""
    response = await Endpoints.lead_fields.send(persistiq(ctx).api)
    return Listing[LeadField](items=records(response.data, "lead_fields", LeadField, "lead field"))

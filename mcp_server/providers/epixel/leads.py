"""Lead tools: overview, list (owned or assigned), details, create, update, delete."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_server.apps.uris import LEADS_URI
from mcp_server.core.errors import ApiError, BadResponse, InvalidInput
from mcp_server.core.tools.answer_models import Maybe, Table, as_row, row_text
from mcp_server.core.tools.confirmations import Absent, checked, in_words
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.core.upstream.values import is_obj, obj
from mcp_server.providers.epixel.client import LABEL, Endpoints, Epixel, epixel, listing, parse, read_list
from mcp_server.providers.epixel.filters import equals, lead_list
from mcp_server.providers.epixel.found import find_record
from mcp_server.providers.epixel.inputs import (
    Assignee,
    Cursor,
    Email,
    LeadStatus,
    Limit,
    Name,
    Period,
    Phone,
    Slug,
    Source,
    Text,
    form,
)
from mcp_server.providers.epixel.models import Done, Lead, LeadDetail, LeadRow, Overview, SavedLead, message_only

toolset = Toolset("epixel")
"""This module's tools, in the order the provider lists them (providers/epixel/provider.py)."""

# The doc marks these required on update too; the tool fills the ones not given from the lead.
REQUIRED_ON_UPDATE = ("first_name", "last_name", "email", "phone")


async def created_lead(service: Epixel, data: Any, sent: dict[str, str]) -> SavedLead:
    """The created lead; an answer with only a message is a success: the lead is then looked up by its email."""
    said = message_only(data)
    if said is None:
        return saved_lead(data)
    email = sent.get("email", "").lower()
    found = await find_record(
        service.api,
        Endpoints.leads,
        {"limit": 100},
        lambda row: bool(row.get("slug")) and str(row.get("email", "")).lower() == email,
    )
    if found is not None:
        return parse(SavedLead, found, "lead")
    # Not an error: an error would invite the same write again.
    hint = (
        f"Epixel saved the lead and answered only '{said}', without its slug: find it with epixel_list_leads "
        f"(email {sent.get('email', '')}) before writing to it. Do not create it again."
    )
    return SavedLead.model_validate({**sent, "hint": hint})


def saved_lead(data: Any) -> SavedLead:
    if not is_obj(data) or not data.get("slug"):
        raise BadResponse(
            "Epixel saved the lead but answered without its slug",
            provider=LABEL,
            hint="Find it with epixel_list_leads before trying again.",
        )
    return parse(SavedLead, data, "lead")


# The path every other lead write follows first, then the document's (which adds v1/): a 404 is "no such
# route", so nothing was written and the other path is safe to try. The one that answered is kept.
CREATE_LEAD = (Endpoints.create_lead, Endpoints.create_lead_documented)


async def post_new_lead(service: Epixel, data: dict[str, str]) -> Any:
    known = service.create_lead
    endpoints = [known, *(e for e in CREATE_LEAD if e != known)] if known else list(CREATE_LEAD)
    for endpoint in endpoints:
        try:
            response = await endpoint.send(service.api, data=data)
        except ApiError as error:
            if error.status != 404:
                raise
            continue
        service.create_lead = endpoint
        return response.data
    paths = " or ".join(endpoint.path for endpoint in endpoints)
    raise ApiError(
        f"Epixel has no create-lead endpoint at {paths} under EPIXEL_BASE_URL (both answered 404)",
        provider=LABEL,
        status=404,
        hint="If other Epixel tools work, this instance serves create lead at another path: ask its administrator "
        "which. If none work, ask the user to check EPIXEL_BASE_URL: https://<domain>/<api prefix>/<version>.",
    )


@toolset.tool("Epixel leads overview", Access.READ, aliases={"appointment": "period"}, example={"period": "week"})
async def epixel_get_leads_overview(
    ctx: Context,
    period: Annotated[Maybe[Period], Field(description="Appointments to count; API default upcoming")] = None,
) -> Overview:
    """The user's CRM at a glance: leads by status, assigned leads, appointments by status for a period, the next
    few."""
    response = await Endpoints.overview.send(epixel(ctx).api, params=form(appointment=period))
    return parse(Overview, response.data, "overview")


LEADS = replace(
    listing("epixel_list_leads", Endpoints.leads, Lead),
    shown=row_text(functools.partial(as_row, LeadRow)),
)


@toolset.tool(
    "List Epixel leads",
    Access.READ,
    meta={"ui": {"resourceUri": LEADS_URI}},
    example={"status": "prospect", "limit": 20},
)
async def epixel_list_leads(
    ctx: Context,
    list_type: Annotated[
        Literal["owned", "assigned"], Field(description="owned: created by the user; assigned: shared with them")
    ] = "owned",
    status: Maybe[LeadStatus] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Table[LeadRow]:
    """Leads, newest first, a row each; slug is the id other lead tools take. Every field, appointments, notes:
    epixel_get_lead."""
    username = epixel(ctx).username
    filters = {"list_type": "assigned" if list_type == "assigned" else None, "status": status}
    local = [f for f in (lead_list(list_type, username), status and equals("status", status)) if f]
    got = await read_list(ctx, LEADS, limit, cursor, filters, local)
    hint = got.hint
    if username is None and _mixed(got.items, list_type):
        hint = " ".join(filter(None, [hint, UNCHECKED.format(role="owner" if list_type == "owned" else "assignee")]))
    got.hint = hint
    return Table[LeadRow].of(got)


UNCHECKED = (
    "These leads have several {role}s, so this Epixel server seems to ignore list_type, and with a fixed "
    "EPIXEL_ACCESS_TOKEN the tool does not know the user's name to filter them: read each lead's owner and assignee "
    "(or set EPIXEL_USERNAME and EPIXEL_PASSWORD)."
)


def _mixed(leads: list[Lead], list_type: str) -> bool:
    """Owned leads share one owner and assigned ones one assignee (the user): more than one is a sign."""
    people = {lead.owner if list_type == "owned" else lead.assignee for lead in leads}
    return len(people - {None, ""}) > 1


@toolset.tool("Get an Epixel lead", Access.READ, example={"slug": "lead1"})
async def epixel_get_lead(ctx: Context, slug: Slug) -> LeadDetail:
    """A lead with its appointments (ids for epixel_update_appointment) and notes (ids for epixel_delete_lead_note)."""
    response = await Endpoints.lead.send(epixel(ctx).api, params={"slug": slug})
    if not obj(response.data).get("slug"):
        raise BadResponse("Epixel answered without the lead", provider=LABEL)
    return parse(LeadDetail, response.data, "lead")


@toolset.tool(
    "Create an Epixel lead",
    Access.WRITE,
    example={"first_name": "Ann", "last_name": "Lee", "email": "ann.lee@acme.com", "phone": "5550100123"},
)
async def epixel_create_lead(
    ctx: Context,
    first_name: Name,
    last_name: Name,
    email: Email,
    phone: Phone,
    status: Maybe[LeadStatus] = None,
    source: Maybe[Source] = None,
    location: Maybe[Text] = None,
    message: Maybe[Text] = None,
    assignee: Maybe[Assignee] = None,
) -> SavedLead:
    """Create a lead owned by the user; answers its slug. Next: epixel_create_appointment, epixel_create_lead_note."""
    data = form(
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        status=status,
        source=source,
        location=location,
        message=message,
        assignee=assignee,
    )
    service = epixel(ctx)
    return await created_lead(service, await post_new_lead(service, data), data)


@toolset.tool("Update an Epixel lead", Access.IDEMPOTENT_WRITE, example={"slug": "lead1", "location": "Oslo"})
async def epixel_update_lead(
    ctx: Context,
    slug: Slug,
    first_name: Maybe[Name] = None,
    last_name: Maybe[Name] = None,
    email: Maybe[Email] = None,
    phone: Maybe[Phone] = None,
    status: Maybe[LeadStatus] = None,
    source: Maybe[Source] = None,
    location: Maybe[Text] = None,
    message: Maybe[Text] = None,
    assignee: Maybe[Assignee] = None,
) -> Lead:
    """Change a lead the user owns (not one only assigned to them); give only what changes."""
    changes = form(
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        status=status,
        source=source,
        location=location,
        message=message,
        assignee=assignee,
    )
    if not changes:
        raise InvalidInput(
            "nothing to change: no lead field was given",
            field="status",
            hint="Pass at least one of first_name, last_name, email, phone, status, source, location, message "
            "or assignee.",
        )
    api = epixel(ctx).api
    if any(name not in changes for name in REQUIRED_ON_UPDATE):
        current = (await Endpoints.lead.send(api, params={"slug": slug})).data
        current = obj(current)
        kept = {name: current[name] for name in REQUIRED_ON_UPDATE if isinstance(current.get(name), str)}
        changes = {**kept, **changes}
    response = await Endpoints.update_lead.send(api, data={"slug": slug, **changes})
    return saved_lead(response.data)


async def lead_named(ctx: Context, slug: str) -> str:
    """The lead in words (name and email; Epixel keeps no company), read by its slug; ``Absent`` when Epixel has
    no such lead for this user (it answers 400 for an unknown slug)."""
    try:
        lead = obj((await Endpoints.lead.send(epixel(ctx).api, params={"slug": slug})).data)
    except ApiError as error:
        if error.status != 400:
            raise
        raise Absent(
            f"Epixel has no lead {slug} that this user can see, so there is nothing to delete",
            provider=LABEL,
            hint="epixel_list_leads lists the leads with their slugs.",
        ) from None
    name = in_words(" ".join(str(lead[part]) for part in ("first_name", "last_name") if lead.get(part)))
    email = in_words(str(lead.get("email") or ""))
    words = f"{name} ({email})" if name and email else name or email or slug
    return f"Delete Epixel lead {words}"


@toolset.tool(
    "Delete an Epixel lead",
    Access.DESTRUCTIVE,
    confirm=checked(lambda ctx, a: lead_named(ctx, a["slug"]), "Its appointments and notes are deleted with it."),
    example={"slug": "lead3"},
)
async def epixel_delete_lead(ctx: Context, slug: Slug) -> Done:
    """DESTRUCTIVE: delete a lead the user owns, with its appointments and notes, for good."""
    response = await Endpoints.delete_lead.send(epixel(ctx).api, data={"slug": slug})
    return Done(deleted=slug, message=obj(response.data).get("message"))

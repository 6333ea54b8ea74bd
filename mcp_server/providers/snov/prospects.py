"""Snov.io prospect lists and prospects: lists, their members, adding, finding, custom fields, do-not-email."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_server.core.errors import ApiError, BadResponse, InvalidInput, OutboundError, mark_maybe_applied
from mcp_server.core.lists.listings import Listing, PageNumber, read
from mcp_server.core.tools.answer_models import Items, Maybe, row_text
from mcp_server.core.tools.arguments import AsPairs
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.core.upstream.client import ApiClient, ApiResponse
from mcp_server.core.upstream.values import is_obj, is_seq, number, obj
from mcp_server.providers.snov.campaigns_models import Cursor, Email, Limit, as_list, body_of
from mcp_server.providers.snov.client import HOURLY_LIMIT_TEXT, LABEL, Endpoints, api, check_success, snov
from mcp_server.providers.snov.prospects_models import (
    AddedProspect,
    CustomField,
    DoNotEmail,
    ListedProspect,
    ListPage,
    Prospect,
    ProspectList,
    prospect,
)
from mcp_server.providers.snov.reading import php_time
from mcp_server.providers.snov.reading import read as read_record

toolset = Toolset("snov")
"""This module's tools, in the order the provider lists them (providers/snov/provider.py)."""

PER_PAGE = 100
"""prospect-list's page size: the older doc's maximum, safe on both generations."""


def _members(data: Any) -> list[dict[str, Any]]:
    return [row for row in as_list(body_of(data).get("prospects")) if "id" in row]


@dataclass(frozen=True)
class ListPages(PageNumber):
    """Pages of one prospect list, never past its size: the real server answers the page after a list's end
    ``{"success": false}`` (hull-snovio pages while ``list.contacts > page * perPage``), which reads as a refusal."""

    def read(self, ref: Any, body: Any, raw: list[Any]) -> tuple[list[Any], Any]:
        raw, following = super().read(ref, body, raw)
        contacts = obj(body_of(body).get("list")).get("contacts")
        if following is not None and isinstance(contacts, int) and int(ref or self.first) * self.size >= contacts:
            return raw, None
        return raw, following


MEMBERS = Listing(
    "snov_list_prospects_in_list",
    api,
    Endpoints.list_prospects,
    ListPages("page", "perPage", PER_PAGE),
    _members,
    lambda raw: read_record(ListedProspect, raw, "prospect"),
    "prospects",
    form=True,
    skip_unreadable=False,
    shown=row_text(lambda prospect: prospect),  # answered as a table (ListPage)
)
ListId = Annotated[int, Field(ge=1)]
Text = Maybe[Annotated[str, Field(max_length=255)]]
EmailOrDomain = Annotated[str, Field(max_length=254, pattern=r"^([^@\s]+@)?[^@\s]+\.[^@\s]+$")]
Url = Annotated[str, Field(max_length=500, pattern=r"^https?://\S+$")]
# Open maps, published as [{name, value}] pairs (a {name: value} map is accepted too).
Label = Annotated[str, Field(max_length=100)]
CustomFields = Annotated[dict[Label, Annotated[str, Field(max_length=1000)]], Field(max_length=50), AsPairs()]
# The networks Snov.io's document names (LinkedIn, Facebook, X); any other name would be dropped unsaid.
Network = Literal["linkedIn", "facebook", "twitter"]
SocialLinks = Annotated[dict[Network, Url], Field(max_length=5), AsPairs()]


@toolset.tool(
    "Add to Snov.io do-not-email list",
    Access.WRITE,
    example={"items": ["competitor.io", "ann.lee@acme.com"], "list_id": 42002},
)
async def snov_add_to_do_not_email_list(
    ctx: Context,
    items: Annotated[list[EmailOrDomain], Field(min_length=1, max_length=100)],
    list_id: Annotated[int, Field(ge=1)],
) -> DoNotEmail:
    """Stop all future emails to these addresses or domains. Free. The list id is in the Snov.io app (do-not-email list
    settings)."""
    api = snov(ctx).api
    unique = list(dict.fromkeys(i.strip().lower() for i in items))
    try:
        response = await Endpoints.add_to_do_not_email.send(api, data={"items[]": unique, "listId": list_id})
        body = _unwrapped(response)
    except ApiError as error:
        if error.status >= 500 or HOURLY_LIMIT_TEXT in error.message.lower():
            raise
        error.hint = " ".join(part for part in (error.hint, await _list_ids(api)) if part)
        raise
    listed: list[Any] = obj(body.get("data")).get("duplicates") or []
    duplicates = [str(d).lower() for d in listed]
    added = [i for i in unique if i not in duplicates]
    return DoNotEmail(list_id=list_id, added=added, already_listed=duplicates)


async def _list_ids(api: ApiClient) -> str:
    """Where a right list id comes from: GET v2/blacklists on the newer API (not in the older document)."""
    try:
        lists = as_list((await Endpoints.do_not_email_lists.send(api)).data)
    except OutboundError:  # any failure here must not hide the write's own error
        lists = []
    named = [f"{row['id']} ({row.get('name') or 'unnamed'})" for row in lists if row.get("id") is not None]
    if named:
        return f"If the list id is wrong: this account's do-not-email lists are {', '.join(named[:20])}."
    return "If the list id is wrong: take it from the do-not-email list's settings in the Snov.io app."


@toolset.tool(
    "Add prospect to Snov.io list",
    Access.WRITE,
    example={"list_id": 1250344, "email": "ann.lee@acme.com", "first_name": "Ann", "last_name": "Lee"},
)
async def snov_add_prospect_to_list(
    ctx: Context,
    list_id: ListId,
    email: Email,
    full_name: Annotated[Text, Field(description="Or first and last")] = None,
    first_name: Text = None,
    last_name: Text = None,
    position: Text = None,
    company_name: Text = None,
    company_site: Maybe[Url] = None,
    country: Annotated[Text, Field(description="In English")] = None,
    locality: Text = None,
    phones: Annotated[Maybe[list[Annotated[str, Field(max_length=40)]]], Field(max_length=10)] = None,
    custom_fields: Annotated[
        Maybe[CustomFields], Field(description="name: a label from snov_list_custom_fields")
    ] = None,
    social_links: Annotated[Maybe[SocialLinks], Field(description="twitter is X")] = None,
    update_contact: bool = False,
) -> AddedProspect:
    """Add a prospect to a list; a campaign on the list starts for them. Free. Answers the prospect id and whether it
    was added or updated."""
    api = snov(ctx).api
    if custom_fields:
        await _check_custom_fields(api, list(custom_fields))
    form: dict[str, Any] = {
        "listId": list_id,
        "email": email,
        "fullName": full_name,
        "firstName": first_name,
        "lastName": last_name,
        "position": position,
        "companyName": company_name,
        "companySite": company_site,
        "country": country,
        "locality": locality,
        "phones[]": phones,
        # PHP reads the string "false" as true: the flag is sent only when set.
        "updateContact": "1" if update_contact else None,
    }
    form.update({f"customFields[{k}]": v for k, v in (custom_fields or {}).items()})
    form.update({f"socialLinks[{k}]": v for k, v in (social_links or {}).items()})
    response = await Endpoints.add_prospect.send(api, data={k: v for k, v in form.items() if v})
    data = obj(response.data)
    return AddedProspect(id=data.get("id"), list_id=list_id, added=data.get("added"), updated=data.get("updated"))


@toolset.tool("Get Snov.io prospect", Access.READ, example={"prospect_id": "xusD3-T_K5IktGoaa8Jc8A=="})
async def snov_get_prospect(ctx: Context, prospect_id: Annotated[str, Field(min_length=1, max_length=200)]) -> Prospect:
    """A prospect in your lists by id, with its jobs, lists, campaigns (sent, opens, replies) and custom fields.
    Free."""
    response = await Endpoints.prospect_by_id.send(snov(ctx).api, data={"id": prospect_id})
    data = obj(obj(response.data).get("data"))
    if not data:  # an empty (or list-shaped) data is not a prospect: a made-up one would be a silent wrong
        raise ApiError(
            f"no prospect with id {prospect_id}: not found",
            provider=LABEL,
            status=404,
            hint="Take prospect ids from snov_list_prospects_in_list or snov_find_prospects_by_email.",
        )
    return prospect(data)


@toolset.tool("Find Snov.io prospects by email", Access.READ, example={"email": "gavin.vanrooyen@octagon.com"})
async def snov_find_prospects_by_email(ctx: Context, email: Email) -> Items[Prospect]:
    """Prospects in your lists with this email, each with lists, campaigns and custom fields. Free."""
    try:
        response = await Endpoints.prospects_by_email.send(snov(ctx).api, data={"email": email})
    except ApiError as error:
        # Public clients see "no prospect with this email" as a refusal (200 "success": false, or a 404): that
        # is an empty answer, not a failure. The hourly limit and other statuses stay errors.
        if error.status not in (200, 404) or HOURLY_LIMIT_TEXT in error.message.lower():
            raise
        return Items[Prospect](items=[], hint=f"No prospect in your lists has the email {email}.")
    rows = [prospect(row) for row in as_list(response.data) if row.get("id")]
    hint = None if rows else f"No prospect in your lists has the email {email}."
    return Items[Prospect](items=rows, hint=hint)


@toolset.tool("List Snov.io custom fields", Access.READ, example={})
async def snov_list_custom_fields(ctx: Context) -> Items[CustomField]:
    """Prospect custom fields; their labels are the names snov_add_prospect_to_list's custom_fields take. Free."""
    rows = as_list((await Endpoints.custom_fields.send(snov(ctx).api)).data)
    return Items[CustomField](items=[read_record(CustomField, row, "custom field") for row in rows])


@toolset.tool("List Snov.io prospect lists", Access.READ, example={})
async def snov_list_prospect_lists(ctx: Context) -> Items[ProspectList]:
    """Prospect lists; deleted ones last, marked deleted. Free."""
    listed = as_list((await Endpoints.lists.send(snov(ctx).api)).data)
    lists = [read_record(ProspectList, r, "prospect list") for r in listed]
    return Items[ProspectList](items=sorted(lists, key=lambda one: bool(one.deleted)))


@toolset.tool("List prospects in a Snov.io list", Access.READ, example={"list_id": 1250344, "limit": 20})
async def snov_list_prospects_in_list(
    ctx: Context, list_id: ListId, limit: Limit = 100, cursor: Cursor = None
) -> ListPage:
    """Prospects in a list, newest first: best email with its probability and status, other emails. Free. Details:
    snov_get_prospect; fresh verdicts: snov_verify_emails."""
    about: dict[str, Any] = {}

    def seen(data: Any) -> None:  # every page names the list and its size
        about.update(body_of(data).get("list") or {})

    got = await read(ctx, MEMBERS, limit, cursor, {"listId": list_id}, seen=seen)
    created = php_time(about.get("creationDate"))
    return ListPage.of(got, list_name=about.get("name"), contacts=about.get("contacts"), list_created=created)


@toolset.tool("Create Snov.io prospect list", Access.WRITE, example={"name": "Logistics VPs"})
async def snov_create_prospect_list(
    ctx: Context, name: Annotated[str, Field(min_length=1, max_length=255)]
) -> ProspectList:
    """Create an empty prospect list. Free. Next: snov_add_prospect_to_list."""
    response = await Endpoints.create_list.send(snov(ctx).api, data={"name": name})
    body = _unwrapped(response)
    data = obj(body.get("data")) if is_obj(body.get("data")) else body
    try:
        list_id = number(data.get("id"), "new list id", LABEL)
    except BadResponse as unreadable:  # the list was made: say so, not "nothing happened"
        raise mark_maybe_applied(unreadable, "Snov.io created the list but its id could not be read") from None
    return ProspectList(id=int(list_id), name=name, contacts=0)


async def _check_custom_fields(api: ApiClient, labels: list[str]) -> None:
    """Snov.io silently drops values of fields the account lacks: refuse them before the write."""
    rows = as_list((await Endpoints.custom_fields.send(api)).data)
    known = {str(r.get("label")) for r in rows}
    unknown = [label for label in labels if label not in known]
    if unknown:
        raise InvalidInput(
            f"unknown custom field(s): {', '.join(unknown)}",
            field="custom_fields",
            hint=f"Use these labels exactly: {', '.join(sorted(known)) or 'none defined'}.",
        )


def _unwrapped(response: ApiResponse) -> dict[str, Any]:
    """Some v1 writes answer a one-element list (``[{"success": true, "data": ...}]``): its failure is checked too."""
    data: object = response.data
    if is_seq(data):
        data = data[0] if data else {}
    unwrapped = obj(data)
    check_success(replace(response, data=unwrapped))
    return unwrapped

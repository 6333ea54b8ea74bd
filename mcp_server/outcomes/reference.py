"""outreach_reference_data: the names and ids other tools take, in one cheap call, cached for a minute."""

from __future__ import annotations

import json
import typing
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_server.app.providers import state_of
from mcp_server.core.call.context import current
from mcp_server.core.errors import ApiError
from mcp_server.core.tools.answer_models import Maybe, Record, SharedText
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.outcomes.common import read_all
from mcp_server.providers.epixel.inputs import AppointmentStatus, LeadStatus
from mcp_server.providers.persistiq.client import Lists as PersistIQLists
from mcp_server.providers.persistiq.leads import persistiq_list_lead_statuses, persistiq_list_users
from mcp_server.providers.snov.campaigns import snov_list_campaigns
from mcp_server.providers.snov.campaigns_models import as_list
from mcp_server.providers.snov.client import Endpoints as SnovEndpoints
from mcp_server.providers.snov.client import snov
from mcp_server.providers.snov.prospects import snov_list_prospect_lists

toolset = Toolset("outcomes")

CACHE_SECONDS = 60.0
"""Reference data changes rarely; a minute's cache spares the vendors a model that asks every turn."""
Section = Literal["persistiq", "snov", "epixel"]


class Reference(Record):
    persistiq: dict[str, Any] | None = None
    """lead_statuses, users (name: id, default_mailbox_id), campaigns (name: id), dnc_domains."""
    snov: dict[str, Any] | None = None
    """campaigns, prospect_lists and (where listed) do_not_email_lists, each by name: id and figures."""
    epixel: dict[str, Any] | None = None
    """lead_statuses and appointment_statuses the API documents."""
    cached: bool | None = None
    hint: SharedText = None


@toolset.tool(
    "Reference data: statuses, users, campaigns, lists", Access.READ, example={"sections": ["persistiq", "snov"]}
)
async def outreach_reference_data(
    ctx: Context,
    sections: Annotated[Maybe[list[Section]], Field(max_length=3)] = None,
) -> Reference:
    """The names and ids other tools take: PersistIQ statuses, users and mailboxes, campaigns, do-not-contact domains;
    Snov.io campaigns and lists; Epixel statuses. Free; cached a minute."""
    state = state_of(ctx)
    on = state.settings.enabled_providers()
    chosen = [s for s in (sections or ["persistiq", "snov", "epixel"]) if s in on]
    digests = ",".join(f"{s}:{state.credential_digest(s)}" for s in chosen)
    key = f"outcomes:reference:{current().caller.principal()}:{digests}"
    saved = await state.store.get(key)
    if saved is not None:
        return Reference.model_validate({**json.loads(saved), "cached": True})
    answer = Reference()
    if "persistiq" in chosen:
        answer.persistiq = await _persistiq(ctx)
    if "snov" in chosen:
        answer.snov = await _snov(ctx)
    if "epixel" in chosen:
        answer.epixel = {
            "lead_statuses": list(typing.get_args(LeadStatus)),
            "appointment_statuses": list(typing.get_args(AppointmentStatus)),
        }
    off = [s for s in (sections or []) if s not in on]
    if off:
        answer.hint = f"Not configured on this server: {', '.join(off)}."
    await state.store.set(key, answer.model_dump_json(exclude_none=True).encode(), ttl=CACHE_SECONDS)
    return answer


async def _persistiq(ctx: Context) -> dict[str, Any]:
    statuses = await persistiq_list_lead_statuses(ctx)
    users = await persistiq_list_users(ctx)
    campaigns, _ = await read_all(ctx, PersistIQLists.campaigns, {}, 10_000)
    domains, _ = await read_all(ctx, PersistIQLists.dnc_domains, {}, 10_000)
    return {
        "lead_statuses": [s.name for s in statuses.items],
        "users": {u.name or u.id: {"id": u.id, "default_mailbox_id": u.default_mailbox_id} for u in users.items},
        "campaigns": {c.name or c.id: c.id for c in campaigns},
        "dnc_domains": [d.name for d in domains],
    }


async def _snov(ctx: Context) -> dict[str, Any]:
    campaigns = await snov_list_campaigns(ctx)
    lists = await snov_list_prospect_lists(ctx)
    out: dict[str, Any] = {
        "campaigns": {c.name or str(c.id): {"id": c.id, "status": c.status} for c in campaigns.items},
        "prospect_lists": {
            p.name or str(p.id): {"id": p.id, "contacts": p.contacts}
            for p in lists.items
            if not p.deleted  # a deleted list takes no prospects
        },
    }
    try:
        blacklists = as_list((await SnovEndpoints.do_not_email_lists.send(snov(ctx).api)).data)
        out["do_not_email_lists"] = {
            str(b.get("name") or b.get("id")): {"id": b.get("id"), "entries": b.get("items_count")} for b in blacklists
        }
    except ApiError as error:
        if error.status not in (404, 405, 410):
            raise
        out["do_not_email_lists"] = "not listed by this Snov.io API (the list ids are in the Snov.io app)"
    return out

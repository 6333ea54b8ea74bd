"""Snov.io prospect profiles: by social URL (queued, then collected; v2 where v1 is gone) and by email."""

from __future__ import annotations

import functools
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_server.core.errors import ApiError
from mcp_server.core.lists import handles
from mcp_server.core.lists.jobs import Pending
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.core.upstream.values import is_obj, objs
from mcp_server.providers.snov import costs
from mcp_server.providers.snov.campaigns_models import Email, as_list, body_of
from mcp_server.providers.snov.client import Endpoints, Snov, snov
from mcp_server.providers.snov.costs import paid
from mcp_server.providers.snov.finder_models import Profile
from mcp_server.providers.snov.finder_models import profile as found_profile
from mcp_server.providers.snov.search_models import Handle
from mcp_server.providers.snov.spending import spends
from mcp_server.providers.snov.tasks import (
    gave_up,
    handle_for,
    is_retired,
    refused,
    resume,
    run_pair,
    uses_retired,
    v1_request,
    wait_for,
)

toolset = Toolset("snov")
"""This module's tools, in the order the provider lists them (providers/snov/provider.py)."""

V1 = "v1 add-url-for-search + get-emails-from-url"
V2 = "v2 li-profiles-by-urls (v1 retired; no emails)"
ADD_URL, FROM_URL = Endpoints.queue_url, Endpoints.emails_from_url
NO_PROFILE = "Snov.io has no profile for this email; nothing was charged."
PROFILE_KEYS = ("id", "name", "firstName", "lastName", "first_name", "last_name", "emails", "currentJob", "currentJobs")
ProfileUrl = Annotated[
    str,
    Field(
        max_length=500,
        pattern=r"^https?://([a-z0-9-]+\.)?(linkedin\.com|twitter\.com|x\.com)/\S+$",
        description="Profile URL",
    ),
]


@toolset.tool(
    "Find profile by social URL (Snov.io)",
    Access.SPEND,
    confirm=paid(costs.profile_by_url),
    example={"url": "https://www.linkedin.com/in/jane-doe"},
)
@spends(costs.profile_by_url)
async def snov_find_profile_by_url(ctx: Context, url: ProfileUrl, handle: Handle = None) -> Profile:
    """A person's profile from a LinkedIn or X URL: jobs, employer sites, social links, emails with status. Free if
    Snov.io holds it, else queued (1 credit). Where this is retired, v2 answers without emails."""
    service = snov(ctx)
    scope = handles.scope(url=url.strip().lower().rstrip("/"))
    state = resume(handle, scope) if handle else {}
    if state.get("g", "v1") == "v1" and not uses_retired(service, FROM_URL, *(() if handle else (ADD_URL,))):
        queued_at = float(state.get("q", service.api.clock())) if handle else None
        try:
            return await _by_url_v1(ctx, service, url, scope, queued_at)
        except ApiError as error:
            if not is_retired(error):
                raise
    if handle and state.get("t") is None:  # a v1 handle resumes for free: it never starts a paid v2 lookup
        hint = "Snov.io retired the lookup this handle belongs to: call again without handle to look the URL up anew."
        return Profile(status="not_found", method=V1, hint=hint)
    return await _by_url_v2(ctx, service, url, scope, state.get("t"))


async def _by_url_v1(ctx: Context, service: Snov, url: str, scope: str, queued_at: float | None) -> Profile:
    """Free lookup first; queue (1 credit) only when it has nothing; ``queued_at``: resuming an earlier queue."""

    async def lookup() -> dict[str, Any] | None:
        """The profile once Snov.io shows it; None for any other answer (the documents give no "processing")."""
        try:
            response = await v1_request(service, FROM_URL, data={"url": url})
        except ApiError as error:
            if refused(error):  # {"success": false} with a message or a result: no profile for this URL, or not yet
                return None
            raise
        # The document shows a one-item list; public clients see the profile as one object. Either way, only a
        # row that carries a profile counts ({"success": true, "message": ...} has none).
        found = [row for row in profile_rows(body_of(response.data).get("data")) if has_profile(row)]
        return found[0] if found else None

    credits = 0
    if queued_at is None:
        known = await lookup()
        if known is not None:
            return found_profile(known, method=V1, credits=0)
        queue = functools.partial(v1_request, service, ADD_URL, data={"url": url})
        await service.credits.spend(1, "Looking up a profile by URL", queue)
        credits, queued_at = 1, service.api.clock()
    outcome = await wait_for(ctx, service, lookup, label="profile search")
    if not isinstance(outcome, Pending):
        return found_profile(outcome, method=V1, credits=credits)
    if gave_up(queued_at, service.api.clock()):
        minutes = round((service.api.clock() - queued_at) / 60)
        hint = f"Snov.io has shown no profile for this URL in the {minutes} minutes since it was queued."
        return Profile(status="not_found", method=V1, credits=credits, hint=hint)
    hint = "Snov.io is still collecting the profile: call again with the same url and handle=handle (free)."
    resume_handle = handle_for(scope, g="v1", q=round(queued_at, 1))
    return Profile(status="running", method=V1, credits=credits, handle=resume_handle, hint=hint)


async def _by_url_v2(ctx: Context, service: Snov, url: str, scope: str, task: str | None) -> Profile:
    start, result = Endpoints.profiles_by_urls_start, Endpoints.profiles_by_urls_result
    run = await run_pair(ctx, service, start, result, task=task, what="a profile lookup", data={"urls[]": [url]})
    if isinstance(run.outcome, Pending):
        hint = "Snov.io is still collecting the profile: call again with the same url and handle=handle."
        resume_handle = handle_for(scope, g="v2", t=run.task)
        return Profile(status="running", method=V2, credits=run.reserved, handle=resume_handle, hint=hint)
    outcome, reserved = run.outcome, run.reserved
    found = [body_of(row.get("result")) for row in as_list(outcome.get("data")) if row.get("result")]
    if not found:
        await service.credits.refund(reserved)
        return Profile(status="not_found", method=V2, hint="Snov.io has no profile for this URL.")
    return found_profile(found[0], method=V2, credits=reserved)


@toolset.tool(
    "Get profile by email (Snov.io)",
    Access.SPEND,
    confirm=paid(costs.profile_by_email),
    example={"email": "jane.doe@acme.com"},
)
@spends(costs.profile_by_email)
async def snov_get_profile_by_email(ctx: Context, email: Email) -> Profile:
    """The person behind an email: name, location, jobs, social links. 1 credit when a profile is found, free
    otherwise."""
    service = snov(ctx)
    try:
        # Charged per request: not resent on a doubtful failure.
        lookup = functools.partial(Endpoints.profile_by_email.send, service.api, data={"email": email.strip()})
        response = await service.credits.spend(1, "A profile lookup by email", lookup)
    except ApiError as error:
        # Any 200 refusal but the hourly limit ("couldn't find", another message, or a bare result): no profile,
        # and the reserved credit went back in credits.spend().
        if refused(error):
            return Profile(status="not_found", method="v1 get-profile-by-email", hint=NO_PROFILE)
        raise
    body = body_of(response.data)
    if not has_profile(body):  # {"success": true, "message": ...}: no profile, so not charged either
        await service.credits.refund(1)
        return Profile(status="not_found", method="v1 get-profile-by-email", hint=NO_PROFILE)
    return found_profile(body, method="v1 get-profile-by-email", credits=1)


def profile_rows(data: Any) -> list[dict[str, Any]]:
    """A ``data`` that is one profile object or a list of them."""
    return [data] if is_obj(data) else objs(data)


def has_profile(row: dict[str, Any]) -> bool:
    """Whether an answer carries a person rather than only a status or a message."""
    return any(row.get(key) for key in PROFILE_KEYS)

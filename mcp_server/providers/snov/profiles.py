"""Snov.io prospect profiles: by social URL (queued, then collected; v2 where v1 is gone) and by email."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_server.core.errors import ApiError
from mcp_server.core.handles import fingerprint
from mcp_server.core.poller import Pending
from mcp_server.core.tooling import Access
from mcp_server.providers.snov import costs
from mcp_server.providers.snov.campaigns_models import Email, as_list, body_of
from mcp_server.providers.snov.client import Snov, snov
from mcp_server.providers.snov.costs import paid
from mcp_server.providers.snov.finder_models import Profile
from mcp_server.providers.snov.search_models import Handle
from mcp_server.providers.snov.tasks import handle_for, is_retired, resume, run_pair, wait_for
from mcp_server.providers.snov.toolset import toolset

V1 = "v1 add-url-for-search + get-emails-from-url"
V2 = "v2 li-profiles-by-urls (v1 retired; no emails)"
STILL_PROCESSING = "still being processed"
NOT_FOUND = "couldn't find"
ProfileUrl = Annotated[
    str,
    Field(
        max_length=500,
        pattern=r"^https?://([a-z0-9-]+\.)?(linkedin\.com|twitter\.com|x\.com)/\S+$",
        description="LinkedIn or X profile URL",
    ),
]


@toolset.tool("Find profile by social URL (Snov.io)", Access.WRITE, confirm=paid(costs.profile_by_url))
async def snov_find_profile_by_url(ctx: Context, url: ProfileUrl, handle: Handle = None) -> Profile:
    """A person's profile from their LinkedIn or X URL: name, location, industry, current jobs, social links
    and emails with status. Costs 1 credit (the URL is queued, then collected; a handle resumes past the
    wait for free). Where Snov.io retired this pair, its v2 replacement answers without emails."""
    service = snov(ctx)
    scope = fingerprint(tool="snov_find_profile_by_url", url=url.strip().lower().rstrip("/"))
    state = resume(handle, scope) if handle else {}
    if state.get("g", "v1") == "v1" and "profile_url" not in service.v1_retired:
        try:
            return await _by_url_v1(ctx, service, url, scope, resumed=bool(handle))
        except ApiError as error:
            if not is_retired(error):
                raise
            service.v1_retired.add("profile_url")
    return await _by_url_v2(ctx, service, url, scope, state.get("t"))


async def _by_url_v1(ctx: Context, service: Snov, url: str, scope: str, *, resumed: bool) -> Profile:
    credits = 0
    if not resumed:
        service.charge(1, "Looking up a profile by URL")
        try:
            await service.api.request("POST", "v1/add-url-for-search", data={"url": url})
        except ApiError:
            service.refund(1)
            raise
        credits = 1

    async def check() -> dict[str, Any] | None:
        response = await service.api.request("POST", "v1/get-emails-from-url", data={"url": url}, idempotent=True)
        body = body_of(response.data)
        message = str(body.get("message") or "").lower()
        return None if STILL_PROCESSING in message else body

    outcome = await wait_for(ctx, service, check, label="profile search", kind=None if resumed else "v1-url")
    if isinstance(outcome, Pending):
        hint = "Snov.io is still collecting the profile: call again with the same url and handle=handle (free)."
        return Profile(status="running", method=V1, credits=credits, handle=handle_for(scope, g="v1"), hint=hint)
    rows = as_list(outcome.get("data"))
    if not rows:
        return Profile(status="not_found", method=V1, credits=credits, hint="Snov.io has no profile for this URL.")
    return Profile.of(rows[0], method=V1, credits=credits)


async def _by_url_v2(ctx: Context, service: Snov, url: str, scope: str, task: str | None) -> Profile:
    run = await run_pair(
        ctx, service, "v2/li-profiles-by-urls", task=task, what="a profile lookup", data={"urls[]": [url]}
    )
    if isinstance(run.outcome, Pending):
        hint = "Snov.io is still collecting the profile: call again with the same url and handle=handle."
        resume_handle = handle_for(scope, g="v2", t=run.task)
        return Profile(status="running", method=V2, credits=run.reserved, handle=resume_handle, hint=hint)
    outcome, reserved = run.outcome, run.reserved
    found = [body_of(row.get("result")) for row in as_list(outcome.get("data")) if row.get("result")]
    if not found:
        service.refund(reserved)
        return Profile(status="not_found", method=V2, hint="Snov.io has no profile for this URL.")
    return Profile.of(found[0], method=V2, credits=reserved)


@toolset.tool("Get profile by email (Snov.io)", Access.READ, confirm=paid(costs.profile_by_email))
async def snov_get_profile_by_email(ctx: Context, email: Email) -> Profile:
    """The person behind an email: name, location, industry, current jobs, social links. 1 credit when a
    profile is found, free otherwise."""
    service = snov(ctx)
    service.charge(1, "A profile lookup by email")
    try:
        # Charged per request: not resent on a doubtful failure.
        response = await service.api.request("POST", "v1/get-profile-by-email", data={"email": email.strip()})
    except ApiError as error:
        service.refund(1)
        if error.status == 200 and NOT_FOUND in error.message.lower():
            return Profile(status="not_found", method="v1 get-profile-by-email", hint="No profile for this email.")
        raise
    return Profile.of(body_of(response.data), method="v1 get-profile-by-email", credits=1)

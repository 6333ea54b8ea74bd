"""Snov.io Email Finder: the free v1 lookup, queueing a name only when asked; v2 where v1 is gone."""

from __future__ import annotations

import functools
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_server.core.errors import ApiError, InvalidInput
from mcp_server.core.lists import handles
from mcp_server.core.lists.jobs import Pending
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.providers.snov import costs
from mcp_server.providers.snov.campaigns_models import as_list, body_of
from mcp_server.providers.snov.client import Endpoints, Snov, snov
from mcp_server.providers.snov.costs import paid
from mcp_server.providers.snov.finder_models import FoundEmails
from mcp_server.providers.snov.search_models import Domain, FoundEmail, Handle, clean_domain
from mcp_server.providers.snov.spending import spends
from mcp_server.providers.snov.tasks import (
    RUNNING,
    gave_up,
    handle_for,
    is_retired,
    resume,
    run_pair,
    uses_retired,
    v1_request,
    wait_for,
)

toolset = Toolset("snov")
"""This module's tools, in the order the provider lists them (providers/snov/provider.py)."""

V1 = "v1 Email Finder"
LOOKUP, QUEUE = Endpoints.emails_from_names, Endpoints.queue_names
V2 = "v2 emails-by-domain-by-name (v1 retired)"
Name = Annotated[str, Field(min_length=1, max_length=100)]


def refuse_spending_when_read_only(service: Snov, flag: str) -> None:
    if service.read_only:
        raise InvalidInput(
            f"{flag}=true spends credits, and this server runs read-only",
            field=flag,
            hint=f"Call without {flag}; ask the user to lift OUTBOUND_MCP_READ_ONLY to spend credits.",
        )


@toolset.tool(
    "Find email by name (Snov.io)",
    Access.SPEND,
    confirm=paid(costs.find_email, "queue_if_missing", "Call without queue_if_missing for the free lookup only."),
    example={"first_name": "Jane", "last_name": "Doe", "domain": "acme.com"},
)
@spends(costs.find_email)
async def snov_find_email(
    ctx: Context,
    first_name: Name,
    last_name: Name,
    domain: Domain,
    queue_if_missing: bool = False,
    handle: Handle = None,
) -> FoundEmails:
    """A person's email from their name and company domain, valid or unknown. Free; queue_if_missing queues an unknown
    name (1 credit) and waits. Where the free finder is retired, v2 costs 1 credit per email found and needs
    queue_if_missing."""
    service, name = snov(ctx), clean_domain(domain)
    person = {"first_name": first_name.strip(), "last_name": last_name.strip(), "domain": name}
    scope = handles.scope(**{k: v.lower() for k, v in person.items()})
    state = resume(handle, scope) if handle else {}
    if queue_if_missing and not handle:
        refuse_spending_when_read_only(service, "queue_if_missing")
    queueing = queue_if_missing and not handle
    needed = (LOOKUP, QUEUE) if queueing else (LOOKUP,)
    if state.get("g", "v1") == "v1" and not uses_retired(service, *needed):
        queued_at = float(state.get("q", service.api.clock())) if handle else None
        try:
            return await _find_v1(ctx, service, person, queueing, scope, queued_at)
        except ApiError as error:
            if not is_retired(error):
                raise
    # A v1 handle resumes for free: it never starts (and pays for) a v2 run; only a fresh call may queue.
    return await _find_v2(ctx, service, person, queueing, scope, state.get("t"))


async def _find_v1(
    ctx: Context, service: Snov, person: dict[str, str], queue: bool, scope: str, queued_at: float | None
) -> FoundEmails:
    """``queued_at`` is when an earlier call queued the name (resuming its handle), else None."""
    form = {"firstName": person["first_name"], "lastName": person["last_name"], "domain": person["domain"]}

    searching = False

    async def ask() -> list[FoundEmail] | None:
        """The emails once the finder has them; None while it says anything else."""
        nonlocal searching
        response = await v1_request(service, LOOKUP, data=form)
        body = body_of(response.data)
        status = str(body_of(body.get("status")).get("identifier", "")).lower()
        searching = status in RUNNING  # the vendor's newer pages: already being searched
        rows = as_list(body_of(body.get("data")).get("emails"))
        emails = [FoundEmail(email=str(r["email"]), status=r.get("emailStatus")) for r in rows if r.get("email")]
        return emails if status == "complete" and emails else None

    credits = 0
    if queued_at is None:
        emails = await ask()
        if emails:
            return _answer(person, status="found", emails=emails, method=V1)
        if searching:  # queued before (by anyone): wait for it for free, never pay to queue it again
            queued_at = service.api.clock()
        elif not queue:
            hint = (
                "Snov.io has no email for this name yet: call again with queue_if_missing=true to have it searched "
                "(1 credit)."
            )
            return _answer(person, status="not_found", method=V1, hint=hint)
        else:
            queue_name = functools.partial(v1_request, service, QUEUE, data=form)
            await service.credits.spend(1, "Queueing a name for the email finder", queue_name)
            credits, queued_at = 1, service.api.clock()
    # The documented answers are only complete and not_found: after queueing, not_found means "not yet".
    outcome = await wait_for(ctx, service, ask, label="email finder")
    if not isinstance(outcome, Pending):
        return _answer(person, status="found", emails=outcome, method=V1, credits=credits)
    if gave_up(queued_at, service.api.clock()):
        minutes = round((service.api.clock() - queued_at) / 60)
        hint = (
            f"Snov.io has not found an email for this name in the {minutes} minutes since it was queued. It may "
            "still appear: asking again without handle and with queue_if_missing=false is free."
        )
        return _answer(person, status="not_found", method=V1, credits=credits, hint=hint)
    hint = (
        "Snov.io is still searching (its finder says not_found or in_progress until it has an email): call again "
        "with the same names and handle=handle (free) in a minute."
    )
    resume_handle = handle_for(scope, g="v1", q=round(queued_at, 1))
    return _answer(person, status="running", method=V1, credits=credits, handle=resume_handle, hint=hint)


async def _find_v2(
    ctx: Context, service: Snov, person: dict[str, str], queue: bool, scope: str, task: str | None
) -> FoundEmails:
    if task is None and not queue:
        hint = (
            "Snov.io's free Email Finder answered 404 (retired, or a passing fault: it is asked again later); the "
            "replacement costs 1 credit per email found: call again with queue_if_missing=true to search, or "
            "again later for the free lookup."
        )
        return _answer(person, status="not_searched", method=V2, hint=hint)
    start, result = Endpoints.emails_by_name_start, Endpoints.emails_by_name_result
    run = await run_pair(ctx, service, start, result, task=task, what="the email finder", json_body={"rows": [person]})
    if isinstance(run.outcome, Pending):
        hint = "Snov.io is still searching: call again with the same names and handle=handle in a minute."
        resume_handle = handle_for(scope, g="v2", t=run.task)
        return _answer(person, status="running", method=V2, credits=run.reserved, handle=resume_handle, hint=hint)
    outcome, reserved = run.outcome, run.reserved
    found = [e for row in as_list(outcome.get("data")) for e in as_list(row.get("result")) if e.get("email")]
    emails = [FoundEmail(email=str(e["email"]), status=e.get("smtp_status")) for e in found]
    if reserved:  # a resumed run reserved nothing here: its start was settled by the call that made it
        await service.credits.settle(reserved, len(emails))
    status = "found" if emails else "not_found"
    credits = len(emails) if reserved else 0
    return _answer(person, status=status, emails=emails or None, method=V2, credits=credits)


def _answer(person: dict[str, str], **result: Any) -> FoundEmails:
    return FoundEmails(
        first_name=person["first_name"], last_name=person["last_name"], domain=person["domain"], **result
    )

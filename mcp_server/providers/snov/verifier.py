"""Snov.io Email Verifier: the free v1 lookup, queueing unverified emails only when asked; v2 where v1 is gone."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_server.core.call.progress import from_context
from mcp_server.core.errors import ApiError
from mcp_server.core.lists import handles
from mcp_server.core.lists.batches import chunks, run_batches
from mcp_server.core.lists.jobs import Pending
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.providers.snov import costs
from mcp_server.providers.snov.campaigns_models import Email, as_list, body_of
from mcp_server.providers.snov.client import Endpoints, Snov, snov
from mcp_server.providers.snov.costs import paid
from mcp_server.providers.snov.finder import refuse_spending_when_read_only
from mcp_server.providers.snov.finder_models import Verification, Verified, verified
from mcp_server.providers.snov.search_models import Handle
from mcp_server.providers.snov.spending import spends
from mcp_server.providers.snov.tasks import (
    RUNNING,
    handle_for,
    is_retired,
    out_of_credits,
    resume,
    running,
    task_hash,
    too_little_credit,
    uses_retired,
    v1_request,
    wait_for,
)

toolset = Toolset("snov")
"""This module's tools, in the order the provider lists them (providers/snov/provider.py)."""

PER_REQUEST = 10
"""The queue takes at most 10 emails a request; lookups are sent in the same sizes."""
V1 = "v1 Email Verifier"
LOOKUP, QUEUE = Endpoints.verification_status, Endpoints.queue_verification
V2 = "v2 email-verification (v1 retired)"
BUSY = "call again with them (queue_unverified=false, free) in a minute."
GREYLISTED_HINT = "Greylisted emails cannot be judged yet: verify them again in 15-60 minutes (free until then)."


@toolset.tool(
    "Verify emails (Snov.io)",
    Access.SPEND,
    confirm=paid(costs.verify_emails, "queue_unverified", "Call without queue_unverified: verified emails are free."),
    example={"emails": ["jane.doe@acme.com"]},
)
@spends(costs.verify_emails)
async def snov_verify_emails(
    ctx: Context,
    emails: Annotated[list[Email], Field(min_length=1, max_length=1000)],
    queue_unverified: bool = False,
    handle: Handle = None,
) -> Verification:
    """Whether emails are deliverable: valid, not_valid, unknown (catch-all or unverifiable) or greylisted (retry
    later). Free if Snov.io verified them before; others need queue_unverified (1 credit each). Where the free verifier
    is retired, v2 costs 1 credit per email and needs it."""
    service = snov(ctx)
    unique = list(dict.fromkeys(e.strip().lower() for e in emails))
    scope = handles.scope(emails=sorted(unique))
    state = resume(handle, scope) if handle else {}
    if queue_unverified and not handle:
        refuse_spending_when_read_only(service, "queue_unverified")
    queueing = queue_unverified and not handle
    if state.get("g", "v1") == "v1" and not uses_retired(service, LOOKUP, *((QUEUE,) if queueing else ())):
        try:
            return await _verify_v1(ctx, service, unique, queueing)
        except ApiError as error:
            if not is_retired(error):
                raise
    return await _verify_v2(ctx, service, unique, queue_unverified, scope, state.get("t"))


async def _lookup_v1(service: Snov, emails: list[str], busy: set[str] | None = None) -> dict[str, Verified]:
    """Free lookups, 10 a request: the finished ones (unfinished ones are left out; those Snov.io says are
    ``in_progress`` are added to ``busy``)."""
    done: dict[str, Verified] = {}
    for batch in chunks(emails, PER_REQUEST):
        # The document's examples send the emails in the URL query of the POST, not in its body.
        response = await v1_request(service, LOOKUP, params={"emails[]": batch})
        body = {str(k).lower(): v for k, v in body_of(response.data).items()}
        for email in batch:
            entry = body_of(body.get(email))
            identifier = str(body_of(entry.get("status")).get("identifier", "")).lower()
            if identifier == "complete":
                done[email] = verified(email, body_of(entry.get("data")))
            elif identifier in RUNNING and busy is not None:
                busy.add(email)
    return done


async def _verify_v1(ctx: Context, service: Snov, emails: list[str], queue: bool) -> Verification:
    busy: set[str] = set()
    done = await _lookup_v1(service, emails, busy)
    # Emails Snov.io is already verifying (the newer pages' in_progress) are waited for, never paid again.
    waiting = [e for e in emails if e not in done and e not in busy]
    if not queue or not (waiting or busy):
        report = _report(emails, done, busy, method=V1, credits=0, unverified_hint=bool(waiting))
        if busy:
            report.hint = _joined(f"{len(busy)} emails are being verified by Snov.io already: {BUSY}", report.hint)
        return report

    await service.credits.reserve(len(waiting), f"Queueing {len(waiting)} emails for verification")

    async def send(batch: list[str]) -> None:
        await v1_request(service, QUEUE, params={"emails[]": batch})

    report = await run_batches(waiting, PER_REQUEST, send, progress=from_context(ctx), noun="emails queued")
    queued = [e for batch, _ in report.done for e in batch] + [e for e in emails if e in busy]
    unsent = [e for f in report.failed if not (f.sent and f.maybe_applied) for e in f.items]
    await service.credits.refund(len(unsent))
    errors = [f"{', '.join(f.items)}: {f.error}" for f in report.failed]

    async def check() -> dict[str, Verified] | None:
        done.update(await _lookup_v1(service, [e for e in queued if e not in done]))
        return done if all(e in done for e in queued) else None

    outcome = await wait_for(ctx, service, check, label="email verification") if queued else done
    pending = {e for e in queued if e not in done} if isinstance(outcome, Pending) else set[str]()
    result = _report(emails, done, pending, method=V1, credits=len(waiting) - len(unsent), unverified_hint=False)
    result.queued, result.errors = len(queued) - len(busy), errors or None
    if pending:
        result.hint = _joined(
            f"{len(pending)} queued emails are still being verified: call again with them (queue_unverified=false, "
            "free) in a minute.",
            result.hint,
        )
    return result


async def _verify_v2(
    ctx: Context, service: Snov, emails: list[str], queue: bool, scope: str, tasks: list[str] | None
) -> Verification:
    if tasks is None and not queue:
        result = _report(emails, {}, set(), method=V2, credits=0, unverified_hint=False)
        result.hint = (
            "Snov.io has retired its free verifier lookup; the replacement costs 1 credit per email (greylisted "
            "ones free): call again with queue_unverified=true to verify."
        )
        return result
    reserved, errors, unsent = 0, [], []
    if tasks is None:
        await service.credits.reserve(len(emails), f"Verifying {len(emails)} emails")

        async def start(batch: list[str]) -> str:
            started = await Endpoints.verification_start.send(service.api, data={"emails[]": batch})
            return task_hash(body_of(started.data))

        # A failed start does not lose the jobs already started: their results still come back.
        report = await run_batches(emails, PER_REQUEST, start, progress=from_context(ctx), noun="emails started")
        tasks = [task for _, task in report.done]
        unsent = [e for f in report.failed if not (f.sent and f.maybe_applied) for e in f.items]
        errors = [f"{', '.join(f.items)}: {f.error}" for f in report.failed]
        await service.credits.refund(len(unsent))
        reserved = len(emails) - len(unsent)
    done: dict[str, Verified] = {}
    open_tasks = list(tasks)

    async def check() -> dict[str, Verified] | None:
        for task in list(open_tasks):
            response = await Endpoints.verification_result.send(service.api, params={"task_hash": task})
            body = body_of(response.data)
            if running(body):
                continue
            if out_of_credits(body):
                raise too_little_credit("verifying these emails")
            open_tasks.remove(task)
            for row in as_list(body.get("data")):
                email = str(row.get("email", "")).lower()
                done[email] = verified(email, body_of(row.get("result")))
        return None if open_tasks else done

    outcome = await wait_for(ctx, service, check, label="email verification") if tasks else done
    pending = {e for e in emails if e not in done and e not in unsent} if isinstance(outcome, Pending) else set[str]()
    # Greylisted emails are free; unfinished ones stay reserved until they are known.
    charged = sum(1 for v in done.values() if v.status != "greylisted")
    if reserved:
        await service.credits.settle(reserved, charged + len(pending))
    result = _report(emails, done, pending, method=V2, credits=charged, unverified_hint=False)
    result.queued, result.errors = reserved, errors or None
    if pending:
        result.handle = handle_for(scope, g="v2", t=open_tasks)
        result.hint = _joined(
            f"{len(pending)} emails are still being verified: call again with the same emails and handle.", result.hint
        )
    return result


def _report(
    emails: list[str],
    done: dict[str, Verified],
    pending: set[str],
    *,
    method: str,
    credits: int,
    unverified_hint: bool,
) -> Verification:
    results: list[Verified] = []
    for email in emails:
        if email in done:
            results.append(done[email])
        else:
            results.append(Verified(email=email, status="queued" if email in pending else "unverified"))
    hints: list[str] = []
    if unverified_hint:
        hints.append("Unverified emails were never checked: call again with queue_unverified=true (1 credit each).")
    if any(r.status == "greylisted" for r in results):
        hints.append(GREYLISTED_HINT)
    return Verification(results=results, method=method, credits=credits, hint=_joined(*hints))


def _joined(*hints: str | None) -> str | None:
    return " ".join(h for h in hints if h) or None

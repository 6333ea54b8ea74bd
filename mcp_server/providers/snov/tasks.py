"""Snov.io's async jobs: start, poll through the shared poller, and a handle that resumes past the wait."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from mcp.server.mcpserver import Context

from mcp_server.core.call.progress import from_context
from mcp_server.core.errors import ApiError, BadResponse, CreditLimit, InvalidInput
from mcp_server.core.lists import handles
from mcp_server.core.lists.jobs import Pending, Poller
from mcp_server.core.upstream.client import ApiResponse
from mcp_server.core.upstream.endpoints import Endpoint
from mcp_server.core.upstream.links import Link
from mcp_server.core.upstream.values import obj
from mcp_server.providers.snov.campaigns_models import body_of
from mcp_server.providers.snov.client import HOURLY_LIMIT_TEXT, LABEL, Snov

T = TypeVar("T")
RUNNING = {"in progress", "in_progress"}
RETIRED = (404, 410)
HANDLE = "snov-job"
QUEUED_PATIENCE = 600.0
"""Seconds after queueing a name or URL that handles keep asking before the tool says "not found": the
documents give no state that says a queued search ended empty, so the verdict waits this long."""


async def wait_for(
    ctx: Context,
    service: Snov,
    check: Callable[[], Awaitable[T | None]],
    *,
    label: str,
    wait: float | None = None,
    kind: str | None = None,
) -> T | Pending:
    """Run ``check`` on Snov.io's polling schedule until it answers or the wait runs out (``Pending``).

    ``kind``: the job kind whose typical duration this job teaches and uses; only for a job started by this
    call (a resumed one was not polled from its start, so when it became ready says nothing)."""
    poller = Poller(
        check,
        wait=service.wait if wait is None else max(0.0, wait),
        schedule=service.schedule,
        progress=from_context(ctx),
        label=label,
        durations=service.durations if kind is not None else None,
        kind=kind or label,
    )
    return await poller.run()


async def poll(
    ctx: Context,
    service: Snov,
    result: Endpoint,
    url: str | None = None,
    *,
    label: str,
    params: dict[str, Any] | None = None,
    wait: float | None = None,
    link: Link | None = None,
    started_now: bool = False,
) -> dict[str, Any] | Pending:
    """Ask ``result`` (at ``url``, when an answer or a handle gave one) until its ``status`` leaves "in progress"
    (the body) or the wait runs out (``Pending``).

    ``link``: the result endpoint ``url`` must be when it came from an answer or a handle. ``started_now``: this
    call started the job, so its duration teaches the schedule of ``result``'s jobs."""

    async def check() -> dict[str, Any] | None:
        body = body_of((await result.send(service.api, url, params=params, link=link)).data)
        return None if running(body) else body

    kind = result.path if started_now else None
    return await wait_for(ctx, service, check, label=label, wait=wait, kind=kind)


def result_link(result: Endpoint) -> Link:
    """The only endpoint a job's ``links.result`` (or a handle holding it) may lead to."""
    return Link.to(result.method, f"{result.path}/{{task_hash}}", result.path)


def result_url(started: dict[str, Any], result: Endpoint) -> str:
    """Where a started domain-search job answers: its ``links.result`` (checked against ``result_link`` when
    polled), else by hash."""
    links = started.get("links")
    url = obj(links).get("result")
    if isinstance(url, str) and url:
        return url
    task = task_hash(started)
    return f"{result.path}/{task}"


def task_hash(started: dict[str, Any]) -> str:
    for holder in (started.get("meta"), started.get("data")):
        task = obj(holder).get("task_hash")
        if isinstance(task, str) and task:
            return task
    raise BadResponse("Snov.io started the job without a task_hash", provider=LABEL)


def handle_for(scope: str, **state: Any) -> str:
    return handles.encode(HANDLE, {"s": scope, **state})


def resume(handle: str, scope: str) -> dict[str, Any]:
    """The state a handle carries, refused when it was made for other arguments or another tool."""
    state = handles.decode(HANDLE, handle, "handle")
    if state.pop("s", None) != scope:
        raise InvalidInput(
            "handle was made by another tool or for other arguments",
            field="handle",
            hint="Repeat the call with the same arguments as the call that returned the handle.",
        )
    return state


def is_retired(error: ApiError) -> bool:
    """A v1 method the vendor has removed answers 404 or 410."""
    return error.status in RETIRED


def uses_retired(service: Snov, *endpoints: Endpoint) -> bool:
    """Whether any of these v1 methods looks retired (client.Retirements): its v2 replacement is used then."""
    now = service.api.clock()
    return any(service.v1_retired.retired(endpoint.path, now) for endpoint in endpoints)


async def v1_request(service: Snov, endpoint: Endpoint, **kwargs: Any) -> ApiResponse:
    """A v1 request whose 404/410 counts towards retiring that one method (not its neighbours); an answer
    clears the count."""
    try:
        response = await endpoint.send(service.api, **kwargs)
    except ApiError as error:
        if is_retired(error):
            service.v1_retired.missed(endpoint.path, service.api.clock())
        raise
    service.v1_retired.answered(endpoint.path)
    return response


def refused(error: ApiError) -> bool:
    """A 200 ``"success": false`` that is not the hourly plan limit: the documents' "no result" answer."""
    return error.status == 200 and HOURLY_LIMIT_TEXT not in error.message.lower()


def gave_up(queued_at: float, now: float) -> bool:
    return now - queued_at >= QUEUED_PATIENCE


def still_running_hint(what: str) -> str:
    return (
        f"{what} is still running at Snov.io. Call this tool again with the same arguments and handle=handle in "
        "a few seconds: it resumes the same job at no extra cost."
    )


@dataclass
class PairRun:
    task: str
    outcome: dict[str, Any] | Pending
    reserved: int
    """Credits reserved by this call's start (0 when it resumed an earlier job)."""


async def run_pair(
    ctx: Context, service: Snov, start: Endpoint, result: Endpoint, *, task: str | None, what: str, **body: Any
) -> PairRun:
    """A current-generation start/result pair: ``start`` (1 credit reserved) unless resuming ``task``, then poll
    ``result?task_hash=``. ``body`` is ``data=`` (form) or ``json_body=``."""
    reserved = 0
    if task is None:
        started = await service.credits.spend(1, what, lambda: start.send(service.api, **body))
        reserved = 1
        task = task_hash(body_of(started.data))
    params = {"task_hash": task}
    outcome = await poll(ctx, service, result, params=params, label=what, started_now=reserved == 1)
    if not isinstance(outcome, Pending) and out_of_credits(outcome):
        await service.credits.refund(reserved)
        raise too_little_credit(what)
    return PairRun(task, outcome, reserved)


def running(body: dict[str, Any]) -> bool:
    """A job's result still in progress (domain search says "in progress", the v2 pairs "in_progress")."""
    return str(body.get("status", "")).lower() in RUNNING


def out_of_credits(body: dict[str, Any]) -> bool:
    """A v2 pair's job that ended without running: the balance could not pay for it."""
    return body.get("status") == "not_enough_credits"


def too_little_credit(what: str) -> CreditLimit:
    return CreditLimit(
        f"Snov.io's credit balance is too low for {what}",
        provider=LABEL,
        hint="Nothing was charged. Check snov_get_balance; the account needs more credits.",
    )

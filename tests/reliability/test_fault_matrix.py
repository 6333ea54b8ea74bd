"""The fault matrix: every sandbox fault against a read, a paged read, a write and an async search of
each provider. Each call either succeeds by a clean retry or is a tool error that says what happened
and what to do; none crashes, none hangs, and every write is accounted for (see writes.py).

The operations of one fault run side by side (their fault rules match different paths), so the whole
matrix costs about as long as its slowest column.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
import pytest

from outbound_sandbox.config import Fault, FaultRule
from tests.reliability.figures import count
from tests.reliability.writes import (
    WriteSpec,
    form_list,
    json_fields,
    ledger,
    listed,
    persistiq_leads_account,
    single_account,
    snov_queue_account,
    text_of,
)
from tests.sandbox_clock import SandboxClock

pytestmark = pytest.mark.anyio

TIMEOUT = 0.25
"""The server's HTTP timeout in this suite; the slow fault answers after LATENCY."""
LATENCY = 0.6
CALL_LIMIT = 20.0
"""A call still running after this long counts as hung."""
TOKEN_LIFETIME = 120.0
"""Vendor seconds a sandbox token lives in the token-expiry run, announced as such to the server."""
TICK = 30.0
"""Vendor seconds each request moves the sandbox's clock on in that run: a token lives through three more
requests, on a loaded machine or not, and a job of 1.5 lifetimes outlives the token renewed before it."""
OUTREACH_LIST = 8512947
CRASH = re.compile(r"^Error executing tool \S+$|Traceback|unexpected exception", re.M)
TO_DO = re.compile(r"(?i)try again|retry in|call (this tool )?again|check (with|the)|ask the user|resend|send only")

PQ_LEADS = WriteSpec(
    "POST",
    "/persistiq/v1/leads",
    lambda e: [lead["email"].lower() for lead in json_fields(e).get("leads", [])],
    persistiq_leads_account,
    asked=lambda args: [lead["email"] for lead in args["leads"]],
)
SNOV_QUEUE = WriteSpec(
    "POST",
    "/snov/v1/add-emails-to-verification",
    lambda e: form_list(e, "emails[]"),
    snov_queue_account,
    asked=lambda args: args["emails"],
)
EPX_LEAD = WriteSpec(
    "POST",
    "/epixel/api/v1/leads/create/lead/",
    lambda e: form_list(e, "email"),
    single_account(),
    asked=lambda args: [args["email"]],
)


@dataclass(frozen=True)
class Op:
    provider: str
    role: str
    tool: str
    pattern: str
    """Sandbox fault pattern: the requests of this operation (and no other's)."""
    args: Callable[[Any, str], dict[str, Any]]
    """(sandbox, a fresh tag) -> arguments."""
    skip: int = 0
    """Requests let through before the fault: 1 puts it on a second page, batch or poll."""
    write: WriteSpec | None = None

    @property
    def idempotent(self) -> bool:
        return self.write is None

    def __str__(self) -> str:
        return f"{self.provider} {self.role} ({self.tool})"


def _nothing(sandbox: Any, tag: str) -> dict[str, Any]:
    return {}


def _limit_150(sandbox: Any, tag: str) -> dict[str, Any]:
    return {"limit": 150}


def _acme(sandbox: Any, tag: str) -> dict[str, Any]:
    return {"domain": "acme.com"}


def _snov_list(sandbox: Any, tag: str) -> dict[str, Any]:
    return {"list_id": OUTREACH_LIST, "limit": 150}


def _pq_lead(sandbox: Any, tag: str) -> dict[str, Any]:
    return {"lead_id": next(iter(sandbox.persistiq.world.leads))}


def _pq_new_leads(sandbox: Any, tag: str) -> dict[str, Any]:
    return {"leads": [{"email": f"{tag}-{i}@example.org", "first_name": f"F{i}"} for i in range(25)]}


def _snov_queue(sandbox: Any, tag: str) -> dict[str, Any]:
    return {"emails": [f"{tag}-{i}@example.org" for i in range(25)], "queue_unverified": True}


def _epx_lead(sandbox: Any, tag: str) -> dict[str, Any]:
    return {"slug": sandbox.epixel.store.owned()[0].slug}


def _epx_new_lead(sandbox: Any, tag: str) -> dict[str, Any]:
    return {"first_name": "Fault", "last_name": "Matrix", "email": f"{tag}@example.org", "phone": "5550100123"}


OPS = [
    Op("persistiq", "read", "persistiq_get_lead", "GET /persistiq/v1/leads/*", _pq_lead),
    Op("persistiq", "paged read", "persistiq_list_leads", "GET /persistiq/v1/leads", _limit_150, skip=1),
    Op("persistiq", "batched write", "persistiq_create_leads", "POST /persistiq/v1/leads", _pq_new_leads, 1, PQ_LEADS),
    Op("snov", "read", "snov_list_prospect_lists", "GET /snov/v1/get-user-lists", _nothing),
    Op("snov", "paged read", "snov_list_prospects_in_list", "POST /snov/v1/prospect-list", _snov_list, skip=1),
    Op("snov", "batched write", "snov_verify_emails", SNOV_QUEUE.pattern, _snov_queue, 1, SNOV_QUEUE),
    Op("snov", "async search", "snov_domain_search", "GET /snov/v2/domain-search/result/*", _acme),
    Op(
        "snov",
        "async paged search",
        "snov_list_domain_prospects",
        "GET /snov/v2/domain-search/prospects/result/*",
        _acme,
    ),
    Op("epixel", "read", "epixel_get_lead", "GET /epixel/api/v1/leads/view/lead/", _epx_lead),
    Op("epixel", "paged read", "epixel_list_leads", "GET /epixel/api/v1/leads/list/", _limit_150, skip=1),
    Op("epixel", "write", "epixel_create_lead", EPX_LEAD.pattern, _epx_new_lead, write=EPX_LEAD),
]
"""One line per operation: another provider's async search joins the matrix by adding its line here."""

WARM_UP = {
    "persistiq": "persistiq_list_users",
    "snov": "snov_list_custom_fields",
    "epixel": "epixel_get_leads_overview",
}


@dataclass(frozen=True)
class Kind:
    name: str
    fault: Callable[[], Fault]
    said: str
    """What the error must say happened."""
    time_scale: float = 1.0


KINDS = {
    "5xx": Kind("5xx", lambda: Fault("status", status=503), r"503"),
    "slow": Kind("slow", lambda: Fault("latency", seconds=LATENCY), r"timed out|time limit"),
    "drop": Kind("drop", lambda: Fault("drop"), r"dropped the connection"),
    "malformed": Kind("malformed", lambda: Fault("malformed"), r"malformed JSON"),
    "html": Kind("html", lambda: Fault("html", status=502), r"HTML"),
    # Vendor windows of one real second, so that a transient 429 can be waited out within the call.
    "429 storm": Kind("429 storm", lambda: Fault("rate_limit"), r"429|rate limit|Retry in", time_scale=60.0),
}


UNSURE = {"5xx", "slow", "drop", "malformed", "html"}
"""Faults after which a write may or may not have been applied (a 429 says it was not)."""


def grow_epixel(sandbox: Any, extra: int = 50) -> None:
    """More than one page (100) of owned Epixel leads."""
    store = sandbox.epixel.store
    template = store.owned()[0]
    for _ in range(extra):
        store.next_lead += 1
        n = store.next_lead
        copy = dataclasses.replace(template, id=n, slug=f"grown-lead-{n}", email=f"grown{n}@example.com")
        store.leads[copy.slug] = copy


def crashed(result: Any) -> bool:
    return bool(result.is_error and CRASH.search(text_of(result)))


def error_texts(op: Op, result: Any) -> list[str]:
    """The error texts an answer carries: the tool error, or a batch answer's per-item failures."""
    if result.is_error:
        return [text_of(result)]
    data: dict[str, Any] = result.structured_content or {}
    texts = [f["error"] for f in listed(data, "failed")]
    return texts + listed(data, "errors")


async def run_op(op: Op, connect: Any, sandbox: Any, rule: FaultRule | None, kind: str, **settings: Any) -> list[str]:
    """One cell: call, then judge the answer (and the writes). Returns the problems found."""
    tag = f"fm-{uuid.uuid4().hex[:10]}"
    args = op.args(sandbox, tag)
    problems: list[str] = []
    if kind == "slow":
        settings = {"http_timeout": TIMEOUT, **settings}  # elsewhere a loaded CI machine must not time out
    async with connect([op.tool, WARM_UP[op.provider]], **({"poll_wait": 2.0} | settings)) as client:
        if kind == "token expiry":
            assert not (await client.call_tool(WARM_UP[op.provider], {})).is_error
            clock: SandboxClock = sandbox.env.clock
            clock.advance(TOKEN_LIFETIME)  # past the warm-up token's lifetime
        try:
            with anyio.fail_after(CALL_LIMIT):
                result = await client.call_tool(op.tool, args)
        except TimeoutError:
            return [f"{op}: hung (no answer within {CALL_LIMIT} s)"]
    text = text_of(result)
    if crashed(result):
        return [f"{op}: crashed: {text[:300]}"]
    if rule is not None and rule.applied == 0:
        problems.append(f"{op}: the fault never fired (pattern {rule.pattern!r})")
    transient = rule is not None and rule.fault.count == 1
    if kind in KINDS:
        said = KINDS[kind].said
        if op.idempotent and transient and result.is_error:
            problems.append(f"{op}: a single {kind} was not retried cleanly: {text[:300]}")
        if op.idempotent and not transient and not result.is_error:
            problems.append(f"{op}: a persistent {kind} ended in success?! {text[:200]}")
        for error in error_texts(op, result):
            if not re.search(said, error):
                problems.append(f"{op}: the error does not say what happened ({said}): {error[:300]}")
            if not TO_DO.search(error):
                problems.append(f"{op}: the error does not say what to do: {error[:300]}")
        if op.write is not None and not transient and not error_texts(op, result):
            problems.append(f"{op}: a persistent {kind} on a write reported no failure: {text[:300]}")
    elif result.is_error:
        problems.append(f"{op}: failed under {kind}: {text[:300]}")
    if op.write is not None:
        if kind == "slow":
            await anyio.sleep(LATENCY + 0.3)  # let the abandoned requests land before counting
        asked = [k.lower() for k in op.write.asked(args)]
        count("writes", len(asked))
        book = ledger(sandbox, op.write, asked, result)
        problems += [f"{op} under {kind}: {p}" for p in book.problems()]
        if kind in UNSURE:
            # The vendor may have applied it before the fault: the answer must not invite a blind resend.
            unflagged = {k: t for k, t in book.account.refused.items() if "not sent" not in t}
            if unflagged:
                problems.append(f"{op} under {kind}: failed without 'may have been applied': {unflagged}"[:500])
    return problems


async def run_matrix(
    ops: list[Op], kind: str, sandbox: Any, connect: Any, make_rule: Callable[[Op], FaultRule | None], **settings: Any
) -> None:
    grow_epixel(sandbox)
    rules = {op.tool: make_rule(op) for op in ops}
    problems: list[str] = []

    async def cell(op: Op) -> None:
        problems.extend(await run_op(op, connect, sandbox, rules[op.tool], kind, **settings))

    async with anyio.create_task_group() as group:
        for op in ops:
            group.start_soon(cell, op)
    count("faults", len(ops))
    assert not problems, "\n".join(problems)


@pytest.fixture
def matrix_sandbox(sandbox: Any, fast_retries: None) -> Any:
    sandbox.config.rate_limits = False  # the 429s here are the injected ones
    sandbox.config.job_delay = 0.3
    return sandbox


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("duration", ["once", "every time"])
async def test_under_each_fault_every_operation_retries_cleanly_or_says_what_happened_and_what_to_do(
    kind: str, duration: str, matrix_sandbox: Any, connect: Any
) -> None:
    spec = KINDS[kind]
    matrix_sandbox.config.time_scale = spec.time_scale
    matrix_sandbox.config.job_delay = 0.3 * spec.time_scale

    def make_rule(op: Op) -> FaultRule:
        fault = dataclasses.replace(spec.fault(), skip=op.skip, count=1 if duration == "once" else None)
        return matrix_sandbox.config.add_fault(op.pattern, fault)

    await run_matrix(OPS, kind, matrix_sandbox, connect, make_rule)


async def test_a_token_that_expires_mid_run_is_renewed_and_every_operation_still_succeeds(
    matrix_sandbox: Any, connect: Any, sandbox_clock: SandboxClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Vendor time passes by request, not by the wall clock: a token expires after the same requests however
    # loaded the machine is. The server learns of the expiry from a 401.
    matrix_sandbox.config.token_lifetime = TOKEN_LIFETIME
    matrix_sandbox.config.job_delay = 1.5 * TOKEN_LIFETIME  # the search outlives even the renewed token
    log = matrix_sandbox.env.log

    def log_and_tick(entry: Any) -> None:
        sandbox_clock.advance(TICK)
        log(entry)

    monkeypatch.setattr(matrix_sandbox.env, "log", log_and_tick)
    ops = [op for op in OPS if op.provider != "persistiq"]  # PersistIQ has a fixed key, no token
    grow_epixel(matrix_sandbox)
    problems: list[str] = []
    for op in ops:  # one at a time: another operation's requests never age a token between its renewal and use
        problems += await run_op(op, connect, matrix_sandbox, None, "token expiry", poll_wait=CALL_LIMIT / 2)
    count("faults", len(ops))
    assert not problems, "\n".join(problems)
    snov_fetches = matrix_sandbox.env.handled("POST", "/snov/v1/oauth/access_token")
    epixel_logins = matrix_sandbox.env.handled("POST", "/epixel/api/v1/user/")
    snov_ops = sum(op.provider == "snov" for op in ops)
    epixel_ops = sum(op.provider == "epixel" for op in ops)
    assert len(snov_fetches) >= 2 * snov_ops + 1, "no Snov.io token expired mid-run"
    assert len(epixel_logins) >= 2 * epixel_ops, "no Epixel token expired mid-run"


async def test_an_async_job_that_never_completes_comes_back_with_a_way_to_resume_not_a_hang(
    matrix_sandbox: Any, connect: Any
) -> None:
    matrix_sandbox.config.job_delay = 1e9
    async_ops = [op for op in OPS if "async" in op.role or op.tool == "snov_verify_emails"]
    assert async_ops
    problems: list[str] = []

    async def cell(op: Op) -> None:
        args = op.args(matrix_sandbox, f"never-{uuid.uuid4().hex[:8]}")
        async with connect([op.tool], poll_wait=0.5) as client:
            with anyio.fail_after(CALL_LIMIT):
                result = await client.call_tool(op.tool, args)
        data: dict[str, Any] = result.structured_content or {}
        if result.is_error or not re.search(r"(?i)still|call again", data.get("hint") or ""):
            problems.append(f"{op}: {text_of(result)[:300]}")
        if "async" in op.role and not (data.get("handle") or data.get("next_cursor")):
            problems.append(f"{op}: no handle or cursor to resume the job: {text_of(result)[:300]}")

    async with anyio.create_task_group() as group:
        for op in async_ops:
            group.start_soon(cell, op)
    count("faults", len(async_ops))
    assert not problems, "\n".join(problems)

"""Rate budget used: three times more concurrent calls than one window allows, against the sandbox
enforcing the documented limits (PersistIQ 100/min, Snov.io 60/min) with time scaled, so a vendor
minute passes in a few seconds.

The sandbox counts fixed windows, each opened by its first request. requests allowed = limit x (1 +
time from the first window's opening to the last one's / window): a client that opens every window the
moment the previous one closes uses 100%; the server frees a slot a window after its request's answer, so
each window also loses the time from a request's arrival to its answer.

The baseline sends the same requests with a bare ``httpx.AsyncClient``, all at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import anyio
import httpx
from mcp import Client

from benchmarks.common import Figure, sandbox, settings_for, snov_token
from mcp_server.server import create_server
from outbound_sandbox import config as cfg
from outbound_sandbox.app import AnsweredRequest, Sandbox
from outbound_sandbox.runner import SandboxUrls

TIME_SCALE = 20.0
WINDOW = 60.0 / TIME_SCALE
OVERLOAD = 3
GOAL = 0.97


@dataclass
class Case:
    label: str
    tool: str
    limit: int
    prefix: str
    path: str
    token_path: str | None = None
    """A token request takes a slot of the budget too: the calls leave one for it, and it counts as sent."""


CASES = [
    Case("PersistIQ", "persistiq_list_users", 100, cfg.PERSISTIQ_PREFIX, "/v1/users"),
    Case("Snov.io", "snov_get_balance", 60, cfg.SNOV_PREFIX, "/v1/get-balance", "/v1/oauth/access_token"),
]


def answered(sb: Sandbox, case: Case) -> list[AnsweredRequest]:
    paths = {case.prefix + case.path} | ({case.prefix + case.token_path} if case.token_path else set())
    return [r for r in sb.env.requests if isinstance(r, AnsweredRequest) and r.path in paths and r.status is not None]


async def through_the_server(sb: Sandbox, urls: SandboxUrls, case: Case) -> tuple[int, int, float, int]:
    sb.reset()
    calls = OVERLOAD * case.limit - (1 if case.token_path else 0)
    errors = 0
    async with Client(create_server(settings_for(urls, rate_window=WINDOW))) as client:

        async def call() -> None:
            nonlocal errors
            result = await client.call_tool(case.tool, {})
            errors += bool(result.is_error)

        async with anyio.create_task_group() as tg:
            for _ in range(calls):
                tg.start_soon(call)
    seen = answered(sb, case)
    ok = sum(r.status == 200 for r in seen)
    too_many = sum(r.status == 429 for r in seen)
    return ok, too_many, span_of_windows([r.at for r in seen]), errors


def span_of_windows(arrivals: list[float]) -> float:
    """Seconds from the first fixed window's opening to the last one's, as the sandbox counts them."""
    first = opened = min(arrivals)
    for at in sorted(arrivals):
        if at >= opened + WINDOW:
            opened = at
    return opened - first


async def bare_burst(sb: Sandbox, urls: SandboxUrls, case: Case) -> tuple[int, int]:
    sb.reset()
    # A loaded machine may hold a request past httpx's 5 s pool timeout: the baseline counts answers, not speed.
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=50), timeout=60.0) as http:
        if case.label == "Snov.io":
            headers = {"Authorization": f"Bearer {await snov_token(http, urls)}"}
        else:
            headers = {"x-api-key": cfg.PERSISTIQ_API_KEY}
        url = urls.origin + case.prefix + case.path

        async def send() -> None:
            await http.get(url, headers=headers)

        async with anyio.create_task_group() as tg:
            for _ in range(OVERLOAD * case.limit):
                tg.start_soon(send)
    seen = answered(sb, case)
    return sum(r.status == 200 for r in seen), sum(r.status == 429 for r in seen)


async def run() -> list[Figure]:
    figures = []
    with sandbox(time_scale=TIME_SCALE) as (sb, urls):
        for case in CASES:
            ok, too_many, elapsed, errors = await through_the_server(sb, urls, case)
            allowed = case.limit * (1 + elapsed / WINDOW)
            used = ok / allowed
            bare_ok, bare_429 = await bare_burst(sb, urls, case)
            figures.append(
                Figure(
                    f"rate budget used, {case.label} ({OVERLOAD * case.limit} requests: "
                    f"{OVERLOAD * case.limit - (1 if case.token_path else 0)} concurrent calls"
                    f"{' and their token request' if case.token_path else ''}, {case.limit}/window)",
                    f"{used:.1%} ({ok} sent / {allowed:.0f} allowed; last window opened after "
                    f"{elapsed / WINDOW:.2f} windows), {too_many} upstream 429s, {errors} failed calls",
                    f"bare httpx burst: {bare_ok} answered, {bare_429} upstream 429s",
                    f">= {GOAL:.0%}, 0 429s",
                    used >= GOAL and too_many == 0 and errors == 0,
                )
            )
    return figures

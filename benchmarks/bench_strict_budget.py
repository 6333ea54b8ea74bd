"""Rate budget against strict upstreams (``strict_upstream``: sliding and clock-aligned fixed windows, 429 the
moment the window is exceeded) over a long run: four windows' worth of calls, all started at once, from one
in-memory server and from four stdio servers sharing one SQLite state file.

Budget used, over the long run: every request the upstream let through after the first ``limit`` reuses the
slot of the one ``limit`` before it, which a window allows ``window`` seconds later at the soonest; used =
window / the mean time between the two (100%: each slot reused the moment the window allows; the first
window's free burst is left out). A fixed window can let a client past 100% by luck of where its edges fall.
Snov.io's token requests count on both sides.

The baseline, in the same run, is a naive client: bare httpx pacing its requests evenly at exactly the
documented rate (window / limit apart, as a client-side limiter would), with no correction from the API.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
from mcp import Client

from benchmarks.common import Figure, quiet, serving_process, settings_for, snov_token, stdio_server
from benchmarks.strict_upstream import KINDS, LOG_PATH, RESET_PATH, UPSTREAMS, Kind, Upstream
from mcp_server.server import create_server
from outbound_sandbox import config as cfg
from outbound_sandbox.runner import SandboxUrls

WINDOW = 6.0
"""Seconds per window (the vendors' minute, scaled): few enough calls a second that a loaded 2-core machine
keeps up with the budget, so the figure is the budget's and not the CPU's."""
WINDOWS = 4
PROCESSES = 4
GOAL = 0.95


@dataclass(frozen=True)
class Case:
    upstream: Upstream
    tool: str
    toolset: str
    path: str


CASES = [
    Case(UPSTREAMS[0], "persistiq_list_users", "persistiq", "/v1/users"),
    Case(UPSTREAMS[1], "snov_get_balance", "snov", "/v1/get-balance"),
]


@contextmanager
def strict_upstream(kind: Kind) -> Iterator[SandboxUrls]:
    """The gated sandbox in a process of its own, so its clock is not held up by the clients being measured."""
    args = ["-m", "benchmarks.strict_upstream", "--kind", kind, "--window", str(WINDOW)]
    with serving_process(args, "the strict upstream") as urls:
        yield urls


async def reset(urls: SandboxUrls) -> None:
    async with httpx.AsyncClient() as http:
        (await http.post(urls.origin + RESET_PATH)).raise_for_status()


async def seen(urls: SandboxUrls, case: Case) -> tuple[int, int, float]:
    """(requests let through, 429s, share of the budget used) at the upstream since the last reset."""
    async with httpx.AsyncClient() as http:
        log: list[list[Any]] = (await http.get(urls.origin + LOG_PATH)).json()
    mine = [(at, status) for at, name, status in log if name == case.upstream.name]
    through = sorted(at for at, status in mine if status == 200)
    limit = case.upstream.limit
    gaps = [through[i] - through[i - limit] for i in range(limit, len(through))]
    used = WINDOW / statistics.mean(gaps) if gaps else 0.0
    return len(through), len(mine) - len(through), used


async def burst(clients: list[Client], case: Case) -> int:
    """Every call at once, spread over the clients; answers the calls that failed."""
    failed = 0

    async def call(client: Client) -> None:
        nonlocal failed
        failed += bool((await client.call_tool(case.tool, {})).is_error)

    async with anyio.create_task_group() as tg:
        for i in range(WINDOWS * case.upstream.limit):
            tg.start_soon(call, clients[i % len(clients)])
    return failed


async def one_process(urls: SandboxUrls, case: Case) -> int:
    async with Client(create_server(settings_for(urls, rate_window=WINDOW, outbound_mcp_state="memory"))) as client:
        await reset(urls)
        return await burst([client], case)


async def four_processes(urls: SandboxUrls, case: Case, folder: Path, kind: Kind) -> int:
    state = f"sqlite:///{folder}/{kind}-{case.toolset}.sqlite3"
    tuning = {"rate_window": WINDOW, "state": state, "toolsets": case.toolset}  # as OUTBOUND_MCP_* variables
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(Client(quiet(stdio_server(urls, **tuning)))) for _ in range(PROCESSES)
        ]
        await reset(urls)
        return await burst(clients, case)


async def naive(urls: SandboxUrls, case: Case) -> None:
    await reset(urls)
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=50)) as http:
        if case.upstream.name == "Snov.io":
            headers = {"Authorization": f"Bearer {await snov_token(http, urls)}"}
        else:
            headers = {"x-api-key": cfg.PERSISTIQ_API_KEY}
        url = urls.origin + case.upstream.prefix + case.path
        spacing = WINDOW / case.upstream.limit

        async def send() -> None:
            await http.get(url, headers=headers)

        started = time.perf_counter()
        async with anyio.create_task_group() as tg:
            for i in range(WINDOWS * case.upstream.limit):
                await anyio.sleep(max(0.0, started + i * spacing - time.perf_counter()))
                tg.start_soon(send)


def figure(case: Case, kind: Kind, who: str, result: tuple[int, int, float], failed: int, baseline: str) -> Figure:
    through, too_many, used = result
    calls = WINDOWS * case.upstream.limit
    return Figure(
        f"rate budget used against a strict {kind}-window {case.upstream.name} ({case.upstream.limit}/window), "
        f"{calls} calls at once, {who}",
        f"{used:.1%} ({through} let through), {too_many} upstream 429s, {failed} failed calls",
        baseline,
        f">= {GOAL:.0%}, 0 429s",
        used >= GOAL and too_many == 0 and failed == 0,
    )


async def run() -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="outbound-mcp-bench-strict-") as folder:
        for kind in KINDS:
            with strict_upstream(kind) as urls:
                for case in CASES:
                    await naive(urls, case)
                    _, too_many, used = await seen(urls, case)
                    baseline = f"naive client paced at the limit: {used:.1%} used, {too_many} upstream 429s"
                    failed = await one_process(urls, case)
                    figures.append(figure(case, kind, "one process", await seen(urls, case), failed, baseline))
                    failed = await four_processes(urls, case, Path(folder), kind)
                    who = f"{PROCESSES} processes on one SQLite state file"
                    figures.append(figure(case, kind, who, await seen(urls, case), failed, baseline))
    return figures

"""The shared state store: one rate budget for 4 server processes on one PersistIQ key, and what each
store adds to a call.

Budget: 4 stdio server processes share 3x more concurrent calls than one window of the sandbox's
PersistIQ limit (100/min, time scaled so a vendor minute passes in 3 s) allows; ``memory`` (each process
its own budget) is the baseline beside SQLite and Redis. The allowed count is as in ``bench_rate_budget``:
limit x (1 + time from the first window's opening to the last one's / window).

Overhead: one in-memory MCP client per store calling ``persistiq_get_lead``, interleaved, so every store
sees the same machine load, against the sandbox in a process of its own; the figure is each store's median
over memory's.
"""

from __future__ import annotations

import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import anyio
import httpx
from mcp import Client

from benchmarks.bench_rate_budget import span_of_windows
from benchmarks.common import (
    FAST_SCALE,
    FAST_WINDOW,
    Figure,
    median,
    quiet,
    sandbox,
    sandbox_process,
    settings_for,
    stdio_server,
)
from mcp_server.server import create_server
from outbound_sandbox import config as cfg
from outbound_sandbox.app import AnsweredRequest, Sandbox
from outbound_sandbox.runner import SandboxUrls
from tests.state_servers import redis_server

TIME_SCALE = 20.0
WINDOW = 60.0 / TIME_SCALE
PROCESSES = 4
LIMIT = 100
OVERLOAD = 3
GOAL = 0.95
CALLS = 300
WARM_UP = 20
GOAL_MS = 1.0
USERS = cfg.PERSISTIQ_PREFIX + "/v1/users"


async def four_processes(sb: Sandbox, urls: SandboxUrls, state: str) -> tuple[int, int, float, int]:
    """(requests answered 200, upstream 429s, seconds between the first and last window, failed calls)."""
    errors = 0
    tuning = {"rate_window": WINDOW, "state": state, "toolsets": "persistiq"}  # as OUTBOUND_MCP_* variables
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(Client(quiet(stdio_server(urls, **tuning)))) for _ in range(4)]
        sb.reset()

        async def call(client: Client) -> None:
            nonlocal errors
            errors += bool((await client.call_tool("persistiq_list_users", {})).is_error)

        async with anyio.create_task_group() as tg:
            for i in range(OVERLOAD * LIMIT):
                tg.start_soon(call, clients[i % PROCESSES])
    seen = [r for r in sb.env.requests if isinstance(r, AnsweredRequest) and r.path == USERS and r.status]
    ok = sum(r.status == 200 for r in seen)
    too_many = sum(r.status == 429 for r in seen)
    return ok, too_many, span_of_windows([r.at for r in seen]) if seen else 0.0, errors


async def budget_figures(folder: Path, redis_url: str) -> list[Figure]:
    figures = []
    with sandbox(time_scale=TIME_SCALE) as (sb, urls):
        results = {}
        for name, state in (
            ("memory", "memory"),
            ("SQLite", f"sqlite:///{folder}/budget.sqlite3"),
            ("Redis", redis_url),
        ):
            results[name] = await four_processes(sb, urls, state)
        ok, too_many, _, errors = results["memory"]
        baseline = f"memory (a budget per process): {ok} sent, {too_many} upstream 429s, {errors} failed calls"
        for name in ("SQLite", "Redis"):
            ok, too_many, span, errors = results[name]
            allowed = LIMIT * (1 + span / WINDOW)
            used = ok / allowed
            figures.append(
                Figure(
                    f"shared budget, {PROCESSES} processes on one PersistIQ key, {name} "
                    f"({OVERLOAD * LIMIT} concurrent calls, {LIMIT}/window)",
                    f"{used:.1%} ({ok} sent / {allowed:.0f} allowed), {too_many} upstream 429s, {errors} failed calls",
                    baseline,
                    f">= {GOAL:.0%}, 0 429s",
                    used >= GOAL and too_many == 0 and errors == 0,
                )
            )
    return figures


async def overhead_figures(folder: Path, redis_url: str) -> list[Figure]:
    stores = {"memory": "memory", "SQLite": f"sqlite:///{folder}/overhead.sqlite3", "Redis": redis_url}
    # The sandbox in a process of its own, as in bench_overhead: in this one it would hold the interpreter
    # lock just when a store's answer arrives, and time the sandbox instead of the store.
    with sandbox_process(time_scale=FAST_SCALE) as urls:
        headers = {"x-api-key": cfg.PERSISTIQ_API_KEY}
        async with httpx.AsyncClient() as http:
            lead_id = (await http.get(f"{urls.persistiq}/v1/leads", headers=headers)).json()["leads"][0]["id"]
        async with AsyncExitStack() as stack:
            clients = {}
            for name, state in stores.items():
                server = create_server(settings_for(urls, outbound_mcp_state=state, **FAST_WINDOW))
                clients[name] = await stack.enter_async_context(Client(server))
            samples: dict[str, list[float]] = {name: [] for name in stores}
            for n in range(WARM_UP + CALLS):
                for name, client in clients.items():
                    started = time.perf_counter()
                    result: Any = await client.call_tool("persistiq_get_lead", {"lead_id": lead_id})
                    if n >= WARM_UP:
                        samples[name].append(time.perf_counter() - started)
                    assert not result.is_error, result.content
    base = median(samples["memory"]) * 1000
    figures = []
    for name in ("SQLite", "Redis"):
        added = median(samples[name]) * 1000 - base
        figures.append(
            Figure(
                f"state store overhead per call, {name} over memory (median of {CALLS}, in memory client)",
                f"{added:+.2f} ms ({median(samples[name]) * 1000:.2f} ms per tool call)",
                f"memory {base:.2f} ms per tool call",
                f"<= +{GOAL_MS:g} ms",
                added <= GOAL_MS,
            )
        )
    return figures


async def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="outbound-mcp-bench-state-") as folder, redis_server() as redis:
        return [*await budget_figures(Path(folder), redis.url), *await overhead_figures(Path(folder), redis.url)]

"""Async job latency: from the moment the sandbox's job is ready to the tool's answer, for Snov.io's
domain search (v2 start, then result polls), polling at most once a second.

Two series of jobs, each on a fresh server with a store of its own (so one series' requests do not spend the
next one's rate budget): jobs that take about as long as the last ones (the server learns their ready window;
see bench_poller) and jobs whose duration keeps changing. The baseline, run beside each job on the same
sandbox, is a bare httpx client that starts the job and polls its result once a second.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import anyio
import httpx
from mcp import Client

from benchmarks.common import Figure, agrees, median, sandbox, settings_for, snov_token
from mcp_server.server import create_server
from outbound_sandbox.app import Sandbox
from outbound_sandbox.runner import SandboxUrls

GOAL_MS = 500
DOMAIN = "acme.com"
SERIES = {
    "steady job duration (2.3 s)": [2.3] * 8,
    "job duration changing (1.2-3.6 s)": [2.3, 1.2, 3.1, 1.8, 3.6, 2.6, 1.5, 2.9],
}
RESULT = "/v2/domain-search/result/"


async def bare_job(http: httpx.AsyncClient, urls: SandboxUrls, headers: dict[str, str]) -> tuple[str, float]:
    """Start, then poll once a second: the job's hash and the time.time() of its answer."""
    started = await http.post(f"{urls.snov}/v2/domain-search/start", data={"domain": DOMAIN}, headers=headers)
    task = started.json()["meta"]["task_hash"]
    while True:
        await anyio.sleep(1.0)
        body = (await http.get(f"{urls.snov}{RESULT}{task}", headers=headers)).json()
        if body.get("status") != "in progress":
            return task, time.time()


async def tool_job(client: Client) -> float:
    """The tool's whole call: the time.time() of its answer."""
    result = await client.call_tool("snov_domain_search", {"domain": DOMAIN})
    assert not result.is_error and result.structured_content, result.content
    assert result.structured_content["status"] != "running", result.structured_content
    return time.time()


def poll_gaps(sb: Sandbox, task: str) -> list[float]:
    polls = sorted(r.at for r in sb.env.requests if r.path.endswith(RESULT + task))
    return [b - a for a, b in itertools.pairwise(polls)]


async def side_by_side(
    sb: Sandbox, urls: SandboxUrls, client: Client, http: httpx.AsyncClient, headers: dict[str, str]
) -> tuple[float, float, list[float]]:
    """One job each for the tool and the bare client, at once: (tool latency, bare latency, tool's poll gaps)."""
    before = set(sb.snov.core.tasks)
    got: dict[str, Any] = {}

    async def tool() -> None:
        got["tool"] = await tool_job(client)

    async def bare() -> None:
        got["bare"] = await bare_job(http, urls, headers)

    async with anyio.create_task_group() as tg:
        tg.start_soon(tool)
        tg.start_soon(bare)
    bare_task, bare_answered = got["bare"]
    tasks = sb.snov.core.tasks
    (mine,) = set(tasks) - before - {bare_task}
    delay = sb.config.job_delay
    return (
        got["tool"] - (tasks[mine].started + delay),
        bare_answered - (tasks[bare_task].started + delay),
        poll_gaps(sb, mine),
    )


async def series(sb: Sandbox, urls: SandboxUrls, delays: list[float]) -> tuple[list[float], list[float], float]:
    ours: list[float] = []
    theirs: list[float] = []
    gaps: list[float] = []
    async with (
        Client(create_server(settings_for(urls, outbound_mcp_state="memory")), elicitation_callback=agrees) as client,
        httpx.AsyncClient() as http,
    ):
        headers = {"Authorization": f"Bearer {await snov_token(http, urls)}"}
        for delay in delays:
            sb.config.job_delay = delay
            tool, bare, polls = await side_by_side(sb, urls, client, http, headers)
            ours.append(tool)
            theirs.append(bare)
            gaps += polls
    return ours, theirs, min(gaps, default=float("inf"))


async def run() -> list[Figure]:
    figures = []
    # Limits off: the bare client beside the server would otherwise spend the server's Snov.io minute.
    with sandbox(rate_limits=False) as (sb, urls):
        for label, delays in SERIES.items():
            sb.reset()
            ours, theirs, closest = await series(sb, urls, delays)
            figures.append(
                Figure(
                    f"async job latency, {label}: ready to answer (median of {len(delays)})",
                    f"{median(ours) * 1000:.0f} ms = {median(ours) / median(theirs):.2f}x bare (max "
                    f"{max(ours) * 1000:.0f} ms; polls >= {closest:.2f} s apart)",
                    f"bare httpx polling every 1 s: {median(theirs) * 1000:.0f} ms (max {max(theirs) * 1000:.0f} ms)",
                    f"<= {GOAL_MS} ms and <= bare, polls >= 1 s apart",
                    median(ours) * 1000 <= GOAL_MS and median(ours) <= median(theirs) and closest >= 0.99,
                )
            )
    return figures

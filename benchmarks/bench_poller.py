"""The job poller alone, on a simulated clock: from the moment a job is ready to the poll that sees it.

The series of ``bench_latency`` (steady durations, durations that keep changing) and one whose duration steps
up halfway. Each series runs the shipped poller (Snov.io's schedule, learning each job's ready window as the
server does, from a fresh start) and plain polling once a second on the same jobs in the same run. The clock
is simulated, so the figures are exact and take no wall time.
"""

from __future__ import annotations

import itertools

from benchmarks.bench_latency import SERIES as MEASURED
from benchmarks.common import Figure, median
from mcp_server.core.lists.jobs import Durations, Poller, Schedule
from mcp_server.providers.snov.client import poll_schedule

SCHEDULE = poll_schedule(1.0)
"""Snov.io's schedule at the default OUTBOUND_MCP_POLL_INTERVAL of 1 s."""
PLAIN = Schedule(initial=1.0, first=1.0, factor=1.0, most=1.0)
"""Plain polling: once a second, from one second in."""
SERIES = {**MEASURED, "job duration stepping up (4 x 1.3 s, then 4 x 3.6 s)": [1.3] * 4 + [3.6] * 4}
GOAL_MS = 500


async def job(duration: float, schedule: Schedule, durations: Durations | None) -> tuple[float, int, float]:
    """One job through the poller: (seconds from ready to the answering poll, polls, shortest gap)."""
    now = [0.0]
    polls: list[float] = []

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    async def check() -> str | None:
        polls.append(now[0])
        return "done" if now[0] >= duration else None

    poller = Poller(check, wait=30.0, schedule=schedule, clock=lambda: now[0], sleep=sleep, durations=durations)
    assert await poller.run() == "done"
    gaps = [b - a for a, b in itertools.pairwise(polls)]
    return now[0] - duration, len(polls), min(gaps, default=float("inf"))


async def series(durations: list[float], schedule: Schedule, learn: bool) -> tuple[float, float, int, float]:
    """Median and worst lateness, polls spent, shortest gap between two polls of one job."""
    learned = Durations() if learn else None
    runs = [await job(d, schedule, learned) for d in durations]
    late = [r[0] for r in runs]
    return median(late), max(late), sum(r[1] for r in runs), min(r[2] for r in runs)


async def run() -> list[Figure]:
    figures = []
    for label, durations in SERIES.items():
        ours, worst, polls, gap = await series(durations, SCHEDULE, learn=True)
        plain, plain_worst, plain_polls, _ = await series(durations, PLAIN, learn=False)
        figures.append(
            Figure(
                f"poller, {label}: ready to result (median of {len(durations)}, simulated clock)",
                f"{ours * 1000:.0f} ms = {ours / plain:.2f}x plain (max {worst * 1000:.0f} ms, {polls} polls, "
                f"polls >= {gap:.2f} s apart)",
                f"plain 1 s polling: {plain * 1000:.0f} ms (max {plain_worst * 1000:.0f} ms, {plain_polls} polls)",
                f"<= {GOAL_MS} ms and <= plain, polls >= 1 s apart",
                ours * 1000 <= GOAL_MS and ours <= plain and gap >= 1.0 - 1e-9,
            )
        )
    return figures

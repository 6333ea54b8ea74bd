"""The job poller alone, on a simulated clock: from the moment a job is ready to the poll that sees it.

Two series of jobs, as in ``bench_latency``: steady durations, and durations that keep changing. Each series
runs the shipped poller (Snov.io's schedule) and plain polling once a second on the same jobs in the same
run. Duration learning was removed after this benchmark showed it losing to plain polling on changing
jobs (issue #17: 775 vs 450 ms median; 150 vs 700 ms on steady ones). The clock is simulated, so the
figures are exact and take no wall time.
"""

from __future__ import annotations

from benchmarks.bench_latency import SERIES
from benchmarks.common import Figure, median
from mcp_server.core.lists.jobs import Poller, Schedule
from mcp_server.providers.snov.client import poll_schedule

SCHEDULE = poll_schedule(1.0)
"""Snov.io's schedule at the default OUTBOUND_MCP_POLL_INTERVAL of 1 s."""
PLAIN = Schedule(initial=1.0, first=1.0, factor=1.0, most=1.0)
"""Plain polling: once a second, from one second in."""


async def job(duration: float, schedule: Schedule) -> tuple[float, int]:
    """One job through the poller: (seconds from ready to the answering poll, polls)."""
    now = [0.0]
    polls = [0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    async def check() -> str | None:
        polls[0] += 1
        return "done" if now[0] >= duration else None

    poller = Poller(check, wait=30.0, schedule=schedule, clock=lambda: now[0], sleep=sleep)
    assert await poller.run() == "done"
    return now[0] - duration, polls[0]


async def series(durations: list[float], schedule: Schedule) -> tuple[float, str]:
    """The median lateness, and its figure with the worst case and the polls spent."""
    runs = [await job(d, schedule) for d in durations]
    late = [r[0] for r in runs]
    polls = sum(r[1] for r in runs)
    return median(late), f"{median(late) * 1000:.0f} ms (max {max(late) * 1000:.0f} ms, {polls} polls)"


async def run() -> list[Figure]:
    figures = []
    for label, durations in SERIES.items():
        shipped = await series(durations, SCHEDULE)
        plain = await series(durations, PLAIN)
        figures.append(
            Figure(
                f"poller, {label}: ready to result (median of {len(durations)}, simulated clock)",
                shipped[1],
                f"plain 1 s polling: {plain[1]}",
                "-",
                None,
            )
        )
    return figures

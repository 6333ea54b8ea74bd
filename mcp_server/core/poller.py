"""One poller for every upstream job: poll until done or the wait runs out, then hand back a resume handle."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import anyio

from mcp_server.core import deadline as call_time
from mcp_server.core.budget import Clock, Sleep
from mcp_server.core.progress import Progress

T = TypeVar("T")

DEFAULT_WAIT = 25.0
MAX_WAIT = 45.0
ANSWER_MARGIN = 0.5
"""Seconds of the call's budget kept for the last poll's request and the answer itself."""


@dataclass
class Pending:
    """The job was still running when the wait ran out."""

    waited: float
    polls: int


@dataclass
class Schedule:
    """Seconds between polls: ``first``, then growing by ``factor`` up to ``most``.

    ``expected`` (the job's typical duration, when known) moves the first poll to when it is likely done.
    """

    first: float = 1.0
    initial: float = 0.0
    """Seconds before the first poll: a job just started is rarely done at once."""
    factor: float = 1.5
    most: float = 4.0
    expected: float | None = None

    def intervals(self) -> Callable[[int], float]:
        def interval(n: int) -> float:
            if n == 0 and self.expected is not None:
                return max(self.first, self.expected)
            return min(self.most, self.first * (self.factor ** max(0, n - (1 if self.expected else 0))))

        return interval


@dataclass
class Learned:
    """Bounds on how long one kind of job takes, narrowed by each job seen, to time the polls.

    A job tells us it ran longer than its last "still running" poll and no longer than its first
    "done" one. Jobs of a kind take about as long, so the bounds are intersected and the expected
    finish is their middle (bisection, one job at a time) or, once they are close, the upper one.
    Bounds that stop overlapping mean the jobs changed pace: the newest job's bounds replace them.

    Polls are one interval apart and phased so that one lands on the expected finish; the first
    goes no earlier than the shortest recent job could have been done. Steady jobs get one poll,
    just in time; jobs of changing length wait at most one interval, as with plain polling.
    """

    low: float = 0.0
    high: float | None = None
    close: float = 0.1
    recent: deque[float] = field(default_factory=lambda: deque(maxlen=8))
    """The "done" bound of recent jobs."""

    def expected(self) -> float | None:
        if self.high is None:
            return None
        return self.high if self.high - self.low <= self.close else (self.low + self.high) / 2

    def first_poll(self, default: float, interval: float) -> float:
        expected = self.expected()
        if expected is None:
            return default
        earliest = min(self.recent, default=expected)
        steps = max(0, math.floor((expected - earliest) / interval)) if interval > 0 else 0
        return expected - steps * interval

    def record(self, running_at: float, done_at: float) -> None:
        self.recent.append(done_at)
        if self.high is None or running_at >= self.high or done_at <= self.low:
            self.low, self.high = running_at, done_at
        else:
            self.low, self.high = max(self.low, running_at), min(self.high, done_at)


@dataclass
class Poller(Generic[T]):
    check: Callable[[], Awaitable[T | None]]
    """One poll: the result when the job is done, None while it runs."""
    wait: float = DEFAULT_WAIT
    schedule: Schedule | None = None
    progress: Progress | None = None
    label: str = "job"
    learned: Learned | None = None
    """The job kind's learned duration: set only when the job started just now (not when resuming one)."""
    clock: Clock = time.monotonic
    sleep: Sleep = anyio.sleep

    async def run(self) -> T | Pending:
        """Cancellation-safe: a cancelled call stops polling at once (the sleep is a checkpoint)."""
        started = self.clock()
        left = call_time.remaining()
        wait = self.wait if left is None else max(0.0, min(self.wait, left - ANSWER_MARGIN))
        schedule = self.schedule or Schedule()
        interval = schedule.intervals()
        polls = 0
        first = self.learned.first_poll(schedule.initial, schedule.first) if self.learned else schedule.initial
        # Until just past the expected finish, polls stay one interval apart (phased on it); then they grow.
        steady_until = (self.learned.expected() or 0.0) + schedule.first if self.learned else 0.0
        if first > 0:
            await self.sleep(min(first, wait))
        running_at = 0.0
        while True:
            result = await self.check()
            polls += 1
            if result is not None:
                if self.learned is not None:
                    self.learned.record(running_at, self.clock() - started)
                return result
            waited = running_at = self.clock() - started
            pause = schedule.first if waited < steady_until else interval(polls - 1)
            if waited + pause > wait:
                return Pending(waited=waited, polls=polls)
            if self.progress is not None:
                await self.progress(waited, wait, f"{self.label} still running after {waited:.0f} s")
            await self.sleep(pause)


def clamp_wait(seconds: float | None) -> float:
    """A tool's ``max_wait`` argument, bounded so no call blocks a client past its timeout."""
    if seconds is None:
        return DEFAULT_WAIT
    return max(1.0, min(MAX_WAIT, seconds))

"""One poller for every upstream job: poll until done or the wait runs out, then hand back a resume handle."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import anyio

from mcp_server.core.call import deadline as call_time
from mcp_server.core.call.progress import Progress
from mcp_server.core.upstream.budget import Clock, Sleep

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
class Poller(Generic[T]):
    check: Callable[[], Awaitable[T | None]]
    """One poll: the result when the job is done, None while it runs."""
    wait: float = DEFAULT_WAIT
    schedule: Schedule | None = None
    progress: Progress | None = None
    label: str = "job"
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
        if schedule.initial > 0:
            await self.sleep(min(schedule.initial, wait))
        while True:
            result = await self.check()
            polls += 1
            if result is not None:
                return result
            waited = self.clock() - started
            pause = interval(polls - 1)
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

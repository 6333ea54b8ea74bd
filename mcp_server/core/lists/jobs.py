"""One poller for every upstream job: poll until done or the wait runs out, then hand back a resume handle."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
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
RESOLUTION = 0.05
"""Half the narrowest learned window worth narrowing, in intervals."""
AIM = 0.75
"""How far into a learned window the aligned poll goes: far enough that a steady job is rarely missed (a miss
costs a whole interval), early enough that each job ready by then narrows the window."""


@dataclass
class Pending:
    """The job was still running when the wait ran out."""

    waited: float
    polls: int


@dataclass(frozen=True)
class Window:
    """A job kind's typical duration lies in (``after``, ``by``]: not done at ``after``, done by ``by``."""

    after: float
    by: float


@dataclass
class Durations:
    """What this process learned of each job kind's duration, from jobs it polled since their start.

    Each kind keeps one window: a job whose window overlaps it narrows it (steady durations converge on the
    ready moment); one that does not replaces it (the duration changed, so older jobs say nothing).
    In-process only: a wrong window costs at most one interval of lateness, never a wrong answer."""

    windows: dict[str, Window] = field(default_factory=dict[str, Window])

    def of(self, kind: str) -> Window | None:
        return self.windows.get(kind)

    def observe(self, kind: str, seen: Window) -> None:
        known = self.windows.get(kind)
        if known is not None and seen.after < known.by and known.after < seen.by:
            seen = Window(max(known.after, seen.after), min(known.by, seen.by))
        self.windows[kind] = seen


@dataclass
class Schedule:
    """When to poll, in seconds from the job's start: at ``initial``, then ``first`` apart for ``flat``
    seconds, then growing by ``factor`` up to ``most`` apart (a long job must not spend the rate budget).

    With a learned window the polls are shifted so one lands three quarters into it: likely just after the
    typical job is ready, and a job ready by then narrows the window from above, so steady durations converge
    on their ready moment while polls stay ``first`` apart. The ``flat`` stretch counts from that poll."""

    first: float = 1.0
    initial: float = 0.0
    """Seconds before the first poll: a job just started is rarely done at once."""
    factor: float = 1.5
    most: float = 4.0
    flat: float = 0.0

    def times(self, learned: Window | None = None) -> Iterator[float]:
        start = 0.0
        if learned is None:
            at = self.initial
            yield at
        else:
            start = self.aim(learned)
            yield from self._back_from(start)
            at = start
        grown = 0
        while True:
            if at < start + self.flat:
                at += self.first
            else:
                at += min(self.most, self.first * self.factor**grown)
                grown += 1
            yield at

    def aim(self, learned: Window) -> float:
        """Where in the window to poll: three quarters in, or its end once it is too narrow to narrow further
        (request timing varies by a few milliseconds, so an exact ready moment cannot be held)."""
        width = learned.by - learned.after
        return learned.by if width <= 2 * RESOLUTION * self.first else learned.after + AIM * width

    def _back_from(self, aim: float) -> list[float]:
        """``aim`` and the polls before it, one interval apart counting back (none sooner than half the
        initial pause)."""
        points = [aim]
        while points[-1] - self.first >= self.initial / 2 and points[-1] - self.first > 0:
            points.append(points[-1] - self.first)
        return points[::-1]


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
    durations: Durations | None = None
    """Where this kind's learned duration lives; None for a job not polled from its start (a resumed one)."""
    kind: str = "job"

    async def run(self) -> T | Pending:
        """Cancellation-safe: a cancelled call stops polling at once (the sleep is a checkpoint).

        Polls keep to times counted from the start, so the time each request takes does not push later ones."""
        started = self.clock()
        left = call_time.remaining()
        wait = self.wait if left is None else max(0.0, min(self.wait, left - ANSWER_MARGIN))
        schedule = self.schedule or Schedule()
        learned = self.durations.of(self.kind) if self.durations is not None else None
        times = schedule.times(learned)
        polls = 0
        before = 0.0
        at = min(next(times), wait)
        while True:
            await self._until(started + at)
            polled = self.clock() - started
            result = await self.check()
            polls += 1
            if result is not None:
                if self.durations is not None:
                    self.durations.observe(self.kind, Window(before, polled))
                return result
            before = polled
            waited = self.clock() - started
            at = next(times)
            while at <= waited:  # a slow request overran this poll's time: the next one that is still ahead
                at = next(times)
            if at > wait:
                return Pending(waited=waited, polls=polls)
            if self.progress is not None:
                await self.progress(waited, wait, f"{self.label} still running after {waited:.0f} s")

    async def _until(self, moment: float) -> None:
        await self.sleep(max(0.0, moment - self.clock()))


def clamp_wait(seconds: float | None) -> float:
    """A tool's ``max_wait`` argument, bounded so no call blocks a client past its timeout."""
    if seconds is None:
        return DEFAULT_WAIT
    return max(1.0, min(MAX_WAIT, seconds))

"""Snov.io's job schedule on the injected clock: when polls go out, from the job's start, and what it learns."""

from __future__ import annotations

import itertools
import math
import statistics
from dataclasses import dataclass, field

import pytest

from mcp_server.core.lists.jobs import Durations, Pending, Poller
from mcp_server.providers.snov.client import poll_schedule

pytestmark = pytest.mark.anyio

EVERY = 1.0


@dataclass
class FakeJobs:
    """A simulated clock and jobs on it: each job records the times (from its start) it was polled at."""

    now: float = 0.0
    durations: Durations = field(default_factory=Durations)
    request_takes: float = 0.0

    async def sleep(self, seconds: float) -> None:
        self.now += seconds

    async def run(self, duration: float, *, learn: bool = True, wait: float = 30.0) -> list[float]:
        started = self.now
        polls: list[float] = []

        async def check() -> str | None:
            polls.append(round(self.now - started, 6))
            self.now += self.request_takes
            return "done" if self.now - started >= duration else None

        poller = Poller(
            check,
            wait=wait,
            schedule=poll_schedule(EVERY),
            clock=lambda: self.now,
            sleep=self.sleep,
            durations=self.durations if learn else None,
            kind="domain search",
        )
        outcome = await poller.run()
        assert outcome == "done" or isinstance(outcome, Pending)
        return polls


def plain_lateness(duration: float) -> float:
    """Polling once a second from one second in answers at the next whole second."""
    return math.ceil(duration) - duration


async def test_a_job_of_unknown_duration_is_answered_no_later_than_polling_once_a_second():
    for duration in (0.4, 1.2, 2.3, 3.6, 5.5, 8.9):
        polls = await FakeJobs().run(duration, learn=False)
        assert polls[-1] - duration <= plain_lateness(duration) + 1e-9, (duration, polls)


async def test_a_long_job_is_polled_once_a_second_for_ten_seconds_then_no_more_than_two_seconds_apart():
    polls = await FakeJobs().run(40.0, learn=False, wait=45.0)
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(polls)]
    assert gaps[:9] == [1.0] * 9
    assert all(1.0 <= gap <= 2.0 for gap in gaps) and gaps[-1] == 2.0
    assert len(polls) < 30  # a 40 s job spends fewer than half of Snov.io's 60 requests a minute


async def test_jobs_of_a_steady_duration_are_answered_ever_closer_to_their_ready_moment():
    jobs = FakeJobs()
    late = [(await jobs.run(2.3))[-1] - 2.3 for _ in range(8)]
    assert late[0] == pytest.approx(plain_lateness(2.3))
    assert late[1] < late[0]
    assert statistics.median(late) <= 0.25
    assert late[-1] <= 0.05 * EVERY


async def test_jobs_of_a_steady_duration_spend_no_more_polls_than_polling_once_a_second():
    jobs = FakeJobs()
    polls = [len(await jobs.run(2.3)) for _ in range(8)]
    assert sum(polls) <= 8 * math.ceil(2.3)


async def test_a_job_that_takes_longer_than_the_learned_duration_makes_the_schedule_learn_again():
    jobs = FakeJobs()
    for _ in range(4):
        await jobs.run(1.3)
    slower = [(await jobs.run(3.6))[-1] - 3.6 for _ in range(4)]
    assert slower[0] <= 1.0
    assert slower[-1] <= 0.2


async def test_polls_of_a_learned_job_stay_one_interval_apart():
    jobs = FakeJobs()
    for duration in (2.3, 2.3, 1.2, 3.1, 2.3, 2.3):
        polls = await jobs.run(duration)
        assert all(round(b - a, 6) >= EVERY for a, b in itertools.pairwise(polls)), polls
        assert polls[0] >= EVERY / 2


async def test_a_slow_request_does_not_push_later_polls_back():
    jobs = FakeJobs(request_takes=0.3)
    polls = await jobs.run(3.5, learn=False)
    assert polls == [1.0, 2.0, 3.0, 4.0]


async def test_a_job_not_polled_from_its_start_teaches_nothing():
    jobs = FakeJobs()
    await jobs.run(2.3, learn=False)
    assert jobs.durations.of("domain search") is None

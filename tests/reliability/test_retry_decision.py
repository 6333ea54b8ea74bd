"""``retry.decide``: one rule per test, on a policy whose backoff has no jitter unless the test is about it."""

from __future__ import annotations

import random
from dataclasses import dataclass

import httpx
import pytest

from mcp_server.core.upstream.retry import (
    Decision,
    Failure,
    Retry,
    RetryPolicy,
    Status,
    Stop,
    Transport,
    Unreadable,
    decide,
)

NOW = 1_800_000_000.0


@dataclass(frozen=True)
class Steady(RetryPolicy):
    """``base_delay * 2**attempt``, no jitter and no cap: every wait is known in advance."""

    def backoff(self, attempt: int) -> float:
        return self.base_delay * 2**attempt


POLICY = Steady(max_retries=3, base_delay=1.0)
READ, WRITE = True, False
SENT, NOT_SENT = Transport(sent=True), Transport(sent=False)


def decided(
    failure: Failure,
    idempotent: bool = READ,
    attempt: int = 0,
    *,
    policy: RetryPolicy = POLICY,
    deadline: float = NOW + 50,
    wait_until: float | None = None,
) -> Decision:
    return decide(failure, attempt, idempotent, policy=policy, now=NOW, deadline=deadline, wait_until=wait_until)


@pytest.mark.parametrize("code", [408, 429, 500, 502, 503, 504])
def test_a_read_that_met_408_429_or_a_listed_5xx_is_retried_after_the_backoff(code: int):
    assert decided(Status(code)) == Retry(1.0)


@pytest.mark.parametrize("code", [400, 401, 403, 404, 409, 422, 501, 505])
def test_a_status_outside_the_retry_list_is_final_even_for_a_read(code: int):
    assert decided(Status(code)) == Stop("final")


@pytest.mark.parametrize("code", [408, 500, 502, 503, 504])
def test_a_write_that_met_a_retryable_status_other_than_429_is_not_sent_again(code: int):
    assert decided(Status(code), WRITE) == Stop("final")


def test_a_write_that_met_a_429_is_sent_again_because_the_api_refused_it_before_any_work():
    assert decided(Status(429), WRITE) == Retry(1.0)


def test_a_request_that_never_left_is_sent_again_even_as_a_write():
    assert decided(NOT_SENT, WRITE) == Retry(1.0)


def test_a_write_that_may_have_left_before_it_failed_is_not_sent_again():
    assert decided(SENT, WRITE) == Stop("final")


def test_a_read_that_failed_after_it_left_is_sent_again():
    assert decided(SENT, READ) == Retry(1.0)


@pytest.mark.parametrize("sent", [True, False])
def test_the_calls_own_time_limit_running_out_is_never_retried_even_for_a_read(sent: bool):
    assert decided(Transport(sent=sent, timed_out=True), READ) == Stop("final")


def test_an_unreadable_answer_is_read_again_for_a_read_only():
    assert (decided(Unreadable(), READ), decided(Unreadable(), WRITE)) == (Retry(1.0), Stop("final"))


def test_an_answer_over_the_size_cap_is_never_asked_for_again():
    assert decided(Unreadable(oversized=True), READ) == Stop("final")


def test_the_last_allowed_retry_goes_and_the_next_one_does_not():
    assert (decided(Status(503), attempt=2), decided(Status(503), attempt=3)) == (Retry(4.0), Stop("cap"))


def test_a_policy_without_retries_never_retries_even_a_429():
    assert decided(Status(429), policy=Steady(max_retries=0)) == Stop("cap")


def test_a_failure_that_is_final_says_so_rather_than_out_of_retries():
    assert decided(Status(404), attempt=3) == Stop("final")


def test_the_apis_wait_until_replaces_a_shorter_backoff():
    assert decided(Status(429), wait_until=NOW + 7.5) == Retry(7.5)


def test_a_wait_until_shorter_than_the_backoff_leaves_the_backoff():
    assert decided(Status(429), attempt=2, wait_until=NOW + 1.0) == Retry(4.0)


def test_a_wait_until_already_past_leaves_the_backoff():
    assert decided(Status(503), wait_until=NOW - 30) == Retry(1.0)


def test_a_wait_that_would_end_past_the_deadline_stops_and_tells_how_long_it_was():
    assert decided(Status(429), deadline=NOW + 10, wait_until=NOW + 3600) == Stop("deadline", 3600.0)


def test_a_backoff_that_would_end_past_the_deadline_stops_too():
    assert decided(Status(503), attempt=2, deadline=NOW + 3.9) == Stop("deadline", 4.0)


def test_a_wait_that_ends_exactly_at_the_deadline_still_goes():
    assert decided(Status(503), attempt=2, deadline=NOW + 4.0) == Retry(4.0)


def test_the_default_backoff_is_jittered_between_half_and_all_of_its_capped_ceiling():
    policy = RetryPolicy(max_retries=10, base_delay=0.5, max_delay=8.0)
    random.seed(17)
    waits: dict[int, list[float]] = {}
    for attempt in (0, 3, 6):
        for _ in range(50):
            decision = decided(Status(503), attempt=attempt, policy=policy, deadline=NOW + 100)
            assert isinstance(decision, Retry)
            waits.setdefault(attempt, []).append(decision.wait)
    ceilings = {0: 0.5, 3: 4.0, 6: 8.0}  # 0.5 * 2**6 = 32 is capped at max_delay
    for attempt, ceiling in ceilings.items():
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits[attempt]), attempt
        assert len(set(waits[attempt])) > 1, f"attempt {attempt}: no jitter"


@pytest.mark.parametrize(
    ("exc", "failure"),
    [
        (httpx.ConnectError("refused"), NOT_SENT),
        (httpx.ConnectTimeout("slow"), NOT_SENT),
        (httpx.PoolTimeout("busy"), NOT_SENT),
        (httpx.ReadTimeout("slow"), SENT),
        (httpx.WriteTimeout("slow"), SENT),
        (httpx.RemoteProtocolError("dropped"), SENT),
        (httpx.ReadError("dropped"), SENT),
        (TimeoutError(), Transport(sent=True, timed_out=True)),
    ],
)
def test_a_transport_failure_is_sent_unless_it_failed_connecting_and_timed_out_only_on_the_calls_limit(
    exc: BaseException, failure: Transport
):
    assert Transport.of(exc) == failure

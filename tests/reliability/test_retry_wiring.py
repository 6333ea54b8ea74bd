"""``ApiClient.request`` acting on ``retry.decide``: what it resends, records and says, on a fake clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import anyio
import httpx
import pytest
import respx

from mcp_server.core.errors import ApiError, BadResponse, RateLimited, TransportError
from mcp_server.core.upstream import client as http_core
from mcp_server.core.upstream.client import ApiClient
from mcp_server.core.upstream.retry import RetryPolicy

pytestmark = pytest.mark.anyio
BASE = "https://retry.example.com/api"
CHECK_FIRST = "check with the matching list/get tool before sending it again."
Answer = Callable[[httpx.Request], httpx.Response]


@dataclass(frozen=True)
class Steady(RetryPolicy):
    """``base_delay * 2**attempt`` without jitter."""

    def backoff(self, attempt: int) -> float:
        return self.base_delay * 2**attempt


@dataclass
class Recorded:
    """A budget that never waits and keeps every 429 wait it is told of."""

    blocks: list[float] = field(default_factory=list[float])

    async def acquire(self, deadline: float) -> str:
        return "ticket"

    def settle(self, ticket: str) -> None:
        pass

    async def observe(self, remaining: int | None, reset_at: float | None, limited: bool = False) -> None:
        pass

    async def block_until(self, reset_at: float) -> None:
        self.blocks.append(reset_at)

    def wait_hint(self) -> float:
        return 0.0


@dataclass
class Upstream:
    """Epoch seconds that pass only when the client sleeps, and the requests the API saw."""

    router: respx.MockRouter
    now: float = 1_800_000_000.0
    seen: list[httpx.Request] = field(default_factory=list[httpx.Request])
    budget: Recorded = field(default_factory=Recorded)

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await anyio.lowlevel.checkpoint()


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    with respx.mock() as router:
        yield Upstream(router)


def client(upstream: Upstream, answer: Answer, *, retries: int = 3, base: float = 1.0) -> ApiClient:
    def seen(request: httpx.Request) -> httpx.Response:
        upstream.seen.append(request)
        return answer(request)

    upstream.router.route(url__startswith=BASE).mock(side_effect=seen)
    http = httpx.AsyncClient()
    policy = Steady(max_retries=retries, base_delay=base)
    return ApiClient(
        "Retry", BASE, None, upstream.budget, http, retry=policy, clock=upstream.clock, sleep=upstream.sleep
    )


def always(
    status: int, *, headers: dict[str, str] | None = None, text: str | None = None, json: object = None
) -> Answer:
    return lambda request: httpx.Response(status, headers=headers, text=text, json=json)


def failing(exc: Exception) -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        raise exc

    return answer


async def test_a_429_that_is_waited_out_is_recorded_for_the_budget_and_then_resent(upstream: Upstream):
    answers = [httpx.Response(429, headers={"Retry-After": "5"}), httpx.Response(200, json={"ok": True})]
    api = client(upstream, lambda request: answers.pop(0))
    start = upstream.now
    response = await api.request("GET", "items", deadline=start + 50)
    assert (response.status, len(upstream.seen)) == (200, 2)
    assert upstream.budget.blocks == [start + 5]
    assert upstream.now == start + 5


async def test_a_429_whose_backoff_outlasts_the_deadline_is_recorded_and_says_to_retry_after_the_backoff(
    upstream: Upstream,
):
    api = client(upstream, always(429, headers={"Retry-After": "1"}), base=10.0)
    start = upstream.now
    with pytest.raises(RateLimited) as refused:
        await api.request("POST", "items", deadline=start + 5)
    assert refused.value.retry_after == 10.0
    assert upstream.budget.blocks == [start + 1]
    assert len(upstream.seen) == 1


async def test_a_429_after_the_last_retry_is_raised_without_recording_its_wait(upstream: Upstream):
    api = client(upstream, always(429, headers={"Retry-After": "1"}), retries=0)
    with pytest.raises(RateLimited):
        await api.request("GET", "items", deadline=upstream.now + 50)
    assert upstream.budget.blocks == []


async def test_a_read_stops_retrying_when_the_next_backoff_would_end_past_the_deadline(upstream: Upstream):
    api = client(upstream, always(503), base=10.0)
    start = upstream.now
    with pytest.raises(ApiError) as failed:
        await api.request("GET", "items", deadline=start + 25)
    assert len(upstream.seen) == 2  # waits 10 s, then 20 s would end at 30 s
    assert (failed.value.status, failed.value.hint) == (503, "")


async def test_a_read_that_meets_5xx_every_time_is_sent_once_plus_the_retries(upstream: Upstream):
    api = client(upstream, always(502), retries=2, base=0.5)
    with pytest.raises(ApiError) as failed:
        await api.request("GET", "items", deadline=upstream.now + 50)
    assert len(upstream.seen) == 3
    assert failed.value.hint == ""


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_a_write_that_met_a_5xx_is_flagged_as_maybe_applied_by_the_same_rule_as_a_reset(
    upstream: Upstream, status: int
):
    # A proxy's HTML 500/504 can come after the API applied the write: the replay guard must read it as such.
    api = client(upstream, always(status, text="<html><body>Gateway Timeout</body></html>"))
    with pytest.raises(ApiError) as failed:
        await api.request("POST", "items", deadline=upstream.now + 50)
    assert len(upstream.seen) == 1
    assert failed.value.maybe_applied is True
    assert failed.value.hint == (
        f"The API failed on its side after the write reached it, so it may have been applied: {CHECK_FIRST}"
    )


async def test_an_idempotent_write_applied_on_its_first_attempt_is_not_reported_as_not_applied_when_its_retry_is_refused(
    upstream: Upstream,
):
    answers = [httpx.Response(500, text="<html>Internal Server Error</html>"), httpx.Response(404, json={})]
    api = client(upstream, lambda request: answers.pop(0))
    with pytest.raises(ApiError) as failed:
        await api.request("DELETE", "items/7", deadline=upstream.now + 50)
    assert len(upstream.seen) == 2
    assert (failed.value.status, failed.value.maybe_applied) == (404, True)
    assert failed.value.hint == (
        f"An earlier attempt of this write may have been applied before this one was refused: {CHECK_FIRST}"
    )


async def test_a_read_that_met_a_5xx_and_then_a_404_is_not_called_maybe_applied(upstream: Upstream):
    answers = [httpx.Response(503), httpx.Response(404, json={})]
    api = client(upstream, lambda request: answers.pop(0))
    with pytest.raises(ApiError) as failed:
        await api.request("GET", "items/7", deadline=upstream.now + 50)
    assert (failed.value.status, failed.value.maybe_applied) == (404, False)


async def test_a_write_whose_2xx_answer_is_unreadable_is_flagged_as_probably_applied(upstream: Upstream):
    api = client(upstream, always(200, text="<html>oops</html>"))
    with pytest.raises(BadResponse) as failed:
        await api.request("POST", "items", deadline=upstream.now + 50)
    assert len(upstream.seen) == 1
    assert failed.value.maybe_applied is True
    assert failed.value.hint == (
        f"The API accepted the write but its answer could not be read, so it was probably applied: {CHECK_FIRST}"
    )


async def test_a_read_whose_answer_stays_unreadable_is_retried_and_not_flagged(upstream: Upstream):
    api = client(upstream, always(200, text="not json"), retries=1)
    with pytest.raises(BadResponse) as failed:
        await api.request("GET", "items", deadline=upstream.now + 50)
    assert len(upstream.seen) == 2
    assert failed.value.maybe_applied is False
    assert failed.value.hint == "This is usually temporary: try again in a minute."


async def test_an_answer_over_the_size_cap_is_never_asked_for_again_even_by_a_read(
    upstream: Upstream, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(http_core, "MAX_BODY_BYTES", 10)
    api = client(upstream, always(200, json={"much": "x" * 100}))
    with pytest.raises(BadResponse) as failed:
        await api.request("GET", "items", deadline=upstream.now + 50)
    assert len(upstream.seen) == 1
    assert failed.value.maybe_applied is False


async def test_a_write_cut_off_after_it_left_is_flagged_and_not_resent(upstream: Upstream):
    api = client(upstream, failing(httpx.ReadError("connection reset")))
    with pytest.raises(TransportError) as failed:
        await api.request("POST", "items", deadline=upstream.now + 50)
    assert len(upstream.seen) == 1
    assert failed.value.maybe_applied is True
    assert failed.value.hint == f"The write may have been applied: {CHECK_FIRST}"


async def test_a_write_that_never_connected_is_resent_and_is_not_flagged_when_it_gives_up(upstream: Upstream):
    api = client(upstream, failing(httpx.ConnectError("boom")), retries=2, base=0.5)
    with pytest.raises(TransportError) as failed:
        await api.request("POST", "items", deadline=upstream.now + 50)
    assert len(upstream.seen) == 3
    assert failed.value.maybe_applied is False
    assert failed.value.hint == "Try again in a minute."

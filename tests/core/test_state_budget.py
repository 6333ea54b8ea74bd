"""The rate budget over the state store: a 429's own reset wins (issue 13), on a fake clock with respx."""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import httpx
import pytest
import respx

from mcp_server.core.errors import RateLimited
from mcp_server.core.state.memory import MemoryStore
from mcp_server.core.upstream.budget import WindowBudget
from mcp_server.core.upstream.client import ApiClient
from mcp_server.core.upstream.retry import RetryPolicy

pytestmark = pytest.mark.anyio
BASE = "https://rate.example.com/api"


class FakeTime:
    """Epoch seconds that pass only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await anyio.lowlevel.checkpoint()


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def http() -> Iterator[httpx.AsyncClient]:
    yield httpx.AsyncClient()


def client(fake: FakeTime, http: httpx.AsyncClient, retries: int) -> ApiClient:
    store = MemoryStore(fake.clock)
    budget = WindowBudget(100, 60.0, provider="Rate", clock=fake.clock, sleep=fake.sleep, store=store)
    policy = RetryPolicy(max_retries=retries, base_delay=0.001, max_delay=0.01)
    return ApiClient("Rate", BASE, None, budget, http, retry=policy, clock=fake.clock, sleep=fake.sleep)


def answers(fake: FakeTime, *kinds: str):
    """200s that report a window ending in 60 s, and 429s whose own reset is 2 s away."""
    queue = list(kinds)

    def answer(request: httpx.Request) -> httpx.Response:
        kind = queue.pop(0) if queue else "ok"
        if kind == "429":
            headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(fake.now + 2)}
            return httpx.Response(429, headers=headers, json={"error": "slow down"})
        headers = {"X-RateLimit-Remaining": "50", "X-RateLimit-Reset": str(fake.now + 60)}
        return httpx.Response(200, headers=headers, json={"ok": True})

    return answer


async def test_after_a_429_with_a_2_s_reset_the_next_call_succeeds_within_3_s(fake: FakeTime, http: httpx.AsyncClient):
    api = client(fake, http, retries=0)
    with respx.mock() as mock:
        mock.get(f"{BASE}/items").mock(side_effect=answers(fake, "ok", "429"))
        await api.request("GET", "items")  # the API's window: 50 left, resetting in 60 s
        with pytest.raises(RateLimited):
            await api.request("GET", "items")
        limited_at = fake.now
        response = await api.request("GET", "items")
    assert response.status == 200
    assert fake.now - limited_at <= 3.0


async def test_a_retried_call_that_meets_a_429_with_a_2_s_reset_succeeds_within_3_s(
    fake: FakeTime, http: httpx.AsyncClient
):
    api = client(fake, http, retries=3)
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/items").mock(side_effect=answers(fake, "ok", "429"))
        await api.request("GET", "items")
        started = fake.now
        response = await api.request("GET", "items")
    assert response.status == 200 and route.call_count == 3
    assert fake.now - started <= 3.0


async def test_the_latest_429_wait_replaces_a_longer_earlier_one(fake: FakeTime):
    budget = WindowBudget(100, 60.0, clock=fake.clock, sleep=fake.sleep, store=MemoryStore(fake.clock))
    await budget.block_until(fake.now + 30)
    await budget.block_until(fake.now + 2)
    assert await budget.slot() == pytest.approx(fake.now + 2, abs=0.001)


async def test_a_429_without_rate_figures_drops_the_older_api_figures(fake: FakeTime):
    budget = WindowBudget(100, 60.0, clock=fake.clock, sleep=fake.sleep, store=MemoryStore(fake.clock))
    await budget.observe(0, fake.now + 60)
    await budget.observe(None, None, limited=True)
    await budget.block_until(fake.now + 1)
    assert await budget.slot() == pytest.approx(fake.now + 1, abs=0.001)


async def test_no_more_requests_than_the_limit_go_in_one_window_and_the_next_waits_for_it(fake: FakeTime):
    budget = WindowBudget(3, 10.0, clock=fake.clock, sleep=fake.sleep, store=MemoryStore(fake.clock))
    start = fake.now
    for _ in range(3):
        await budget.acquire(fake.now + 50)
    assert fake.now == start
    with pytest.raises(RateLimited) as refused:
        await budget.acquire(fake.now + 1)
    assert refused.value.retry_after == pytest.approx(10.0 + budget.margin)
    await budget.acquire(fake.now + 50)
    assert fake.now == pytest.approx(start + 10.0 + budget.margin, abs=0.001)


async def test_a_429_asking_for_one_second_costs_its_call_one_second_though_its_reset_is_a_window_away(
    fake: FakeTime, http: httpx.AsyncClient
):
    api = client(fake, http, retries=3)
    sent: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(fake.now)
        if len(sent) == 1:  # a sliding-window API: "retry in 1 s", its window clearing in 60 s
            headers = {"Retry-After": "1", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(fake.now + 60)}
            return httpx.Response(429, headers=headers, json={"error": "slow down"})
        return httpx.Response(200, json={"ok": True})

    with respx.mock() as mock:
        route = mock.get(f"{BASE}/items").mock(side_effect=answer)
        started = fake.now
        response = await api.request("GET", "items")
    assert response.status == 200 and route.call_count == 2
    assert fake.now - started <= 1.5


async def test_a_slot_frees_as_long_after_the_window_as_answers_recently_took_to_come(fake: FakeTime):
    # A window counts arrivals: a request answered 0.8 s after its slot may have reached the API that late.
    budget = WindowBudget(2, 10.0, clock=fake.clock, sleep=fake.sleep, store=MemoryStore(fake.clock))
    start = fake.now
    for _ in range(2):
        await budget.acquire(fake.now + 50)
    fake.now += 0.8
    for _ in range(2):
        await budget.observe(None, None)
    assert await budget.slot() == pytest.approx(start + 10.8, abs=0.001)


async def test_a_slow_answer_widens_the_margin_for_two_windows_and_then_no_longer(fake: FakeTime):
    budget = WindowBudget(2, 10.0, clock=fake.clock, sleep=fake.sleep, store=MemoryStore(fake.clock))
    await budget.acquire(fake.now + 50)
    fake.now += 0.8
    await budget.observe(None, None)
    assert budget.margin == pytest.approx(0.8)
    fake.now += 19.0
    assert budget.margin == pytest.approx(0.8)
    fake.now += 2.0
    assert budget.margin == pytest.approx(budget.base_margin)

"""The rate budget over the state store: a 429's own reset wins (issue 13), a slot frees a window after its
answer (issue 32), on a fake clock with respx."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import anyio
import httpx
import pytest
import respx

from mcp_server.core.errors import RateLimited
from mcp_server.core.state import Figures, Lease, Leased, RateRule, Reports, Slot
from mcp_server.core.state.memory import MemoryStore
from mcp_server.core.upstream.budget import BLOCK_LIFE, LEASE_SLACK, WindowBudget
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


class CountingStore(MemoryStore):
    """Counts the budget's trips to the store, and the answers they carried."""

    trips = 0
    reported = 0

    async def rate_slot(
        self, key: str, now: float, rule: RateRule, take: bool, lease: Lease | None = None, reports: Reports = ()
    ) -> Slot:
        self.trips += 1
        self.reported += len(reports)
        return await super().rate_slot(key, now, rule, take, lease, reports)

    async def rate_lease(
        self,
        key: str,
        now: float,
        rule: RateRule,
        tickets: Sequence[str],
        until: float,
        reports: Reports = (),
        returns: Sequence[str] = (),
        figures: Figures | None = None,
    ) -> Leased:
        self.trips += 1
        self.reported += len(reports)
        return await super().rate_lease(key, now, rule, tickets, until, reports, returns, figures)

    async def rate_observe(
        self,
        key: str,
        now: float,
        rule: RateRule,
        remaining: int | None,
        reset_at: float | None,
        limited: bool,
        reports: Reports = (),
        unused: Sequence[str] = (),
    ) -> tuple[int | None, float | None]:
        self.trips += 1
        self.reported += len(reports)
        return await super().rate_observe(key, now, rule, remaining, reset_at, limited, reports, unused)


def client(fake: FakeTime, http: httpx.AsyncClient, retries: int, limit: int = 100, window: float = 60.0) -> ApiClient:
    store = MemoryStore(fake.clock)
    budget = WindowBudget(limit, window, provider="Rate", clock=fake.clock, sleep=fake.sleep, store=store)
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
        budget.settle(await budget.acquire(fake.now + 50))
    assert fake.now == start
    with pytest.raises(RateLimited) as refused:
        await budget.acquire(fake.now + 1)
    assert refused.value.retry_after == pytest.approx(10.0)
    await budget.acquire(fake.now + 50)
    assert fake.now == pytest.approx(start + 10.0, abs=0.001)


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


async def test_a_slot_frees_a_window_after_its_answer_however_late_a_loaded_machine_sent_the_request(
    fake: FakeTime, http: httpx.AsyncClient
):
    # A window counts arrivals: a request answered 3 s after its slot may have reached the API that late.
    api = client(fake, http, retries=0, limit=2, window=10.0)
    budget = api.budget
    assert isinstance(budget, WindowBudget)

    def late(request: httpx.Request) -> httpx.Response:
        fake.now += 3.0
        return httpx.Response(200, json={"ok": True})

    with respx.mock() as mock:
        mock.get(f"{BASE}/items").mock(side_effect=late)
        start = fake.now
        await api.request("GET", "items")
        await api.request("GET", "items")
    assert await budget.slot() == pytest.approx(start + 3.0 + 10.0, abs=0.001)


async def test_a_slot_held_by_an_unanswered_request_is_looked_at_again_shortly_and_frees_after_its_lease_ends(
    fake: FakeTime,
):
    budget = WindowBudget(4, 10.0, clock=fake.clock, sleep=fake.sleep, store=MemoryStore(fake.clock))
    start = fake.now
    for _ in range(4):
        await budget.acquire(start + 30)  # in flight: it may reach the API at any moment
    fake.now += 25.0
    assert await budget.slot() == pytest.approx(fake.now + 2.5, abs=0.001)  # one request's share of the window
    fake.now += 17.0  # their call gave up at start + 30: they reached the API by then, if at all
    # A leased block's lease outlasts the call that leased it by the half window its slots are used for.
    assert await budget.slot() == pytest.approx(start + 30 + LEASE_SLACK + 10.0 * BLOCK_LIFE + 10.0, abs=0.001)


async def test_another_process_sees_a_slot_free_a_window_after_the_answer_once_the_next_trip_carries_it(
    fake: FakeTime,
):
    store = MemoryStore(fake.clock)
    first, second = (
        WindowBudget(2, 10.0, clock=fake.clock, sleep=fake.sleep, store=store, key="shared") for _ in range(2)
    )
    start = fake.now
    ticket = await first.acquire(start + 50)
    fake.now += 0.5
    first.settle(ticket)
    fake.now += 0.2
    await second.acquire(start + 50)
    # Not reported yet: no sooner than a window after its slot was given.
    assert await second.slot() == pytest.approx(start + 10.0, abs=0.001)
    fake.now += 1.0
    await first.slot()  # the first process's next trip carries its answer
    assert await second.slot() == pytest.approx(start + 0.5 + 10.0, abs=0.001)


async def test_a_process_done_with_its_calls_reports_its_last_answers_when_the_budget_was_full(fake: FakeTime):
    store = MemoryStore(fake.clock)
    first, second = (
        WindowBudget(2, 10.0, clock=fake.clock, sleep=fake.sleep, store=store, key="shared") for _ in range(2)
    )
    start = fake.now
    one, two = await first.acquire(start + 50), await first.acquire(start + 50)
    fake.now += 1.0
    first.settle(one)
    three = await first.acquire(start + 50)  # waits for the first answer to leave the window
    assert fake.now > start + 11.0
    fake.now += 1.0
    first.settle(two)
    first.settle(three)
    await first.observe(None, None)  # no call of the first process waits now: its answers go at once
    assert await second.slot() == pytest.approx(fake.now + 10.0, abs=0.001)


async def test_answers_ride_on_the_next_trip_and_calls_take_slots_from_a_leased_block_with_none(
    fake: FakeTime, http: httpx.AsyncClient
):
    store = CountingStore(fake.clock)
    budget = WindowBudget(100, 60.0, clock=fake.clock, sleep=fake.sleep, store=store)
    api = ApiClient("Rate", BASE, None, budget, http, retry=RetryPolicy(max_retries=0), clock=fake.clock)
    with respx.mock() as mock:
        mock.get(f"{BASE}/items").mock(return_value=httpx.Response(200, json={"ok": True}))
        for _ in range(5):
            await api.request("GET", "items")
    assert store.trips == 3  # blocks of 1, 2 and 4 slots
    assert store.reported == 3  # the answers so far went with each next block

"""Slots leased in blocks (issue 32 item 5): a process takes several slots in one store trip and spends them with
none, on every store alike; the shared record still never lets a window hold more than the limit, unused slots
go back (or lapse) for another process, and a release from before blocks reads the record as before. On a fake
clock; Redis against a real redis-server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import anyio
import pytest

from mcp_server.core.errors import RateLimited
from mcp_server.core.state import RateRule, StateStore
from mcp_server.core.state.local import RateLog
from mcp_server.core.state.memory import MemoryStore
from mcp_server.core.state.redis import RedisStore
from mcp_server.core.state.sqlite import SqliteStore
from mcp_server.core.upstream.budget import BLOCK_LIFE, LEASE_SLACK, WindowBudget
from tests.core.test_state_budget import FakeTime
from tests.state_servers import RedisServer, redis_server

pytestmark = pytest.mark.anyio
KINDS = ["memory", "sqlite", pytest.param("redis", marks=pytest.mark.e2e)]
LIMIT, WINDOW = 40, 10.0


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture(params=KINDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path, fake: FakeTime) -> AsyncIterator[StateStore]:
    if request.param == "memory":
        made: StateStore = MemoryStore(fake.clock)
    elif request.param == "sqlite":
        made = SqliteStore(tmp_path / "state.sqlite3", fake.clock)
    else:
        server: RedisServer = request.getfixturevalue("redis")
        made = RedisStore(server.url)
    yield made
    await made.aclose()


def key_for(request: pytest.FixtureRequest) -> str:
    """Each test its own budget: the Redis server lives for the whole module."""
    return f"lease:{request.node.name}"


def process(fake: FakeTime, store: StateStore, key: str, limit: int = LIMIT) -> WindowBudget:
    """One server process's budget on the shared store (each has its own tickets and blocks)."""
    return WindowBudget(limit, WINDOW, clock=fake.clock, sleep=fake.sleep, store=store, key=key)


async def call(budget: WindowBudget, fake: FakeTime, took: float = 0.05) -> float:
    """One request: a slot, the request's arrival (answered ``took`` later), its answer. Answers the arrival."""
    ticket = await budget.acquire(fake.now + 50)
    arrived = fake.now
    fake.now += took
    budget.settle(ticket)
    await budget.observe(None, None)
    return arrived


async def held(store: StateStore, key: str, now: float) -> int:
    """The slots the shared record holds now (what every process, of any release, counts)."""
    if isinstance(store, RedisStore):
        return await _redis_count(store, key, now)
    raw = await store.get(key)
    return len([at for at in RateLog.load(raw).sent.values() if at > now - WINDOW])


async def _redis_count(store: RedisStore, key: str, now: float) -> int:
    counted = await store._client.zcount(f"outbound-mcp:{key}:sent", f"({now - WINDOW!r}", "+inf")  # pyright: ignore[reportPrivateUsage]
    return int(counted)


async def test_sequential_calls_lease_growing_blocks_so_most_calls_make_no_store_trip(
    fake: FakeTime, store: StateStore, request: pytest.FixtureRequest
):
    trips = 0
    lease = store.rate_lease

    async def counted(*args: object, **kwargs: object) -> object:
        nonlocal trips
        trips += 1
        return await lease(*args, **kwargs)  # type: ignore[arg-type]

    store.rate_lease = counted  # type: ignore[method-assign]
    budget = process(fake, store, key_for(request), limit=1000)
    for _ in range(60):
        await call(budget, fake, took=0.001)
    assert trips <= 8  # blocks of 1, 2, 4, 8, 16, 32...: not one trip per call
    assert await held(store, key_for(request), fake.now) >= 60


async def test_two_processes_leasing_blocks_never_let_a_window_hold_more_than_the_limit(
    fake: FakeTime, store: StateStore, request: pytest.FixtureRequest
):
    key = key_for(request)
    first, second = process(fake, store, key), process(fake, store, key)
    arrivals: list[float] = []

    async def run(budget: WindowBudget, calls: int, took: float) -> None:
        for _ in range(calls):
            arrived = await call(budget, fake, took)
            arrivals.append(arrived)

    async with anyio.create_task_group() as tg:
        for budget, took in ((first, 0.01), (second, 0.03)):
            for _ in range(5):  # five concurrent callers in each process
                tg.start_soon(run, budget, 24, took)
    arrivals.sort()
    assert len(arrivals) == 240
    crowded = [arrivals[i + LIMIT] - arrivals[i] for i in range(len(arrivals) - LIMIT)]
    assert min(crowded) >= WINDOW - 1e-6  # the 41st request after any one arrives a whole window later


async def test_a_lapsed_block_goes_back_on_the_next_trip_and_another_process_uses_its_room(
    fake: FakeTime, store: StateStore, request: pytest.FixtureRequest
):
    key = key_for(request)
    first, second = process(fake, store, key), process(fake, store, key)
    for _ in range(4):
        await call(first, fake)  # blocks of 1, 2 and 4: three slots of the last one unused
    assert await held(store, key, fake.now) == 7  # leased and unused counts as used
    fake.now += WINDOW * BLOCK_LIFE + 0.1  # the block is past its use; the four answers have left the window
    await call(first, fake)  # its next trip gives the three back (held until their lease ends otherwise)
    assert await held(store, key, fake.now) == 1
    start = fake.now
    for _ in range(LIMIT - 1):
        await second.acquire(fake.now + 50)
    assert fake.now == start  # the room given back went to the other process at once
    with pytest.raises(RateLimited):
        await second.acquire(fake.now + 0.5)


async def test_a_process_that_stops_for_good_leaves_its_unused_slots_to_lapse_a_window_after_their_lease(
    fake: FakeTime, store: StateStore, request: pytest.FixtureRequest
):
    key = key_for(request)
    first, second = process(fake, store, key, limit=8), process(fake, store, key, limit=8)
    start = fake.now
    for _ in range(3):
        await call(first, fake, took=0.0)  # blocks of 1 and 2 (a quarter of the room, at least one)
    taken = 0
    with pytest.raises(RateLimited):
        for _ in range(8):
            await second.acquire(start + 1.0)
            taken += 1
    assert taken == 5  # the first process's three slots are held though two of its answers were never reported
    lease_end = start + 50 + LEASE_SLACK + WINDOW * BLOCK_LIFE
    assert await second.slot() <= lease_end + WINDOW  # the last of them lapses a window after its lease


async def test_a_process_falling_idle_while_the_window_is_nearly_full_gives_its_unused_slots_back_at_once(
    fake: FakeTime, store: StateStore, request: pytest.FixtureRequest
):
    key = key_for(request)
    first = process(fake, store, key)
    for _ in range(3):
        await call(first, fake, took=0.0)  # blocks of 1 and 2, all used: the next would be 4
    rule = RateRule(LIMIT, WINDOW, 0.2)
    for _ in range(25):  # another process takes slots one by one: 12 left in the window
        assert (await store.rate_slot(key, fake.now, rule, take=True)).at <= fake.now
    await call(first, fake, took=0.0)  # a block of 3 (a quarter of 12), one used, 9 left: tight
    assert await held(store, key, fake.now) == 3 + 25 + 1  # the two unused went back as the process fell idle


async def test_a_process_told_by_the_api_that_fewer_are_left_than_it_holds_gives_the_excess_back(
    fake: FakeTime, store: StateStore, request: pytest.FixtureRequest
):
    key = key_for(request)
    budget = process(fake, store, key)
    for _ in range(4):
        await call(budget, fake, took=0.0)  # seven leased, three of them unused
    await budget.observe(1, fake.now + 30)  # another client on the key: one request left until the reset
    await budget.acquire(fake.now + 50)
    with pytest.raises(RateLimited):
        await budget.acquire(fake.now + 1)  # not one of the two leased beyond the API's room


async def test_a_release_from_before_blocks_counts_leased_unused_slots_as_taken(
    fake: FakeTime, store: StateStore, request: pytest.FixtureRequest
):
    """The earlier release takes its one slot per call with ``rate_slot`` (the same operation and, on Redis, the
    same script) and reads the record's ``s`` list of times: a leased slot must count there."""
    key = key_for(request)
    budget = process(fake, store, key)
    for _ in range(4):
        await call(budget, fake)  # seven leased, four used
    rule = RateRule(LIMIT, WINDOW, 0.2)
    earlier = [(await store.rate_slot(key, fake.now, rule, take=True)).at for _ in range(LIMIT)]
    assert sum(at <= fake.now for at in earlier) == LIMIT - 7
    if not isinstance(store, RedisStore):
        record = json.loads(await store.get(key) or b"{}")
        assert len(record["s"]) == LIMIT and len(record["k"]) == LIMIT  # the earlier shape, leases included


async def test_the_apis_figures_ride_on_the_next_block_while_they_leave_room_and_go_at_once_when_they_do_not(
    fake: FakeTime, store: StateStore, request: pytest.FixtureRequest
):
    key = key_for(request)
    budget = process(fake, store, key)
    rule = RateRule(LIMIT, WINDOW, 0.2)
    await call(budget, fake)
    await budget.observe(15, fake.now + 30)  # another client on the key; room for far more than this holds
    assert (await store.rate_slot(key, fake.now, rule, take=False)).remaining is None  # no trip for them
    await call(budget, fake)  # the next block's trip stores them (24 beyond ours), then takes two slots
    assert (await store.rate_slot(key, fake.now, rule, take=False)).remaining == LIMIT - 24 - 3
    await budget.observe(3, fake.now + 30)  # less room than a block: stored at once
    assert (await store.rate_slot(key, fake.now, rule, take=False)).remaining == 2

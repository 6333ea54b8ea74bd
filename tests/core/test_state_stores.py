"""The three state stores keep one contract: atomic adds, spends under a ceiling and rate slots, across
tasks and across processes; a store that fails says so as a tool-ready error, never a crash."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import anyio
import pytest

from mcp_server.core.redact import REDACTOR
from mcp_server.core.state import RateRule, StateStore, StateUnavailable, namespace, shared_key
from mcp_server.core.state.local import RateLog
from mcp_server.core.state.memory import MemoryStore
from mcp_server.core.state.opener import open_store
from mcp_server.core.state.redis import RedisStore
from mcp_server.core.state.sqlite import SqliteStore
from tests.state_servers import RedisServer, free_port, redis_server

pytestmark = pytest.mark.anyio
KINDS = ["memory", "sqlite", pytest.param("redis", marks=pytest.mark.e2e)]  # redis starts a redis-server
PREFIXES: dict[int, str] = {}
"""Each store's key prefix, by the store's id."""


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


def make(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> StateStore:
    if kind == "memory":
        return MemoryStore()
    if kind == "sqlite":
        return SqliteStore(tmp_path / "state.sqlite3")
    server: RedisServer = request.getfixturevalue("redis")
    return RedisStore(server.url)


@pytest.fixture(params=KINDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StateStore]:
    made = make(request.param, tmp_path, request)
    # Each test its own keys: the Redis server lives for the whole module.
    prefix = namespace("test", request.node.name)
    PREFIXES[id(made)] = prefix
    yield made
    await made.aclose()


def key(store: StateStore, name: str) -> str:
    return f"{PREFIXES[id(store)]}:{name}"


async def test_a_value_is_set_read_added_once_and_deleted(store: StateStore):
    k = key(store, "v")
    assert await store.get(k) is None
    await store.set(k, b"one")
    assert await store.get(k) == b"one"
    assert await store.add(k, b"two") is False
    await store.delete(k)
    assert await store.add(k, b"three") is True
    assert await store.get(k) == b"three"


async def test_a_value_with_a_ttl_is_gone_after_it(store: StateStore):
    k = key(store, "ttl")
    await store.set(k, b"soon", ttl=0.05)
    await anyio.sleep(0.15)
    assert await store.get(k) is None
    assert await store.add(k, b"again", ttl=60) is True


async def test_of_twenty_concurrent_adds_exactly_one_wins(store: StateStore):
    wins: list[bool] = []

    async def add(i: int) -> None:
        wins.append(await store.add(key(store, "once"), str(i).encode()))

    async with anyio.create_task_group() as tg:
        for i in range(20):
            tg.start_soon(add, i)
    assert wins.count(True) == 1


async def test_concurrent_spends_never_pass_the_ceiling_and_refunds_stop_at_zero(store: StateStore):
    k = key(store, "credits")
    results: list[tuple[bool, float]] = []

    async def spend() -> None:
        results.append(await store.spend(k, 1, 3, ttl=60))

    async with anyio.create_task_group() as tg:
        for _ in range(10):
            tg.start_soon(spend)
    assert sum(done for done, _ in results) == 3
    assert float(await store.get(k) or 0) == 3
    assert await store.spend(k, 0.5, 3, ttl=60) == (False, 3.0)
    assert await store.spend(k, -5, None, ttl=60) == (True, 0.0)
    assert await store.spend(k, 2.5, None, ttl=60) == (True, 2.5)


async def test_no_more_slots_than_the_limit_are_taken_and_the_next_one_is_dated(store: StateStore):
    rule = RateRule(limit=5, window=60.0, margin=0.25)
    k, now = key(store, "rate"), 1_800_000_000.0
    slots = [(await store.rate_slot(k, now, rule, take=True)).at for _ in range(8)]
    assert sum(s <= now for s in slots) == 5
    assert slots[-1] == pytest.approx(now + 60.0, abs=0.001)  # a window after its answer: no margin
    assert (await store.rate_slot(k, now + 60.0, rule, take=True)).at <= now + 60.0


async def test_the_api_figures_and_a_429_block_hold_back_the_next_slot(store: StateStore):
    rule = RateRule(limit=100, window=60.0, margin=0.25)
    k, now = key(store, "corrections"), 1_800_000_000.0
    await store.rate_observe(k, now, rule, 0, now + 30, limited=False)
    assert (await store.rate_slot(k, now, rule, take=False)).at == pytest.approx(now + 30.25, abs=0.001)
    await store.rate_observe(k, now, rule, 0, now + 2, limited=True)
    assert (await store.rate_slot(k, now, rule, take=False)).at == pytest.approx(now + 2.25, abs=0.001)
    taken = await store.rate_slot(k, now + 2.3, rule, take=True)
    assert (taken.at, taken.remaining, taken.reset_at) == (now + 2.3, None, None)  # the 429's window is over
    await store.rate_observe(k, now, rule, 7, now + 40, limited=False)
    taken = await store.rate_slot(k, now + 2.4, rule, take=True)
    assert taken.remaining == 6 and taken.reset_at == pytest.approx(now + 40, abs=0.001)
    await store.rate_block(k, now, rule, now + 5)
    assert (await store.rate_slot(k, now, rule, take=False)).at == pytest.approx(now + 5, abs=0.001)


async def test_when_our_own_window_is_full_the_oldest_request_leaving_frees_a_slot_not_the_apis_later_reset(
    store: StateStore,
):
    # A sliding-window API may report "none left until the whole window clears" (its newest request + window).
    rule = RateRule(limit=3, window=10.0, margin=0.2)
    k, now = key(store, "sliding"), 1_800_000_000.0
    for step in (0.0, 4.0, 8.0):
        assert (await store.rate_slot(k, now + step, rule, take=True)).at <= now + step
    await store.rate_observe(k, now + 8.0, rule, 0, now + 18.0, limited=False)
    assert (await store.rate_slot(k, now + 8.0, rule, take=False)).at == pytest.approx(now + 10.0, abs=0.001)
    assert (await store.rate_slot(k, now + 10.0, rule, take=True)).at <= now + 10.0
    assert (await store.rate_slot(k, now + 10.0, rule, take=False)).at == pytest.approx(now + 14.0, abs=0.001)


async def test_requests_the_api_counted_beyond_ours_hold_back_only_their_share_until_its_reset(store: StateStore):
    rule = RateRule(limit=4, window=10.0, margin=0.2)
    k, now = key(store, "others"), 1_800_000_000.0
    await store.rate_slot(k, now, rule, take=True)
    await store.rate_observe(k, now, rule, 1, now + 30.0, limited=False)  # two more went from another client
    assert (await store.rate_slot(k, now + 1.0, rule, take=True)).at <= now + 1.0
    assert (await store.rate_slot(k, now + 1.0, rule, take=False)).at == pytest.approx(now + 10.0, abs=0.001)


async def test_a_request_in_flight_holds_its_slot_and_frees_a_window_after_its_reported_answer(store: StateStore):
    rule = RateRule(limit=2, window=10.0, margin=0.25)
    k, now = key(store, "answers"), 1_800_000_000.0
    tickets = [f"p:{n}@{now!r}" for n in range(2)]
    for ticket in tickets:
        assert (await store.rate_slot(k, now, rule, take=True, lease=(ticket, now + 50))).at <= now
    # Both unanswered a window later: still held; they may have been answered, so look again in 10 / 2 s.
    assert (await store.rate_slot(k, now + 11, rule, take=False)).at == pytest.approx(now + 16, abs=0.001)
    await store.rate_observe(k, now + 11, rule, None, None, False, reports=[(tickets[0], now + 3)])
    got = await store.rate_slot(k, now + 11, rule, take=False, reports=[(tickets[1], now + 4)])
    assert got.at == pytest.approx(now + 13, abs=0.001)  # a window after the first answer
    assert (await store.rate_slot(k, now + 13, rule, take=True)).at <= now + 13


async def test_one_shared_key_for_every_client_of_the_same_store(
    store: StateStore, tmp_path: Path, request: pytest.FixtureRequest
):
    first = await shared_key(store, key(store, "handles"))
    if isinstance(store, MemoryStore):
        other: StateStore = store
    else:
        other = make("sqlite" if isinstance(store, SqliteStore) else "redis", tmp_path, request)
    assert await shared_key(other, key(store, "handles")) == first and len(first) == 32
    if other is not store:
        await other.aclose()


def test_the_sqlite_file_is_private_to_its_user(tmp_path: Path):
    path = tmp_path / "private" / "state.sqlite3"
    anyio.run(SqliteStore(path).set, "k", b"v")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for extra in path.parent.iterdir():
        assert stat.S_IMODE(extra.stat().st_mode) & 0o077 == 0, extra


SPENDER = """
import sys, anyio
from pathlib import Path
from mcp_server.core.state.opener import open_store

async def main() -> None:
    store = open_store(sys.argv[1])
    done = 0
    for _ in range(25):
        done += (await store.spend("race:credits", 1, 50, ttl=60))[0]
    await store.aclose()
    print(done)

anyio.run(main)
"""


def on_store(spec: str, operation: str, *args: object) -> object:
    """One operation on a store opened (and closed) just for it."""

    async def run() -> object:
        store = open_store(spec)
        try:
            return await getattr(store, operation)(*args)
        finally:
            await store.aclose()

    return anyio.run(run)


@pytest.mark.e2e
@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_four_processes_spending_at_once_stop_exactly_at_the_ceiling(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
):
    spec = f"sqlite:///{tmp_path}/state.sqlite3" if kind == "sqlite" else request.getfixturevalue("redis").url
    on_store(spec, "delete", "race:credits")
    runs = [subprocess.Popen([sys.executable, "-c", SPENDER, spec], stdout=subprocess.PIPE) for _ in range(4)]
    done = [int(run.communicate(timeout=60)[0]) for run in runs]
    assert sum(done) == 50
    stored = on_store(spec, "get", "race:credits")
    assert isinstance(stored, bytes | None)
    assert float(stored or 0) == 50


async def test_an_unusable_sqlite_path_is_a_clear_error_not_a_crash(tmp_path: Path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    store = SqliteStore(blocker / "state.sqlite3")
    with pytest.raises(StateUnavailable) as failed:
        await store.rate_slot("k", 0.0, RateRule(1, 1.0, 0.0), take=True)
    assert "state store" in failed.value.message and "Nothing was sent" in failed.value.hint


async def test_a_redis_that_is_not_there_is_a_clear_error_not_a_crash():
    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(StateUnavailable) as failed:
        await store.spend("k", 1, None, ttl=60)
    assert "Redis at 127.0.0.1" in failed.value.message
    await store.aclose()


async def test_tokens_are_kept_only_in_a_redis_that_asks_for_credentials():
    open_one = RedisStore("redis://127.0.0.1:6390/0")
    locked = RedisStore("redis://:s3cret-redis-pass@127.0.0.1:6390/0")
    await open_one.aclose()
    await locked.aclose()
    assert open_one.protected is False
    assert locked.protected is True
    assert "s3cret-redis-pass" not in REDACTOR("password s3cret-redis-pass") and "s3cret" not in locked.where


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("memory", True),
        ("sqlite", True),
        ("sqlite:///var/lib/outbound/state.sqlite3", True),
        ("redis://user:pw@cache.internal:6379/2", True),
        ("redis://cache.internal:port/0", False),
        ("redis://", False),
        ("postgres://db/state", False),
        ("sqlite:///", False),
    ],
)
def test_outbound_mcp_state_accepts_its_forms_and_names_them_otherwise(value: str, accepted: bool):
    from mcp_server.core.errors import ConfigError
    from mcp_server.settings import load_settings

    if accepted:
        assert load_settings(outbound_mcp_state=value).outbound_mcp_state == value
    else:
        with pytest.raises(ConfigError) as refused:
            load_settings(outbound_mcp_state=value)
        assert "OUTBOUND_MCP_STATE" in refused.value.message and "redis://" in refused.value.message


def test_a_rate_record_stays_readable_by_a_replica_of_the_earlier_release_and_reads_its_records():
    """Replicas upgraded one by one share one store: the earlier release reads ``s`` as a list of times and
    rewrites the record without tickets; each must read what the other wrote."""
    log = RateLog.load(None)
    log.take(100.0, "a@100.0", None)
    log.take(101.0, "b@101.0", 150.0)  # in flight until its lease ends
    record = json.loads(log.dump())
    assert record["s"] == [100.0, 150.0]  # the earlier release's shape: every request's time, a list
    assert RateLog.load(log.dump()).sent == {"a@100.0": 100.0, "b@101.0": 150.0}
    earlier = json.dumps({"s": [100.0, 101.0], "o": 0, "t": None, "b": 0.0}).encode()
    assert sorted(RateLog.load(earlier).sent.values()) == [100.0, 101.0]


def test_a_rate_record_in_a_shape_no_release_writes_is_read_as_far_as_it_goes_never_a_crash():
    """A development build wrote its ticket map under "s"; a call on that store crashed with a TypeError."""
    tickets = json.dumps({"s": {"a@100.0": 100.0, "b@101.0": "x"}, "o": 0, "t": None, "b": 0.0}).encode()
    log = RateLog.load(tickets)
    assert log.sent == {"a@100.0": 100.0}
    assert log.next_slot(105.0, RateRule(limit=1, window=10.0, margin=0.25)) == pytest.approx(110.0)

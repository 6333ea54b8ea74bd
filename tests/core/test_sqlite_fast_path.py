"""The SQLite store runs a transaction on the event loop when the file's lock is free, and waits for a busy file
on its worker thread, never on the loop."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import anyio.to_thread
import pytest

from mcp_server.core.state import RateRule
from mcp_server.core.state.sqlite import SqliteStore

pytestmark = pytest.mark.anyio
RULE = RateRule(100, 60.0, 0.0)


async def test_a_free_file_takes_no_thread_hop_and_a_locked_one_is_waited_for_off_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "state.sqlite3"
    store = SqliteStore(path)
    await store.set("k", b"opened")  # the first operation opens the file on the thread
    hops: list[object] = []
    hopped = anyio.Event()
    hop = anyio.to_thread.run_sync

    async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(fn)
        hopped.set()
        return await hop(fn, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    for n in range(5):
        await store.rate_slot("rate", float(n), RULE, take=True)
    assert hops == []

    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    ticks = 0

    async def release() -> None:
        nonlocal ticks
        await hopped.wait()
        for _ in range(5):  # the event loop keeps running while the store waits for the lock
            await anyio.lowlevel.checkpoint()
            ticks += 1
        other.execute("COMMIT")

    async with anyio.create_task_group() as tg:
        tg.start_soon(release)
        taken = await store.rate_slot("rate", 5.0, RULE, take=True)
        assert taken.at <= 5.0
    other.close()
    assert len(hops) == 1 and ticks == 5
    await store.aclose()

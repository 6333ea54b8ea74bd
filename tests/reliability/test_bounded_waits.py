"""Waits stay bounded whatever an upstream or the state store does: one 429's wait is capped to the provider's
rate window, so a ``Retry-After: 86400`` cannot lock the provider out for a day for every process sharing the
store; and calls queued behind a state file another process holds locked end by OUTBOUND_MCP_MAX_WAIT plus a
short cutoff (under load a call once took 75.6 s with MAX_WAIT=50)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import respx

from mcp_server.core.call.deadline import OVERRUN
from tests.reliability.writes import text_of

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]

USERS = {"status": "success", "users": [{"id": "u_1", "name": "Ann", "email": "ann@example.org"}]}
WINDOW = 0.5
"""A short rate window (seconds), so the capped wait passes within the test."""


async def test_a_429_asking_for_a_day_blocks_the_next_process_on_the_store_for_one_window_at_most(
    connect: Any, sandbox_urls: Any, tmp_path: Path
) -> None:
    store = {"outbound_mcp_state": f"sqlite:///{tmp_path}/state.sqlite3", "rate_window": WINDOW}
    day = httpx.Response(429, headers={"Retry-After": "86400"}, json={"status": "error", "errors": ["slow down"]})
    with respx.mock() as mock:
        route = mock.get(f"{sandbox_urls.persistiq}/v1/users")
        route.mock(return_value=day)
        async with connect(["persistiq_list_users"], **store) as client:
            refused = await client.call_tool("persistiq_list_users", {})
        route.mock(return_value=httpx.Response(200, json=USERS))
        started = time.monotonic()
        async with connect(["persistiq_list_users"], **store) as restarted:
            later = await restarted.call_tool("persistiq_list_users", {})
        waited = time.monotonic() - started
    assert refused.is_error, text_of(refused)
    assert not later.is_error, text_of(later)
    assert waited < 5, waited


HOLDER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""
MAX_WAIT = 1.0
CALLS = 8


async def test_calls_queued_behind_a_state_file_another_process_locks_end_by_max_wait_plus_the_cutoff(
    connect: Any, tmp_path: Path
) -> None:
    path = tmp_path / "state.sqlite3"
    store = {"outbound_mcp_state": f"sqlite:///{path}", "outbound_mcp_max_wait": MAX_WAIT}
    async with connect(["persistiq_list_users"], **store) as client:
        assert not (await client.call_tool("persistiq_list_users", {})).is_error  # the file is made
        holder = await anyio.open_process([sys.executable, "-c", HOLDER, str(path), "30"])
        try:
            assert holder.stdout is not None and (await holder.stdout.receive()).startswith(b"held")
            took: list[float] = []
            answers: list[str] = []

            async def call() -> None:
                started = time.monotonic()
                result = await client.call_tool("persistiq_list_users", {})
                took.append(time.monotonic() - started)
                answers.append(text_of(result) if result.is_error else "")

            async with anyio.create_task_group() as group:
                for _ in range(CALLS):
                    group.start_soon(call)
        finally:
            holder.terminate()
            await holder.aclose()
    assert max(took) <= MAX_WAIT + OVERRUN + 1.5, sorted(took)
    assert all(("state store" in a or "time limit" in a) for a in answers), answers

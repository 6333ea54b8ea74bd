"""Waits stay bounded whatever an upstream says: one 429's wait is capped to the provider's rate window, so a
``Retry-After: 86400`` cannot lock the provider out for a day for every process sharing the state store."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from tests.reliability.writes import text_of

pytestmark = pytest.mark.anyio

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

"""Snov.io's token request takes a slot of the rate budget like any other request to Snov.io."""

from __future__ import annotations

import pytest

from outbound_sandbox.app import Sandbox
from tests.providers.snov.outreach_helpers import failed, ok
from tests.providers.typed import Connect

pytestmark = pytest.mark.anyio


async def test_a_cold_start_counts_its_token_request_so_a_budget_of_two_has_room_for_one_call_only(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    async with connect(snov_rate_limit=2, rate_window=600.0) as client:
        first = ok(await client.call_tool("snov_get_balance", {}))
        second = failed(await client.call_tool("snov_get_balance", {}))

    assert "balance" in first
    assert "rate limit" in second
    assert len(sandbox.env.handled("POST", "/snov/v1/oauth/access_token")) == 1
    assert len(sandbox.env.handled("GET", "/snov/v1/get-balance")) == 1

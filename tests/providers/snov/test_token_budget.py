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


async def test_with_slots_leased_in_blocks_a_cold_start_of_five_calls_on_a_budget_of_five_sends_four(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    async with connect(snov_rate_limit=5, rate_window=600.0) as client:
        answers = [await client.call_tool("snov_get_balance", {}) for _ in range(5)]

    assert [answer.is_error for answer in answers] == [False] * 4 + [True]
    assert "rate limit" in failed(answers[-1])
    assert len(sandbox.env.handled("POST", "/snov/v1/oauth/access_token")) == 1
    assert len(sandbox.env.handled("GET", "/snov/v1/get-balance")) == 4

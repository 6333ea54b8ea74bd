"""A state store that comes back empty within a credit period (a Redis restarted without persistence) is
said loudly: a warning in the log and a hint in snov_get_balance; this process adds back what it spent, so
the ceiling does not silently start again from 0 (it once let a cap of 10 be charged 10 + 10 in one day).
The loss is made by real means: a real ``redis-server`` stopped and started again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from mcp import Client

from mcp_server.server import create_server
from outbound_sandbox.app import Sandbox
from tests.confirm_helpers import Person
from tests.reliability.conftest import LeakWatch
from tests.reliability.writes import text_of
from tests.state_servers import RedisServer, redis_server

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]
ALEX = {"first_name": "Alex", "last_name": "Rivera", "domain": "acme.com", "queue_if_missing": True}


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


async def test_a_credit_ledger_lost_by_a_store_restart_is_said_in_the_log_and_the_balance(
    settings_for: Any, sandbox: Sandbox, redis: RedisServer, leak_watch: LeakWatch
) -> None:
    sandbox.config.job_delay = 0.2
    sandbox.config.rate_limits = False
    settings = settings_for(
        outbound_mcp_state=redis.url, snov_max_credits=10, poll_interval=0.05, snov_rate_limit=10_000
    )
    async with Client(create_server(settings), elicitation_callback=Person("accept")) as client:
        found = await client.call_tool("snov_find_email", ALEX)
        before = await client.call_tool("snov_get_balance", {})
        redis.stop()
        redis.start()  # the same port, no persistence: every key is gone
        after = await client.call_tool("snov_get_balance", {})
    assert not found.is_error and not before.is_error and not after.is_error, text_of(after)
    spent = before.structured_content["spent_this_period"]
    assert spent >= 1 and "hint" not in before.structured_content
    hint = after.structured_content["hint"]
    assert "credit ledger was found empty" in hint and "SNOV_MAX_CREDITS may be passed" in hint
    assert after.structured_content["spent_this_period"] == spent  # this process's own credits added back
    assert any("credit ledger LOST" in line for line in leak_watch.logs)

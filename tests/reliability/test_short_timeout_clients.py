"""Clients that time a call out after 5 s (openai-agents, google-adk): with ``OUTBOUND_MCP_MAX_WAIT=4`` a
call answers inside that, job polls, slow pages and waits together, with a handle or cursor that
resumes without a second start."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from mcp import Client

from mcp_server.server import create_server
from mcp_server.settings import Settings
from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault
from tests.confirm_helpers import agrees
from tests.tables import rows

pytestmark = pytest.mark.anyio

CLIENT_TIMEOUT = 5.0
"""openai-agents' and google-adk's default read timeout: a call past it fails in the client."""
MAX_WAIT = 4.0
SEARCH_START = "/snov/v2/domain-search/start"


async def test_a_15_s_snov_job_answers_a_handle_in_time_and_the_next_call_gets_the_result_with_one_start(
    sandbox: Sandbox, settings_for: Callable[..., Settings]
):
    sandbox.config.time_scale = 3.0  # the job's 15 vendor seconds pass in 5 real ones
    sandbox.config.job_delay = 15.0
    async with Client(
        create_server(settings_for(outbound_mcp_max_wait=MAX_WAIT)),
        read_timeout_seconds=CLIENT_TIMEOUT,
        elicitation_callback=agrees,
    ) as client:
        first = await client.call_tool("snov_domain_search", {"domain": "acme.com"})
        assert not first.is_error and first.structured_content["status"] == "running"
        second = await client.call_tool(
            "snov_domain_search", {"domain": "acme.com", "handle": first.structured_content["handle"]}
        )

    assert not second.is_error and second.structured_content["name"] == "Acme Corporation"
    assert len(sandbox.env.handled("POST", SEARCH_START)) == 1


async def test_slow_pages_stop_at_the_call_budget_with_a_cursor_that_resumes_right_after_them(
    sandbox: Sandbox, settings_for: Callable[..., Settings]
):
    sandbox.config.add_fault("GET /persistiq/v1/leads", Fault("latency", seconds=1.5))
    async with Client(
        create_server(settings_for(outbound_mcp_max_wait=MAX_WAIT)),
        read_timeout_seconds=CLIENT_TIMEOUT,
        elicitation_callback=agrees,
    ) as client:
        first = (await client.call_tool("persistiq_list_leads", {"limit": 260})).structured_content
        rest = (
            await client.call_tool("persistiq_list_leads", {"limit": 260, "cursor": first["next_cursor"]})
        ).structured_content

    assert 0 < len(rows(first)) < 260 and "time limit" in first["hint"]
    ids = [lead["id"] for lead in rows(first) + rows(rest)]
    assert ids[: len(rows(first)) + 1] == list(sandbox.persistiq.world.leads)[: len(rows(first)) + 1]
    assert len(ids) == len(set(ids))


async def test_a_rate_budget_wait_longer_than_the_call_budget_answers_at_once_with_when_to_retry(
    sandbox: Sandbox, settings_for: Callable[..., Settings]
):
    # The next slot opens in 20 s: inside the old per-request 50 s, far past the call budget of 4.
    settings = settings_for(outbound_mcp_max_wait=MAX_WAIT, persistiq_rate_limit=1, rate_window=20.0)
    async with Client(
        create_server(settings), read_timeout_seconds=CLIENT_TIMEOUT, elicitation_callback=agrees
    ) as client:
        assert not (await client.call_tool("persistiq_list_users", {})).is_error
        waited = await client.call_tool("persistiq_list_users", {})

    text = " ".join(getattr(block, "text", "") for block in waited.content)
    assert waited.is_error and "Retry in" in text

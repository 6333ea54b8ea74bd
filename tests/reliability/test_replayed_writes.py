"""A write the client gave up on and sent again reaches the API once: the retry gets the first call's
answer, marked as a replay; ``repeat: true`` writes again on purpose."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from mcp import Client, MCPError

from mcp_server.server import create_server
from mcp_server.settings import Settings
from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault

pytestmark = pytest.mark.anyio

ABANDON_AFTER = 0.5
"""The client's read timeout for the first call (a short-timeout client, scaled down from 5 s)."""
SLOW_WRITE = 1.5
"""How long the sandbox takes over the first write: past the client's timeout."""

WRITES = [
    ("snov_create_prospect_list", {"name": "Replay check"}, "POST /snov/v1/lists"),
    ("persistiq_create_leads", {"leads": [{"email": "replay@example.org"}]}, "POST /persistiq/v1/leads"),
    ("epixel_create_lead_note", {"slug": "lead1", "note": "Called back"}, "POST /epixel/api/v1/leads/create/leadnote/"),
]


def writes_received(sandbox: Sandbox, route: str) -> int:
    method, path = route.split(" ", 1)
    return sum(1 for entry in sandbox.env.requests if entry.method == method and entry.path == path)


@pytest.mark.parametrize(("tool", "args", "route"), WRITES)
async def test_a_write_abandoned_by_the_client_and_retried_reaches_the_api_once(
    tool: str, args: dict[str, Any], route: str, sandbox: Sandbox, settings_for: Callable[..., Settings]
):
    sandbox.config.add_fault(route, Fault("latency", seconds=SLOW_WRITE, count=1))
    # "legacy": over streams, so the server handles the call in a task of its own, as over stdio or HTTP
    # (the direct in-process path would run it inside the client's own timeout).
    async with Client(create_server(settings_for()), mode="legacy") as client:
        with pytest.raises(MCPError):
            await client.call_tool(tool, args, read_timeout_seconds=ABANDON_AFTER)
        retried = await client.call_tool(tool, args)

    # The client's give-up cancels the first call, but its write is seen through: the retry gets its answer.
    assert writes_received(sandbox, route) == 1
    text = " ".join(getattr(block, "text", "") for block in retried.content)
    assert not retried.is_error, text
    assert retried.structured_content["replay"] is True and "nothing was written again" in text


async def test_the_same_write_made_again_after_its_answer_reached_the_client_is_sent_again(
    mcp: Client, sandbox: Sandbox
):
    first = await mcp.call_tool("snov_create_prospect_list", {"name": "Twice"})
    second = await mcp.call_tool("snov_create_prospect_list", {"name": "Twice"})

    # The client saw the first answer, so the second call is meant: the guard does not swallow it.
    assert writes_received(sandbox, "POST /snov/v1/lists") == 2
    assert "replay" not in first.structured_content and "replay" not in second.structured_content
    assert second.structured_content["id"] != first.structured_content["id"]


async def test_repeat_true_makes_the_same_write_again_and_other_arguments_are_another_write(
    mcp: Client, sandbox: Sandbox
):
    await mcp.call_tool("snov_create_prospect_list", {"name": "Twice"})
    again = await mcp.call_tool("snov_create_prospect_list", {"name": "Twice", "repeat": True})
    other = await mcp.call_tool("snov_create_prospect_list", {"name": "Another"})

    assert writes_received(sandbox, "POST /snov/v1/lists") == 3
    assert "replay" not in again.structured_content and "replay" not in other.structured_content


async def test_a_write_refused_by_the_api_is_not_remembered_so_a_corrected_retry_writes(mcp: Client, sandbox: Sandbox):
    sandbox.config.add_fault("POST /snov/v1/lists", Fault("status", status=400, count=1))
    refused = await mcp.call_tool("snov_create_prospect_list", {"name": "Refused once"})
    retried = await mcp.call_tool("snov_create_prospect_list", {"name": "Refused once"})

    assert refused.is_error and not retried.is_error
    assert writes_received(sandbox, "POST /snov/v1/lists") == 2 and "replay" not in retried.structured_content

"""Confirmations over stdio, in both protocol eras, against a real server process on the sandbox."""

from __future__ import annotations

import pytest
from mcp import Client, StdioServerParameters

from tests.confirm_helpers import MODES, Person
from tests.test_stdio_e2e import clean_env

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


async def hook_ids(client: Client) -> set[int]:
    return {h["id"] for h in (await client.call_tool("snov_list_webhooks", {})).structured_content["items"]}


@pytest.mark.parametrize("mode", MODES)
async def test_over_stdio_a_declined_delete_keeps_the_webhook_and_an_accepted_one_removes_it(mode: str):
    params = StdioServerParameters(command="outbound-mcp", args=["--sandbox"], env=clean_env())
    no, yes = Person("decline"), Person("accept")
    async with Client(params, mode=mode, elicitation_callback=no) as client:
        declined = await client.call_tool("snov_delete_webhook", {"webhook_id": 8})
        kept = await hook_ids(client)
    assert declined.is_error and 8 in kept and len(no.asked) == 1

    async with Client(params, mode=mode, elicitation_callback=yes) as client:
        accepted = await client.call_tool("snov_delete_webhook", {"webhook_id": 8})
        left = await hook_ids(client)
    assert not accepted.is_error and len(yes.asked) == 1
    # Each server process starts its own seeded sandbox: webhook 8 is back, and this one deleted it.
    assert 8 not in left

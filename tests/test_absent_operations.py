"""Operations the vendors' APIs lack: listed in the server's instructions, and a call that names one is told
the API has no such operation and what to do instead, never a bare "Unknown tool"."""

from __future__ import annotations

import pytest
from mcp import Client

from mcp_server.server import create_server
from outbound_sandbox.app import Sandbox
from tests.fixture_types import SettingsFor
from tests.providers.typed import text_of

pytestmark = pytest.mark.anyio


async def test_the_instructions_list_the_common_operations_the_apis_lack(mcp: Client):
    assert "The APIs have no operation to: delete a Snov.io prospect list;" in (mcp.instructions or "")


async def test_deleting_a_snov_prospect_list_is_answered_as_an_operation_the_api_lacks(mcp: Client, sandbox: Sandbox):
    result = await mcp.call_tool("snov_delete_prospect_list", {"list_id": 1818597})
    assert result.is_error
    assert "the API has no such operation (no way to delete a Snov.io prospect list)" in text_of(result)
    assert "delete it in the Snov.io app" in text_of(result)
    assert sandbox.env.requests == []


async def test_deleting_a_persistiq_lead_says_what_the_api_offers_instead(mcp: Client):
    result = await mcp.call_tool("persistiq_delete_lead", {"lead_id": "l_abc1"})
    assert result.is_error and "the API has no such operation" in text_of(result)
    assert "persistiq_update_lead" in text_of(result)


async def test_a_misspelt_tool_name_is_answered_with_the_closest_tool_names(settings_for: SettingsFor):
    async with Client(create_server(settings_for())) as client:
        result = await client.call_tool("persistiq_list_lead", {})
    assert result.is_error
    assert "Unknown tool persistiq_list_lead. Did you mean persistiq_list_leads" in text_of(result)

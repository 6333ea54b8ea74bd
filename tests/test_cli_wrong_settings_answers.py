"""A typo'd base URL or a wrong key: the tool error names the host and cause, or the variable to fix."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx
from mcp import Client
from mcp.types import TextContent

from mcp_server.server import create_server
from mcp_server.settings import Settings
from tests.fixture_types import SettingsFor

pytestmark = pytest.mark.anyio


async def call(settings: Settings, tool: str) -> str:
    async with Client(create_server(settings)) as client:
        result = await client.call_tool(tool, {})
    assert result.is_error
    block = result.content[0]
    assert isinstance(block, TextContent)
    return block.text


async def test_a_misspelt_host_says_which_host_could_not_be_found(settings_for: SettingsFor):
    settings = settings_for(persistiq_base_url="https://api.persistiq.con")
    with respx.mock(assert_all_called=True) as mock:
        mock.get(host="api.persistiq.con").mock(side_effect=httpx.ConnectError("[Errno -2] Name or service not known"))
        text = await call(settings, "persistiq_list_users")
    assert "could not connect to api.persistiq.con: name not found" in text
    assert "base URL" in text and "Try again in a minute" not in text


async def test_a_refused_connection_says_so_and_names_the_host(settings_for: SettingsFor):
    with respx.mock(assert_all_called=True) as mock:
        mock.get(host="127.0.0.1").mock(side_effect=httpx.ConnectError("[Errno 111] Connection refused"))
        text = await call(settings_for(), "persistiq_list_users")
    assert "could not connect to 127.0.0.1: connection refused" in text


@pytest.mark.parametrize(
    ("overrides", "tool", "variables"),
    [
        ({"persistiq_api_key": "wrong-persistiq-key"}, "persistiq_list_users", ["PERSISTIQ_API_KEY"]),
        ({"snov_client_secret": "wrong-snov-secret"}, "snov_get_balance", ["SNOV_CLIENT_ID", "SNOV_CLIENT_SECRET"]),
    ],
)
async def test_a_refused_key_names_the_variables_to_check(
    settings_for: SettingsFor, overrides: dict[str, Any], tool: str, variables: list[str]
):
    text = await call(settings_for(**overrides), tool)
    for variable in variables:
        assert variable in text, text

"""Where the person can be asked they are asked, over stdio, stateful and stateless HTTP, in both protocol eras;
where they cannot (no form elicitation, or a 2025-era client over stateless HTTP) the call answers a preview
and a token. Either way nothing is deleted until the person accepts or the token comes back."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult

from mcp_server.http.app import HttpOptions, build_http_app
from mcp_server.server import create_server
from outbound_sandbox.app import Sandbox
from tests.confirm_helpers import MODES, Person
from tests.core.helpers import text_of
from tests.fixture_types import SettingsFor
from tests.http_helpers import served
from tests.test_stdio_e2e import clean_env

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]
DELETE = ("snov_delete_webhook", {"webhook_id": 8})
TRANSPORTS = ["stateless", "stateful"]


def token_of(result: CallToolResult) -> str:
    content: dict[str, Any] = result.structured_content or {}
    return content["confirmation_required"]["confirmation_token"]


def hook_ids(result: CallToolResult) -> set[int]:
    content: dict[str, Any] = result.structured_content or {}
    return {hook["id"] for hook in content["items"]}


def deletes(sandbox: Sandbox) -> int:
    return len(sandbox.env.handled("DELETE", "/snov/v2/webhooks"))


@asynccontextmanager
async def over_http(settings_for: SettingsFor, transport: str) -> AsyncGenerator[str]:
    options = HttpOptions(port=0, stateless=transport == "stateless")
    async with served(build_http_app(create_server(settings_for()), options=options)) as url:
        yield url


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_over_http_a_client_that_declines_deletes_nothing(
    settings_for: SettingsFor, sandbox: Sandbox, transport: str, mode: str
):
    person = Person("decline")
    async with over_http(settings_for, transport) as url, Client(url, mode=mode, elicitation_callback=person) as c:
        result = await c.call_tool(*DELETE)

    assert deletes(sandbox) == 0
    if transport == "stateless" and mode == "legacy":
        # No session: the server has no way to ask mid-call, so the person confirms a preview in the chat.
        assert person.asked == [] and not result.is_error
        assert "confirmation_token" in text_of(result) and "stateless" not in text_of(result)
    else:
        assert len(person.asked) == 1 and result.is_error and "the user declined" in text_of(result)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_over_http_a_client_without_elicitation_gets_a_preview_and_its_token_deletes_once(
    settings_for: SettingsFor, sandbox: Sandbox, transport: str, mode: str
):
    async with over_http(settings_for, transport) as url, Client(url, mode=mode) as client:
        first = await client.call_tool(*DELETE)
        assert deletes(sandbox) == 0
        token = token_of(first)
        ran = await client.call_tool(DELETE[0], {**DELETE[1], "confirmation_token": token})
        again = await client.call_tool(DELETE[0], {**DELETE[1], "confirmation_token": token})

    assert not first.is_error and not ran.is_error, text_of(ran)
    assert again.is_error and "already used" in text_of(again)
    assert deletes(sandbox) == 1


def sse_messages(body: str) -> list[dict[str, Any]]:
    return [json.loads(line[5:]) for line in body.splitlines() if line.startswith("data:") and line[5:].strip()]


async def test_a_2025_06_18_client_with_elicitation_over_stateless_http_gets_a_preview_not_a_silent_delete(
    settings_for: SettingsFor, sandbox: Sandbox
):
    """As LangChain's and google-adk's clients call: initialize, then each request on its own POST."""
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    init: dict[str, Any] = {
        "jsonrpc": "2.0",
        "id": 0,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {"elicitation": {}},
            "clientInfo": {"name": "langchain-like", "version": "1"},
        },
    }
    call: dict[str, Any] = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": DELETE[0], "arguments": DELETE[1]},
    }
    async with over_http(settings_for, "stateless") as url, httpx2.AsyncClient(timeout=30) as http:
        assert (await http.post(url, json=init, headers=headers)).status_code == 200
        answered = await http.post(url, json=call, headers={**headers, "MCP-Protocol-Version": "2025-06-18"})

    (message,) = sse_messages(answered.text)
    assert message["id"] == 1, message  # a result, not an elicitation/create the client could never answer
    result = message["result"]
    assert result["isError"] is False
    assert "confirmation_token" in result["structuredContent"]["confirmation_required"]
    assert deletes(sandbox) == 0


@pytest.mark.parametrize("mode", MODES)
async def test_over_stdio_a_client_without_elicitation_gets_a_preview_and_its_token_deletes_once(mode: str):
    params = StdioServerParameters(command="outbound-mcp", args=["--sandbox"], env=clean_env())
    async with Client(params, mode=mode) as client:
        first = await client.call_tool(*DELETE)
        assert 8 in hook_ids(await client.call_tool("snov_list_webhooks", {}))
        ran = await client.call_tool(DELETE[0], {**DELETE[1], "confirmation_token": token_of(first)})
        left = hook_ids(await client.call_tool("snov_list_webhooks", {}))

    assert not first.is_error and "Nothing was deleted" in text_of(first)
    assert not ran.is_error, text_of(ran)
    assert 8 not in left


async def test_refuse_mode_tells_a_2025_era_client_over_stateless_http_the_true_reason(
    settings_for: SettingsFor, sandbox: Sandbox
):
    person = Person("accept")
    options = HttpOptions(port=0, stateless=True)
    app = build_http_app(create_server(settings_for(outbound_mcp_unconfirmed="refuse")), options=options)
    async with served(app) as url, Client(url, mode="legacy", elicitation_callback=person) as client:
        result = await client.call_tool(*DELETE)

    text = text_of(result)
    assert result.is_error and "runs HTTP statelessly" in text and "needs an HTTP session" in text
    assert "no form elicitation" not in text
    assert person.asked == [] and deletes(sandbox) == 0

"""The 2026-07-28 round trip survives a different replica answering the retry, when they share
OUTBOUND_MCP_STATE_SECRET; in memory and over streamable HTTP."""

from __future__ import annotations

from typing import Any

import mcp.types as t
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from mcp_server.http.app import HttpOptions, build_http_app
from mcp_server.server import create_server
from outbound_sandbox.app import Sandbox
from tests.confirm_helpers import Action
from tests.core.helpers import text_of
from tests.fixture_types import SettingsFor
from tests.http_helpers import served

pytestmark = pytest.mark.anyio

SHARED = "replica-secret-" + "0123456789abcdef" * 2
OTHER = "another-secret-" + "fedcba9876543210" * 2
DELETE = ("snov_delete_webhook", {"webhook_id": 8})


async def first_round(client: Client) -> t.InputRequiredResult:
    """Round 1 as a client drives it by hand: the server answers the question instead of running the tool."""
    await client.list_tools()
    first = await client.session.call_tool(*DELETE, allow_input_required=True)
    assert isinstance(first, t.InputRequiredResult)
    return first


async def retry(client: Client, first: t.InputRequiredResult, action: Action) -> t.CallToolResult:
    assert first.input_requests is not None
    (key,) = first.input_requests
    answer = t.ElicitResult(action=action, content={"confirm": True} if action == "accept" else None)
    await client.list_tools()
    return await client.call_tool(*DELETE, input_responses={key: answer}, request_state=first.request_state)


async def by_hand(context: Any, params: Any) -> t.ElicitResult:
    """Declares the elicitation capability; the tests answer the question themselves, so it is never called."""
    raise AssertionError("the client was not meant to answer by itself")


def deletes(sandbox: Any) -> list[Any]:
    return sandbox.env.handled("DELETE", "/snov/v2/webhooks")


async def test_round_one_on_replica_a_and_the_accepted_retry_on_replica_b_deletes_once(
    settings_for: SettingsFor, sandbox: Sandbox
):
    a = create_server(settings_for(outbound_mcp_state_secret=SHARED))
    b = create_server(settings_for(outbound_mcp_state_secret=SHARED))
    async with Client(a, mode="2026-07-28", elicitation_callback=by_hand) as on_a:
        first = await first_round(on_a)
    assert deletes(sandbox) == []
    assert first.input_requests is not None
    (request,) = first.input_requests.values()
    assert isinstance(request, t.ElicitRequest) and "Delete Snov.io webhook 8 (" in request.params.message

    async with Client(b, mode="2026-07-28", elicitation_callback=by_hand) as on_b:
        result = await retry(on_b, first, "accept")

    assert not result.is_error, text_of(result)
    assert result.structured_content == {"id": 8, "deleted": True}
    assert len(deletes(sandbox)) == 1


async def test_a_declined_retry_on_replica_b_sends_nothing(settings_for: SettingsFor, sandbox: Sandbox):
    a = create_server(settings_for(outbound_mcp_state_secret=SHARED))
    b = create_server(settings_for(outbound_mcp_state_secret=SHARED))
    async with Client(a, mode="2026-07-28", elicitation_callback=by_hand) as on_a:
        first = await first_round(on_a)
    async with Client(b, mode="2026-07-28", elicitation_callback=by_hand) as on_b:
        result = await retry(on_b, first, "decline")

    assert result.is_error and "the user declined" in text_of(result)
    assert deletes(sandbox) == []


@pytest.mark.parametrize("b_secret", [OTHER, None], ids=["another key", "no key"])
async def test_a_replica_without_the_shared_key_rejects_the_retry_and_sends_nothing(
    settings_for: SettingsFor, sandbox: Sandbox, b_secret: str | None
):
    a = create_server(settings_for(outbound_mcp_state_secret=SHARED))
    b = create_server(settings_for(outbound_mcp_state_secret=b_secret))
    async with Client(a, mode="2026-07-28", elicitation_callback=by_hand) as on_a:
        first = await first_round(on_a)
    async with Client(b, mode="2026-07-28", elicitation_callback=by_hand) as on_b:
        with pytest.raises(MCPError, match="Invalid or expired requestState"):
            await retry(on_b, first, "accept")

    assert deletes(sandbox) == []


@pytest.mark.e2e
async def test_over_http_two_replicas_sharing_the_key_complete_one_confirmation(
    settings_for: SettingsFor, sandbox: Sandbox
):
    def replica() -> Any:
        server = create_server(settings_for(outbound_mcp_state_secret=SHARED))
        return build_http_app(server, host="127.0.0.1", port=0, token=None)

    async with served(replica()) as url_a, served(replica()) as url_b:
        async with Client(url_a, mode="2026-07-28", elicitation_callback=by_hand) as on_a:
            first = await first_round(on_a)
        assert deletes(sandbox) == []
        async with Client(url_b, mode="2026-07-28", elicitation_callback=by_hand) as on_b:
            result = await retry(on_b, first, "accept")

    assert not result.is_error, text_of(result)
    assert len(deletes(sandbox)) == 1


@pytest.mark.e2e
@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_over_http_a_confirmation_is_asked_and_answered_in_both_eras(
    settings_for: SettingsFor, sandbox: Sandbox, mode: str
):
    asked: list[str] = []

    async def person(context: Any, params: Any) -> t.ElicitResult:
        asked.append(params.message)
        return t.ElicitResult(action="accept", content={"confirm": True})

    # A legacy client is asked mid-call, over its session: that needs HTTP sessions (stateless mode has none,
    # and a legacy client there gets a preview: test_confirmations_transports). 2026-07-28 clients are asked
    # statelessly.
    options = HttpOptions(port=0, stateless=mode != "legacy")
    app = build_http_app(create_server(settings_for()), options=options)
    async with served(app) as url, Client(url, mode=mode, elicitation_callback=person) as client:
        result = await client.call_tool(*DELETE)

    assert not result.is_error, text_of(result)
    assert len(asked) == 1 and len(deletes(sandbox)) == 1

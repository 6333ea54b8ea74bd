"""The sealed 2026-07-28 confirmation state (issue 26): bound to the caller who was asked, and good for one call;
sent again, or by another caller, it runs nothing."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import httpx2
import mcp.types as t
import pytest
import respx
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from pydantic import SecretStr

from mcp_server.http.app import HttpOptions, build_http_app
from mcp_server.server import create_server
from mcp_server.settings import load_settings
from tests.core.demo_provider import BASE
from tests.core.helpers import text_of
from tests.core.test_confirm import PROVIDER
from tests.http_helpers import served
from tests.test_confirmations_replicas import by_hand

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]
TOKEN = "http-token-0123456789"
ALICE = "alice-persistiq-key-1"
BOB = "bob-persistiq-key-22"
DELETE = ("demo_delete", {"item_id": "7"})


@asynccontextmanager
async def serving() -> AsyncGenerator[str]:
    settings = load_settings(persistiq_api_key="server-own-key-000", outbound_mcp_user_credentials="allow")
    options = HttpOptions(token=SecretStr(TOKEN), user_credentials="allow")
    async with served(build_http_app(create_server(settings, providers=[PROVIDER]), options=options)) as url:
        yield url


@asynccontextmanager
async def client_as(url: str, key: str) -> AsyncGenerator[Client]:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}", "X-PersistIQ-Key": key}, timeout=30)
    async with (
        http,
        Client(
            streamable_http_client(url, http_client=http), mode="2026-07-28", elicitation_callback=by_hand
        ) as client,
    ):
        yield client


async def asked(client: Client) -> t.InputRequiredResult:
    await client.list_tools()
    first = await client.session.call_tool(*DELETE, allow_input_required=True)
    assert isinstance(first, t.InputRequiredResult)
    return first


async def accepted(client: Client, first: t.InputRequiredResult) -> t.CallToolResult:
    assert first.input_requests is not None
    (key,) = first.input_requests
    answer = t.ElicitResult(action="accept", content={"confirm": True})
    return await client.call_tool(*DELETE, input_responses={key: answer}, request_state=first.request_state)


async def test_an_accepted_sealed_state_sent_again_deletes_nothing_more():
    with respx.mock(assert_all_called=False) as mock:
        route = mock.delete(f"{BASE}/items/7").mock(return_value=httpx.Response(204))
        async with serving() as url, client_as(url, ALICE) as alice:
            first = await asked(alice)
            done = await accepted(alice, first)
            replayed = await accepted(alice, first)

    assert not done.is_error, text_of(done)
    assert replayed.is_error and "already used" in text_of(replayed) and "Nothing was deleted" in text_of(replayed)
    assert route.call_count == 1


async def test_a_sealed_state_from_one_caller_is_refused_for_another():
    with respx.mock(assert_all_called=False) as mock:
        route = mock.delete(f"{BASE}/items/7").mock(return_value=httpx.Response(204))
        async with serving() as url:
            async with client_as(url, ALICE) as alice:
                first = await asked(alice)
            async with client_as(url, BOB) as bob:
                with pytest.raises(MCPError, match="Invalid or expired requestState"):
                    await accepted(bob, first)
            async with client_as(url, ALICE) as alice_again:
                done: Any = await accepted(alice_again, first)

    assert not done.is_error, text_of(done)
    assert route.call_count == 1

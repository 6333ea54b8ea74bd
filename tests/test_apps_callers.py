"""An approval shown in the App is the caller's own (docs/apps.md): over HTTP with per-user credentials,
another user's Approve of it is refused and deletes nothing; its own caller's Approve deletes once."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

import httpx
import httpx2
import pytest
import respx
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from pydantic import SecretStr

from mcp_server.core.tools.approvals import APPROVAL_TOOL, META_KEY
from mcp_server.http.app import HttpOptions, build_http_app
from mcp_server.server import create_server
from mcp_server.settings import load_settings
from tests.core.demo_provider import BASE
from tests.core.helpers import text_of
from tests.core.test_confirm import PROVIDER
from tests.http_helpers import served
from tests.test_apps import RENDERS_APPS

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]
TOKEN = "http-token-0123456789"
ALICE = "alice-persistiq-key-1"
BOB = "bob-persistiq-key-22"


@asynccontextmanager
async def serving(stateless: bool) -> AsyncGenerator[str]:
    settings = load_settings(persistiq_api_key="server-own-key-000", outbound_mcp_user_credentials="allow")
    options = HttpOptions(token=SecretStr(TOKEN), user_credentials="allow", stateless=stateless)
    async with served(build_http_app(create_server(settings, providers=[PROVIDER]), options=options)) as url:
        yield url


@asynccontextmanager
async def client_as(url: str, key: str, mode: str) -> AsyncGenerator[Client]:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}", "X-PersistIQ-Key": key}, timeout=30)
    transport = streamable_http_client(url, http_client=http)
    async with http, Client(transport, extensions=[RENDERS_APPS], mode=mode) as client:
        yield client


# A 2025-era client needs an HTTP session (--no-stateless): stateless, the SDK does not carry its capabilities.
@pytest.mark.parametrize(("mode", "stateless"), [("2026-07-28", True), ("legacy", False)])
async def test_another_users_approve_is_refused_and_the_callers_own_deletes_once(mode: str, stateless: bool):
    with respx.mock(assert_all_called=False) as mock:
        route = mock.delete(f"{BASE}/items/7").mock(return_value=httpx.Response(204))
        async with serving(stateless) as url:
            async with client_as(url, ALICE, mode) as alice:
                asked = await alice.call_tool("demo_delete", {"item_id": "7"})
            approval = {"approval_id": (asked.meta or {})[META_KEY]["id"], "choice": "approve"}
            async with client_as(url, BOB, mode) as bob:
                stolen = await bob.call_tool(APPROVAL_TOOL, approval)
            async with client_as(url, ALICE, mode) as alice_again:
                done = await alice_again.call_tool(APPROVAL_TOOL, approval)

    assert stolen.is_error and "another user" in text_of(stolen)
    assert not done.is_error, text_of(done)
    assert route.call_count == 1

"""Per-user credentials over HTTP: each request's own PersistIQ key is used for it alone, with its own
budget; a deployment can require them; malformed sets are refused; and callers cannot use each other's
cursors."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import httpx2
import pytest
import respx
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from pydantic import SecretStr
from respx.models import Call

from mcp_server.core.call.caller import Caller
from mcp_server.http.app import HttpOptions, build_http_app
from mcp_server.http.credentials import UserCredentialsMode
from mcp_server.server import create_server
from mcp_server.settings import load_settings
from tests.core.demo_provider import BASE, DEMO
from tests.http_helpers import served

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
TOKEN = "http-token-0123456789"
SERVER_KEY = "server-own-key-000"
ALICE = "alice-persistiq-key-1"
BOB = "bob-persistiq-key-22"


@asynccontextmanager
async def serving(mode: UserCredentialsMode = "allow", **settings: Any) -> AsyncGenerator[str]:
    values = {"persistiq_api_key": SERVER_KEY, "outbound_mcp_user_credentials": mode, **settings}
    server = create_server(load_settings(**values), providers=[DEMO])
    options = HttpOptions(token=SecretStr(TOKEN), user_credentials=mode)
    async with served(build_http_app(server, options=options)) as url:
        yield url


@asynccontextmanager
async def client_as(url: str, key: str | None, mode: Any = "auto") -> AsyncGenerator[Any]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if key is not None:
        headers["X-PersistIQ-Key"] = key
    http = httpx2.AsyncClient(headers=headers, timeout=30)
    async with http, Client(streamable_http_client(url, http_client=http), mode=mode) as client:
        yield client


def calls_of(mock: respx.MockRouter) -> list[Call]:
    """respx's call list, typed (it subclasses a bare ``list``)."""
    return list(mock.calls)


def keys_seen(mock: respx.MockRouter) -> list[str]:
    return [call.request.headers["x-api-key"] for call in calls_of(mock)]


@pytest.mark.parametrize("era", ["legacy", "auto"], ids=["initialize", "server/discover"])
async def test_each_request_uses_its_own_users_key_and_only_for_that_request(era: str):
    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{BASE}/items/7").mock(return_value=httpx.Response(200, json={"id": "7"}))
        async with serving() as url:
            async with client_as(url, ALICE, era) as alice:
                assert not (await alice.call_tool("demo_get", {"item_id": "7"})).is_error
            async with client_as(url, BOB, era) as bob:
                assert not (await bob.call_tool("demo_get", {"item_id": "7"})).is_error
            async with client_as(url, None, era) as nobody:
                assert not (await nobody.call_tool("demo_get", {"item_id": "7"})).is_error
        assert keys_seen(mock) == [ALICE, BOB, SERVER_KEY]


async def test_two_users_with_different_keys_on_one_server_have_separate_budgets():
    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{BASE}/items/7").mock(return_value=httpx.Response(200, json={"id": "7"}))
        async with serving(persistiq_rate_limit=3, rate_window=600, http_timeout=2) as url:
            async with client_as(url, ALICE) as alice:
                results = [await alice.call_tool("demo_get", {"item_id": "7"}) for _ in range(4)]
            async with client_as(url, BOB) as bob:
                bobs = [await bob.call_tool("demo_get", {"item_id": "7"}) for _ in range(3)]
            async with client_as(url, ALICE) as alice_again:
                still_limited = await alice_again.call_tool("demo_get", {"item_id": "7"})
        seen = keys_seen(mock)
    assert [r.is_error for r in results] == [False, False, False, True]
    assert "rate" in str(results[-1].content[0]).lower()
    assert [r.is_error for r in bobs] == [False, False, False]  # Alice's burst did not eat Bob's budget
    assert still_limited.is_error  # her budget outlives her connection (cached by credential)
    assert seen.count(ALICE) == 3 and seen.count(BOB) == 3 and SERVER_KEY not in seen


async def test_a_deployment_that_requires_user_credentials_never_falls_back_to_its_own_key():
    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{BASE}/items/7").mock(return_value=httpx.Response(200, json={"id": "7"}))
        async with serving("require") as url:
            async with client_as(url, None) as nobody:
                refused = await nobody.call_tool("demo_get", {"item_id": "7"})
            async with client_as(url, ALICE) as alice:
                served_ok = await alice.call_tool("demo_get", {"item_id": "7"})
        seen = keys_seen(mock)
    assert refused.is_error
    assert "X-PersistIQ-Key" in str(refused.content[0])
    assert not served_ok.is_error
    assert seen == [ALICE]


async def test_credential_headers_are_refused_when_off_or_incomplete_and_never_echoed():
    base = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json, text/event-stream"}
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    async with httpx2.AsyncClient() as http:
        async with serving("off") as url:
            off = await http.post(url, json=body, headers={**base, "X-PersistIQ-Key": ALICE})
        async with serving() as url:
            half = await http.post(url, json=body, headers={**base, "X-Snov-Client-Id": "only-the-id-123"})
            epixel = await http.post(url, json=body, headers={**base, "X-Epixel-Username": "ann"})
            word = await http.post(url, json=body, headers={**base, "X-PersistIQ-Key": "created"})
    assert off.status_code == 400 and "does not accept per-user credentials" in off.text
    assert half.status_code == 400 and "X-Snov-Client-Secret" in half.text
    assert epixel.status_code == 400 and "X-Epixel-Api-Key" in epixel.text
    # Per-user values are masked everywhere: one that could be an ordinary word is refused.
    assert word.status_code == 400 and "too short" in word.text
    assert ALICE not in off.text and "only-the-id-123" not in half.text


def test_the_principal_is_the_subject_else_a_digest_of_the_credentials_else_empty():
    alice = Caller(credentials={"persistiq": {"persistiq_api_key": ALICE}})
    bob = Caller(credentials={"persistiq": {"persistiq_api_key": BOB}})
    subject = Caller(subject="https://issuer|user-1", credentials=alice.credentials)
    assert Caller().principal() == ""
    assert alice.principal() != bob.principal()
    assert alice.principal() == Caller(credentials={"persistiq": {"persistiq_api_key": ALICE}}).principal()
    assert subject.principal().startswith("sub:") and subject.principal() != alice.principal()
    assert ALICE not in alice.principal() + alice.credential_id("persistiq")


async def test_one_user_cannot_resume_another_users_cursor():
    page = {"items": [{"id": "1"}], "next_page": f"{BASE}/items?page=2"}
    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{BASE}/items").mock(return_value=httpx.Response(200, json=page))
        async with serving() as url:
            async with client_as(url, ALICE) as alice:
                first = await alice.call_tool("demo_list", {"limit": 1})
            cursor = first.structured_content["next_cursor"]
            async with client_as(url, BOB) as bob:
                stolen = await bob.call_tool("demo_list", {"limit": 1, "cursor": cursor})
            async with client_as(url, ALICE) as alice:
                resumed = await alice.call_tool("demo_list", {"limit": 1, "cursor": cursor})
    assert cursor
    assert not resumed.is_error
    assert stolen.is_error


async def test_a_cookie_set_for_one_user_is_never_sent_with_another_users_request():
    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{BASE}/items/7").mock(
            return_value=httpx.Response(
                200, json={"id": "7"}, headers={"Set-Cookie": "sessionid=alice-session; Path=/"}
            )
        )
        async with serving() as url:
            async with client_as(url, ALICE) as alice:
                assert not (await alice.call_tool("demo_get", {"item_id": "7"})).is_error
            async with client_as(url, BOB) as bob:
                assert not (await bob.call_tool("demo_get", {"item_id": "7"})).is_error
        cookies = [call.request.headers.get("cookie") for call in calls_of(mock)]
    assert cookies == [None, None]


async def test_one_user_cannot_resume_another_users_job_handle():
    with respx.mock(assert_all_called=False) as mock:
        mock.post(f"{BASE}/jobs").mock(return_value=httpx.Response(200, json={"id": "j1"}))
        mock.get(f"{BASE}/jobs/j1").mock(return_value=httpx.Response(200, json={"status": "running"}))
        async with serving(persistiq_rate_limit=100_000) as url:
            async with client_as(url, ALICE) as alice:
                started = await alice.call_tool("demo_job", {"max_wait": 0.05})
            handle = started.structured_content["resume_handle"]
            async with client_as(url, BOB) as bob:
                stolen = await bob.call_tool("demo_job", {"resume_handle": handle, "max_wait": 0.05})
            async with client_as(url, ALICE) as alice:
                resumed = await alice.call_tool("demo_job", {"resume_handle": handle, "max_wait": 0.05})
    assert handle
    assert not resumed.is_error
    assert stolen.is_error


async def test_in_stateful_mode_each_request_of_a_session_uses_the_key_it_carries():
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }
    call = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": "demo_get", "arguments": {"item_id": "7"}},
    }
    base = {
        "Authorization": f"Bearer {TOKEN}",
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
    }
    server = create_server(load_settings(persistiq_api_key=SERVER_KEY), providers=[DEMO])
    options = HttpOptions(token=SecretStr(TOKEN), stateless=False)
    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{BASE}/items/7").mock(return_value=httpx.Response(200, json={"id": "7"}))
        async with served(build_http_app(server, options=options)) as url, httpx2.AsyncClient() as http:
            opened = await http.post(url, json=init, headers={**base, "X-PersistIQ-Key": ALICE})
            session = {"Mcp-Session-Id": opened.headers["mcp-session-id"], "MCP-Protocol-Version": "2025-06-18"}
            for key in (ALICE, BOB, None):
                extra = {"X-PersistIQ-Key": key} if key else {}
                answer = await http.post(url, json=call, headers={**base, **session, **extra})
                assert answer.status_code == 200, answer.text
        seen = keys_seen(mock)
    assert seen == [ALICE, BOB, SERVER_KEY]

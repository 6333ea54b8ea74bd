"""Memory kept per caller is bounded: per-user credential headers are masked within their caller's own calls
from a bounded cache, not added to the process-wide redactor for good (15,000 distinct keys once made every
list call 25x slower and held 66 MB); in stateful HTTP mode, sessions are bounded per client, per address
(whatever keys or ``X-Forwarded-For`` a loopback caller sends) and in all (6,000 once took RSS to 408 MB)."""

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
from starlette.types import Message, Receive, Scope, Send

from mcp_server.core import redact
from mcp_server.core.redact import REDACTOR
from mcp_server.http.app import HttpOptions, build_http_app
from mcp_server.http.limits import PEER_SHARE, TOTAL_SHARE, SessionsPerClient
from mcp_server.server import create_server
from mcp_server.settings import load_settings
from tests.core.demo_provider import BASE, DEMO
from tests.http_helpers import served
from tests.reliability.writes import text_of

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]
TOKEN = "bounded-http-token-0123456789"
USERS = 20


@asynccontextmanager
async def serving() -> AsyncGenerator[str]:
    settings = load_settings(persistiq_api_key="server-own-key-000", outbound_mcp_user_credentials="allow")
    options = HttpOptions(token=SecretStr(TOKEN), user_credentials="allow")
    async with served(build_http_app(create_server(settings, providers=[DEMO]), options=options)) as url:
        yield url


@asynccontextmanager
async def client_as(url: str, key: str) -> AsyncGenerator[Client]:
    headers = {"Authorization": f"Bearer {TOKEN}", "X-PersistIQ-Key": key}
    http = httpx2.AsyncClient(headers=headers, timeout=30)
    async with http, Client(streamable_http_client(url, http_client=http)) as client:
        yield client


def user_key(n: int) -> str:
    return f"per-user-key-{n:06d}-5d1c"


def echo(request: httpx.Request) -> httpx.Response:
    """An upstream that quotes the key it refused."""
    key = request.headers["x-api-key"]
    return httpx.Response(400, json={"error": {"reason": "bad_key", "message": f"key {key} is not valid"}})


async def test_distinct_per_user_keys_stay_masked_without_growing_the_process_wide_redactor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(redact, "CALLERS", 4)  # the first caller's cached secrets are pushed out on the way
    keys = [user_key(n) for n in range(USERS + 1)]
    answers: list[tuple[str, str]] = []
    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{BASE}/items/7").mock(side_effect=echo)
        async with serving() as url:
            async with client_as(url, keys[0]) as first:
                answers.append((keys[0], text_of(await first.call_tool("demo_get", {"item_id": "7"}))))
            before = len(REDACTOR)
            for key in [*keys[1:], keys[0]]:
                async with client_as(url, key) as client:
                    answers.append((key, text_of(await client.call_tool("demo_get", {"item_id": "7"}))))
    assert len(REDACTOR) - before < USERS // 4, (before, len(REDACTOR))
    for key, text in answers:
        assert "[REDACTED] is not valid" in text and key not in text, text


LEGACY = "2025-06-18"
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": LEGACY, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


async def test_new_keys_and_forwarded_addresses_from_loopback_do_not_open_sessions_past_the_peers_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    settings = load_settings(persistiq_api_key="server-own-key-000", outbound_mcp_user_credentials="allow")
    options = HttpOptions(token=SecretStr(TOKEN), stateless=False, sessions_per_client=2)
    app = build_http_app(create_server(settings, providers=[DEMO]), options=options)
    flood = 3 * 2 * PEER_SHARE
    async with served(app, as_cli=True) as url, httpx2.AsyncClient(timeout=30) as http:
        answers = [
            await http.post(
                url,
                json=INIT,
                headers={
                    "Accept": "application/json, text/event-stream",
                    "Authorization": f"Bearer {TOKEN}",
                    "X-PersistIQ-Key": user_key(700_000 + n),
                    "X-Forwarded-For": f"203.0.113.{n % 250}",
                },
            )
            for n in range(flood)
        ]
    opened = [a for a in answers if a.status_code == 200 and a.headers.get("mcp-session-id")]
    refused = [a for a in answers if a.status_code == 429]
    assert len(opened) == 2 * PEER_SHARE, [a.status_code for a in answers]
    assert len(refused) == flood - len(opened) and "This address has" in refused[0].text


async def test_sessions_of_every_client_together_stay_under_the_servers_bound() -> None:
    opened = 0

    async def sdk(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal opened
        opened += 1
        headers = [(b"mcp-session-id", f"s{opened}".encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"{}"})

    bounded = SessionsPerClient(sdk, limit=1, idle=300)
    statuses: list[int] = []
    for n in range(TOTAL_SHARE + 6):  # each from its own address: no per-client bound applies
        sent: list[Message] = []

        async def collect(message: Message, sink: list[Message] = sent) -> None:
            sink.append(message)

        async def nothing() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        scope: Scope = {"type": "http", "method": "POST", "headers": [], "client": (f"198.51.{n // 250}.{n % 250}", 1)}
        await bounded(scope, nothing, collect)
        statuses.append(sent[0]["status"])
    assert statuses == [200] * TOTAL_SHARE + [503] * 6

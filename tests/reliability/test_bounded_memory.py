"""Memory kept per caller is bounded: per-user credential headers are masked within their caller's own calls
from a bounded cache, not added to the process-wide redactor for good (15,000 distinct keys once made every
list call 25x slower and held 66 MB)."""

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

from mcp_server.core import redact
from mcp_server.core.redact import REDACTOR
from mcp_server.http.app import HttpOptions, build_http_app
from mcp_server.server import create_server
from mcp_server.settings import load_settings
from tests.core.demo_provider import BASE, DEMO
from tests.http_helpers import served
from tests.reliability.writes import text_of

pytestmark = pytest.mark.anyio
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

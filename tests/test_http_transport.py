"""Streamable HTTP: Origin validation, the bearer token, and tool calls over a real socket."""

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

from mcp_server.http_app import build_http_app
from mcp_server.server import create_server
from mcp_server.settings import load_settings
from tests.core.demo_provider import BASE, DEMO
from tests.http_helpers import served

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
TOKEN = "http-token-0123456789"
INIT: dict[str, Any] = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}


@asynccontextmanager
async def serving(token: str | None) -> AsyncGenerator[str]:
    settings = load_settings(persistiq_api_key="k" * 12)
    app = build_http_app(
        create_server(settings, providers=[DEMO]),
        host="127.0.0.1",
        port=0,
        token=SecretStr(token) if token else None,
    )
    async with served(app) as url:
        yield url


def headers(**extra: str) -> dict[str, str]:
    return {"Accept": "application/json, text/event-stream", "Content-Type": "application/json", **extra}


async def test_a_request_from_a_foreign_origin_gets_403():
    async with serving(None) as url, httpx2.AsyncClient() as http:
        response = await http.post(url, json=INIT, headers=headers(Origin="https://evil.example"))
    assert response.status_code == 403


async def test_with_a_token_configured_a_missing_or_wrong_bearer_gets_401():
    async with serving(TOKEN) as url, httpx2.AsyncClient() as http:
        missing = await http.post(url, json=INIT, headers=headers())
        wrong = await http.post(url, json=INIT, headers=headers(Authorization="Bearer nope"))
    assert missing.status_code == 401
    assert wrong.status_code == 401
    assert TOKEN not in missing.text + wrong.text


async def test_a_tool_call_with_the_right_bearer_succeeds_over_http():
    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{BASE}/items/7").mock(return_value=httpx.Response(200, json={"id": "7", "name": "seven"}))
        async with serving(TOKEN) as url:
            http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"})
            async with http, Client(streamable_http_client(url, http_client=http)) as client:
                tools = await client.list_tools()
                result = await client.call_tool("demo_get", {"item_id": "7"})
    assert "demo_get" in {t.name for t in tools.tools}
    assert result.structured_content == {"id": "7", "name": "seven"}

"""The secrets canary over HTTP: per-user credential headers and OAuth access tokens never reach a tool
output, an error, an HTTP answer or a log line, even when the upstream echoes them back."""

from __future__ import annotations

import time
from typing import Any

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from mcp_server.http.app import HttpOptions, build_http_app
from mcp_server.server import create_server
from outbound_sandbox.config import Fault
from tests.http_helpers import served
from tests.reliability.conftest import CANARIES, LeakWatch
from tests.reliability.writes import text_of

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
MASK = "[REDACTED]"
ISSUER = "https://issuer.example.com"
RESOURCE = "https://mcp.example.com/mcp"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PEM = KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
# The sandbox accepts only the canaries: sent as a user's headers, while the server holds other keys.
USER_HEADERS = {
    "X-PersistIQ-Key": CANARIES["PERSISTIQ_API_KEY"],
    "X-Snov-Client-Id": CANARIES["SNOV_CLIENT_ID"],
    "X-Snov-Client-Secret": CANARIES["SNOV_CLIENT_SECRET"],
    "X-Epixel-Api-Key": CANARIES["EPIXEL_API_KEY"],
    "X-Epixel-Username": "demo",
    "X-Epixel-Password": CANARIES["EPIXEL_PASSWORD"],
}
SERVER_KEYS = {
    "persistiq_api_key": "server-own-pq-key-77",
    "snov_client_id": "server-own-snov-id-77",
    "snov_client_secret": "server-own-snov-secret-77",
    "epixel_api_key": "server-own-epx-key-77",
    "epixel_password": "server-own-epx-pass-77",
}
TOOLS = ["persistiq_list_users", "snov_list_custom_fields", "epixel_get_leads_overview"]


def access_token(**claims: Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": RESOURCE, "sub": "canary-user", "exp": now + 600, **claims}
    return jwt.encode(body, KEY, algorithm="RS256")


async def test_per_user_headers_and_access_tokens_never_leak_even_when_the_upstream_echoes_them(
    settings_for: Any, sandbox: Any, leak_watch: LeakWatch
) -> None:
    good, expired = access_token(), access_token(exp=int(time.time()) - 3600)
    leak_watch.extra_secrets |= {good, expired, *SERVER_KEYS.values()}
    settings = settings_for(
        **SERVER_KEYS,
        outbound_mcp_oauth_issuer=ISSUER,
        outbound_mcp_resource_url=RESOURCE,
        outbound_mcp_oauth_public_key=PEM.decode(),
        poll_interval=0.05,
    )
    app = build_http_app(create_server(settings), options=HttpOptions.from_settings(settings, host="127.0.0.1", port=0))
    echo = " ".join(CANARIES.values())
    async with served(app) as url:
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {good}", **USER_HEADERS}, timeout=30)
        async with http, Client(streamable_http_client(url, http_client=http)) as client:
            ok = [await client.call_tool(tool, {}) for tool in TOOLS]
            sandbox.config.add_fault(
                "GET /persistiq/v1/users",
                Fault("body", status=400, body={"error": {"reason": "bad_key", "message": f"key {echo} refused"}}),
            )
            sandbox.config.add_fault(
                "GET /epixel/api/v1/leads/overview/",
                Fault("body", status=400, body={"status_code": 400, "errors": {"apikey": [f"{echo}"]}, "data": {}}),
            )
            echoed = [
                await client.call_tool(tool, {}) for tool in ("persistiq_list_users", "epixel_get_leads_overview")
            ]
        async with httpx2.AsyncClient() as raw:
            base = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
            list_tools: dict[str, Any] = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
            refused = [
                await raw.post(
                    url, json=list_tools, headers={**base, **USER_HEADERS, "Authorization": f"Bearer {expired}"}
                ),
                await raw.post(
                    url,
                    json=list_tools,
                    headers={**base, "Authorization": f"Bearer {good}", "X-Snov-Client-Id": "x" * 20},
                ),
            ]
    for answer in refused:
        leak_watch.see(answer.text + " " + " ".join(f"{k}: {v}" for k, v in answer.headers.items()))
    assert [r.is_error for r in ok] == [False, False, False], [text_of(r) for r in ok]
    assert all(r.is_error and MASK in text_of(r) for r in echoed), [text_of(r) for r in echoed]
    assert [r.status_code for r in refused] == [401, 400]
    # The user's own credentials were used, never the server's.
    assert sandbox.env.handled("POST", "/snov/v1/oauth/access_token")
    assert sandbox.env.handled("POST", "/epixel/api/v1/user/login/")

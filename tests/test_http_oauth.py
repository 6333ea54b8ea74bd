"""OAuth 2.1 resource-server mode: JWTs from the configured issuer are accepted; a wrong audience, an
expired token, another key's signature (or an HMAC forged with the public key) get 401 with
``WWW-Authenticate`` pointing at the RFC 9728 metadata, which anyone may read."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import httpx2
import jwt
import pytest
import respx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from mcp_server.core.errors import ConfigError
from mcp_server.http.app import HttpOptions, build_http_app
from mcp_server.server import create_server
from mcp_server.settings import load_settings
from tests.core.demo_provider import BASE, DEMO
from tests.http_helpers import served

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
ISSUER = "https://issuer.example.com"
RESOURCE = "https://mcp.example.com/mcp"
METADATA = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = (
    KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
)
LIST: dict[str, Any] = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}


def token(key: Any = KEY, alg: str = "RS256", **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": RESOURCE, "sub": "user-1", "exp": now + 600, "iat": now, **claims}
    return jwt.encode(body, key, algorithm=alg, headers={"kid": "k1"})


def forged_hmac(claims: dict[str, Any]) -> str:
    """The algorithm-confusion attack: HS256 with the issuer's public key as the shared secret."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims).encode())
    signature = hmac.new(PUBLIC_PEM.encode(), signing.encode(), hashlib.sha256).digest()
    return signing + "." + b64(signature)


@asynccontextmanager
async def serving(**oauth: Any) -> AsyncGenerator[str]:
    values = {
        "persistiq_api_key": "k" * 12,
        "outbound_mcp_oauth_issuer": ISSUER,
        "outbound_mcp_resource_url": RESOURCE,
        **(oauth or {"outbound_mcp_oauth_public_key": PUBLIC_PEM}),
    }
    settings = load_settings(**values)
    server = create_server(settings, providers=[DEMO])
    async with served(
        build_http_app(server, options=HttpOptions.from_settings(settings, host="127.0.0.1", port=0))
    ) as url:
        yield url


def headers(bearer: str | None) -> dict[str, str]:
    out = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    return out | ({"Authorization": f"Bearer {bearer}"} if bearer else {})


async def test_a_token_from_the_issuer_for_this_server_calls_tools():
    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{BASE}/items/7").mock(return_value=httpx.Response(200, json={"id": "7"}))
        async with serving() as url:
            http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token()}"})
            async with http, Client(streamable_http_client(url, http_client=http)) as client:
                result = await client.call_tool("demo_get", {"item_id": "7"})
    assert not result.is_error
    assert result.structured_content == {"id": "7"}


async def test_a_wrong_audience_an_expired_token_another_key_or_a_forged_hmac_get_401_pointing_at_the_metadata():
    hmac_forgery = forged_hmac({"iss": ISSUER, "aud": RESOURCE, "sub": "x", "exp": int(time.time()) + 600})
    bad = {
        "no token": None,
        "wrong audience": token(aud="https://other.example.com/mcp"),
        "expired": token(exp=int(time.time()) - 3600),
        "another key": token(key=OTHER_KEY),
        "wrong issuer": token(iss="https://evil.example.com"),
        "no subject": jwt.encode({"iss": ISSUER, "aud": RESOURCE, "exp": int(time.time()) + 600}, KEY, "RS256"),
        "hmac with the public key": hmac_forgery,
        "not a jwt": "opaque-token-123456",
    }
    async with serving() as url, httpx2.AsyncClient() as http:
        answers = {name: await http.post(url, json=LIST, headers=headers(value)) for name, value in bad.items()}
        metadata = await http.get(url.replace("/mcp", "/.well-known/oauth-protected-resource/mcp"))
    for name, answer in answers.items():
        assert answer.status_code == 401, name
        assert f'resource_metadata="{METADATA}"' in answer.headers["www-authenticate"], name
    assert metadata.status_code == 200
    assert metadata.json()["resource"] == RESOURCE
    assert metadata.json()["authorization_servers"] == [ISSUER]


async def test_keys_can_come_from_the_issuers_jwks_url():
    jwk = RSAAlgorithm.to_jwk(KEY.public_key(), as_dict=True) | {"kid": "k1", "use": "sig"}

    def jwks_answer(request: Request) -> JSONResponse:
        return JSONResponse({"keys": [jwk]})

    jwks = Starlette(routes=[Route("/jwks.json", jwks_answer)])
    async with served(jwks) as jwks_mcp_url:
        jwks_url = jwks_mcp_url.replace("/mcp", "/jwks.json")
        async with serving(outbound_mcp_oauth_jwks_url=jwks_url) as url, httpx2.AsyncClient() as http:
            good = await http.post(url, json=LIST, headers=headers(token()))
            other = await http.post(url, json=LIST, headers=headers(token(key=OTHER_KEY)))
    assert good.status_code == 200, good.text
    assert other.status_code == 401


def test_oauth_mode_needs_one_key_source_and_the_public_resource_url():
    with pytest.raises(ConfigError, match="exactly one of"):
        load_settings(outbound_mcp_oauth_issuer=ISSUER, outbound_mcp_resource_url=RESOURCE)
    with pytest.raises(ConfigError, match="OUTBOUND_MCP_RESOURCE_URL"):
        load_settings(outbound_mcp_oauth_issuer=ISSUER, outbound_mcp_oauth_public_key=PUBLIC_PEM)


async def test_in_stateful_mode_a_session_opened_by_one_subject_is_not_found_for_another():
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }
    stateful = {"outbound_mcp_oauth_public_key": PUBLIC_PEM, "outbound_mcp_http_stateless": False}
    async with serving(**stateful) as url, httpx2.AsyncClient() as http:
        opened = await http.post(url, json=init, headers=headers(token(sub="ann")))
        sid = opened.headers["mcp-session-id"]
        follow = {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-06-18"}
        ann = await http.post(url, json=LIST, headers=headers(token(sub="ann")) | follow)
        ben = await http.post(url, json=LIST, headers=headers(token(sub="ben")) | follow)
    assert ann.status_code == 200
    assert ben.status_code == 404


async def test_tokens_with_made_up_key_ids_fetch_the_jwks_at_most_once():
    fetched: list[int] = []
    jwk = RSAAlgorithm.to_jwk(KEY.public_key(), as_dict=True) | {"kid": "k1", "use": "sig"}

    def keys(request: Any) -> JSONResponse:
        fetched.append(1)
        return JSONResponse({"keys": [jwk]})

    async with served(Starlette(routes=[Route("/jwks.json", keys)])) as jwks_mcp_url:
        jwks_url = jwks_mcp_url.replace("/mcp", "/jwks.json")
        async with serving(outbound_mcp_oauth_jwks_url=jwks_url) as url, httpx2.AsyncClient() as http:
            forged = [
                jwt.encode(
                    {"iss": ISSUER, "aud": RESOURCE, "sub": "x", "exp": int(time.time()) + 60},
                    OTHER_KEY,
                    "RS256",
                    headers={"kid": f"made-up-{n}"},
                )
                for n in range(20)
            ]
            refused = [await http.post(url, json=LIST, headers=headers(t)) for t in forged]
            good = await http.post(url, json=LIST, headers=headers(token()))
    assert {r.status_code for r in refused} == {401}
    assert good.status_code == 200
    assert len(fetched) <= 2  # the first made-up id, then the real key once

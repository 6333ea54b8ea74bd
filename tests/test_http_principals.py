"""A call's principal (``current().caller.principal()``) over real HTTP: "" for the shared token alone (as over stdio), a stable id per set of
per-user credentials, and the token's subject in OAuth mode whatever keys it sends. Cursor and handle
binding (issue 20) is built on this id."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.server.mcpserver import Context
from pydantic import BaseModel

from mcp_server.app.providers import ProviderDef
from mcp_server.core.call.context import current
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.http.app import HttpOptions, build_http_app
from mcp_server.server import create_server
from mcp_server.settings import load_settings
from tests.core.demo_provider import open_demo
from tests.http_helpers import served

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
TOKEN = "http-token-0123456789"
ISSUER = "https://issuer.example.com"
RESOURCE = "https://mcp.example.com/mcp"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PEM = KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
toolset = Toolset("persistiq")


class Who(BaseModel):
    principal: str


@toolset.tool("Who am I", Access.READ)
async def demo_whoami(ctx: Context) -> Who:
    """The caller's principal."""
    del ctx
    return Who(principal=current().caller.principal())


WHO = ProviderDef("persistiq", "Who", toolset, open_demo, needs="nothing")


@asynccontextmanager
async def serving(**settings: Any) -> AsyncGenerator[str]:
    values = load_settings(persistiq_api_key="k" * 12, **settings)
    server = create_server(values, providers=[WHO])
    async with served(
        build_http_app(server, options=HttpOptions.from_settings(values, host="127.0.0.1", port=0))
    ) as url:
        yield url


async def whoami(url: str, headers: dict[str, str], mode: Any = "auto") -> str:
    http = httpx2.AsyncClient(headers=headers, timeout=30)
    async with http, Client(streamable_http_client(url, http_client=http), mode=mode) as client:
        result = await client.call_tool("demo_whoami", {})
    assert not result.is_error, result.content
    return result.structured_content.get("principal", "")  # an empty principal is pruned from the answer


def subject_token(sub: str) -> str:
    claims = {"iss": ISSUER, "aud": RESOURCE, "sub": sub, "exp": int(time.time()) + 600}
    return jwt.encode(claims, KEY, algorithm="RS256")


@pytest.mark.parametrize("era", ["legacy", "auto"], ids=["initialize", "server/discover"])
async def test_the_principal_is_empty_for_the_shared_token_and_one_per_credential_set(era: str):
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    async with serving(outbound_mcp_http_token=TOKEN) as url:
        shared = await whoami(url, bearer, era)
        alice = await whoami(url, bearer | {"X-PersistIQ-Key": "alice-key-000001"}, era)
        alice_again = await whoami(url, bearer | {"X-PersistIQ-Key": "alice-key-000001"}, era)
        bob = await whoami(url, bearer | {"X-PersistIQ-Key": "bob-key-00000002"}, era)
    assert shared == ""
    assert alice and alice == alice_again and bob and alice != bob
    assert "alice-key" not in alice


async def test_in_oauth_mode_the_principal_is_the_tokens_subject_whatever_keys_it_sends():
    oauth = {
        "outbound_mcp_oauth_issuer": ISSUER,
        "outbound_mcp_resource_url": RESOURCE,
        "outbound_mcp_oauth_public_key": PEM.decode(),
    }
    async with serving(**oauth) as url:
        ann = await whoami(url, {"Authorization": f"Bearer {subject_token('ann')}"})
        ann_with_keys = await whoami(
            url, {"Authorization": f"Bearer {subject_token('ann')}", "X-PersistIQ-Key": "ann-key-0000001"}
        )
        ben_with_anns_keys = await whoami(
            url, {"Authorization": f"Bearer {subject_token('ben')}", "X-PersistIQ-Key": "ann-key-0000001"}
        )
    assert ann.startswith("sub:") and ann == ann_with_keys
    assert ben_with_anns_keys != ann  # the same keys under another subject are another caller

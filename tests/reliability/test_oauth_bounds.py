"""OAuth resource-server mode under a misbehaving issuer: a JWKS fetch is bounded in time and size, a fetch
that fails keeps the last good key set and is tried again soon (a JWKS that hung once used to lock every
user out for a minute after it recovered), and a token whose subject is empty is refused."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import AsyncIterator
from typing import Any

import anyio
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from mcp_server.http import jwt_verifier
from mcp_server.http.jwt_verifier import JwtVerifier
from tests.http_helpers import served

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]
ISSUER = "https://issuer.example.com"
AUDIENCE = "https://mcp.example.com/mcp"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
JWK = RSAAlgorithm.to_jwk(KEY.public_key(), as_dict=True) | {"kid": "k1", "use": "sig"}
MiB = 1024 * 1024


def token(**claims: Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "user-1", "exp": now + 600, "iat": now, **claims}
    return jwt.encode(body, KEY, algorithm="RS256", headers={"kid": "k1"})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_jwks_that_hangs_once_lets_users_in_again_seconds_after_it_recovers_and_a_later_failure_keeps_the_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jwt_verifier, "JWKS_TIMEOUT", 0.3)
    released = anyio.Event()
    answered: list[str] = []

    async def keys(request: Request) -> Response:
        answered.append("asked")
        if len(answered) == 1:
            await released.wait()  # the first fetch hangs until the test ends
        if len(answered) >= 3:
            return Response("<html>down</html>", status_code=503)
        return JSONResponse({"keys": [JWK]})

    clock = Clock()
    async with served(Starlette(routes=[Route("/jwks.json", keys)])) as url:
        verifier = JwtVerifier(
            issuer=ISSUER, audience=AUDIENCE, jwks_url=url.replace("/mcp", "/jwks.json"), clock=clock
        )
        during = await verifier.verify_token(token())
        clock.now += 5  # the JWKS has recovered; far less than a minute later
        after = await verifier.verify_token(token())
        clock.now += jwt_verifier.KEYS_LIFESPAN + 1  # the key set is due for a refetch, which fails
        kept = await verifier.verify_token(token())
        released.set()
    assert during is None
    assert after is not None and after.subject == "user-1"
    assert kept is not None and len(answered) == 3


async def test_an_oversized_jwks_is_refused_without_being_held_in_memory() -> None:
    chunk = b" " * MiB

    async def endless() -> AsyncIterator[bytes]:
        yield b'{"keys": ['
        for _ in range(64):
            yield chunk

    async def keys(request: Request) -> Response:
        return StreamingResponse(endless(), media_type="application/json")

    async with served(Starlette(routes=[Route("/jwks.json", keys)])) as url:
        verifier = JwtVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=url.replace("/mcp", "/jwks.json"))
        tracemalloc.start()
        try:
            refused = await verifier.verify_token(token())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert refused is None
    assert peak < 16 * MiB, peak


@pytest.mark.parametrize("subject", ["", "   "], ids=["empty", "blank"])
async def test_a_token_whose_subject_is_empty_is_refused(subject: str) -> None:
    pem = KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    verifier = JwtVerifier(issuer=ISSUER, audience=AUDIENCE, public_key=pem.decode())
    assert await verifier.verify_token(token()) is not None
    assert await verifier.verify_token(token(sub=subject)) is None

"""The HTTP transport's smaller holes (issue 20): prefix-matched Host/Origin, the bearer scheme's case, two
``Authorization`` headers, one client filling the session table, and many large bodies at once."""

from __future__ import annotations

from typing import Any

import anyio
import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from mcp_server.http.limits import LargeBodies
from tests.http_helpers import mcp_headers, served, serving_demo
from tests.reliability.conftest import HTTP_TOKEN
from tests.reliability.figures import count

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
LEGACY = "2025-06-18"
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": LEGACY, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


def serving(**options: Any) -> Any:
    return serving_demo(HTTP_TOKEN, **options)


def headers(**extra: str) -> dict[str, str]:
    return mcp_headers(HTTP_TOKEN, **extra)


async def test_a_host_or_origin_that_only_starts_like_loopback_is_refused():
    async with serving() as url, httpx2.AsyncClient() as http:
        port = url.split(":")[2].split("/")[0]
        bad_host = await http.post(url, json=INIT, headers=headers(Host="127.0.0.1:evil"))
        bad_host_suffix = await http.post(url, json=INIT, headers=headers(Host=f"127.0.0.1:{port}.evil.example"))
        bad_origin = await http.post(url, json=INIT, headers=headers(Origin="http://127.0.0.1:evil"))
        bad_origin_suffix = await http.post(url, json=INIT, headers=headers(Origin="http://localhost:80.evil.example"))
        good = await http.post(url, json=INIT, headers=headers(Origin=f"http://127.0.0.1:{port}"))
    assert bad_host.status_code == 421
    assert bad_host_suffix.status_code == 421
    assert bad_origin.status_code == 403
    assert bad_origin_suffix.status_code == 403
    assert good.status_code == 200


async def test_the_bearer_scheme_is_compared_case_insensitively():
    async with serving() as url, httpx2.AsyncClient() as http:
        answers = [
            await http.post(url, json=INIT, headers=headers(Authorization=f"{scheme} {HTTP_TOKEN}"))
            for scheme in ("bearer", "BEARER", "BeArEr")
        ]
    assert [a.status_code for a in answers] == [200, 200, 200]


async def test_two_authorization_headers_are_refused_even_when_one_is_right():
    base = [(k, v) for k, v in headers().items() if k != "Authorization"]
    async with serving() as url, httpx2.AsyncClient() as http:
        answers = [
            await http.post(url, json=INIT, headers=[*base, ("Authorization", first), ("Authorization", second)])
            for first, second in ((f"Bearer {HTTP_TOKEN}", "Bearer nope"), ("Bearer nope", f"Bearer {HTTP_TOKEN}"))
        ]
    assert [a.status_code for a in answers] == [400, 400]
    assert all("exactly one Authorization" in a.text for a in answers)


async def test_in_stateless_mode_a_flood_of_initialize_calls_opens_no_session_at_all():
    async with serving() as url, httpx2.AsyncClient() as http:
        answers = [await http.post(url, json=INIT, headers=headers()) for _ in range(300)]
    assert {a.status_code for a in answers} == {200}
    assert not [a for a in answers if "mcp-session-id" in a.headers]


async def test_in_stateful_mode_one_client_cannot_take_more_than_its_share_of_sessions():
    flooder = headers(**{"X-PersistIQ-Key": "flooder-key-000001"})
    other = headers(**{"X-PersistIQ-Key": "someone-else-key-02"})
    async with serving(stateless=False, sessions_per_client=5) as url, httpx2.AsyncClient() as http:
        flood = [await http.post(url, json=INIT, headers=flooder) for _ in range(40)]
        theirs = await http.post(url, json=INIT, headers=other)
        sid = flood[0].headers["mcp-session-id"]
        follow = {**flooder, "Mcp-Session-Id": sid, "MCP-Protocol-Version": LEGACY}
        closed = await http.delete(url, headers=follow)
        after_close = await http.post(url, json=INIT, headers=flooder)
    statuses = [a.status_code for a in flood]
    count("sessions one client got out of 40 initialize calls", statuses.count(200))
    assert statuses == [200] * 5 + [429] * 35
    assert flood[-1].headers["retry-after"]
    assert theirs.status_code == 200 and theirs.headers.get("mcp-session-id")
    assert closed.status_code == 200
    assert after_close.status_code == 200  # closing one session frees its place


async def test_at_most_the_configured_number_of_large_bodies_are_served_at_once():
    inside = {"now": 0, "most": 0, "large_done": 0}
    small_served_at: list[int] = []

    async def endpoint(request: Request) -> JSONResponse:
        body = await request.body()
        if len(body) > 1000:
            inside["now"] += 1
            inside["most"] = max(inside["most"], inside["now"])
            await anyio.sleep(0.05)
            inside["now"] -= 1
            inside["large_done"] += 1
        else:
            small_served_at.append(inside["large_done"])
        return JSONResponse({"size": len(body)})

    app = LargeBodies(Starlette(routes=[Route("/mcp", endpoint, methods=["POST"])]), 2)
    big = b"x" * 3_900_000
    async with served(app) as url, httpx2.AsyncClient(timeout=60) as http:
        sizes: list[int] = []

        async def post(body: bytes) -> None:
            response = await http.post(url, content=body)
            sizes.append(response.json()["size"])

        async with anyio.create_task_group() as group:
            for _ in range(24):
                group.start_soon(post, big)
            await anyio.sleep(0.1)
            for _ in range(8):
                group.start_soon(post, b"{}")
    count("large bodies served at once (of 24 concurrent 3.9 MB posts, 2 slots)", inside["most"])
    assert sorted(sizes) == [2] * 8 + [3_900_000] * 24
    assert inside["most"] == 2
    assert max(small_served_at) < 24, "small calls queued behind the large ones"

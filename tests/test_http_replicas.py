"""Two replicas behind one Redis (``OUTBOUND_MCP_STATE=redis://``), stateless HTTP: a cursor and a Snov.io
handle from replica 1 resume on replica 2, and a 3x oversubscribed load spread over both meets no
upstream 429 (the rate budget is shared). Needs ``redis-server`` and the Redis state store (issue 14):
skipped, saying so, while either is missing."""

from __future__ import annotations

import importlib.util
import itertools
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncGenerator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from mcp_server.http.app import HttpOptions, build_http_app
from mcp_server.server import create_server
from tests.confirm_helpers import agrees
from tests.http_helpers import served
from tests.tables import rows

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.anyio,
    pytest.mark.skipif(
        importlib.util.find_spec("mcp_server.core.state.redis") is None,
        reason="the Redis state store (mcp_server/core/state/redis.py, issue 14) is not merged yet",
    ),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server on PATH"),
]
TOKEN = "replica-token-0123456789"
OVERSUBSCRIBED = 3


@pytest.fixture(scope="module")
def redis_server() -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


DATABASES = itertools.count(1)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """A database of its own per test: budgets left by one test must not throttle the next."""
    return f"{redis_server}/{next(DATABASES)}"


@asynccontextmanager
async def replicas(settings_for: Any, redis_url: str, n: int = 2, **overrides: Any) -> AsyncGenerator[list[str]]:
    settings = settings_for(outbound_mcp_state=redis_url, outbound_mcp_http_token=TOKEN, **overrides)
    options = HttpOptions.from_settings(settings, host="127.0.0.1", port=0)
    async with AsyncExitStack() as stack:
        urls = [
            await stack.enter_async_context(served(build_http_app(create_server(settings), options=options)))
            for _ in range(n)
        ]
        yield urls


@asynccontextmanager
async def client_of(url: str) -> AsyncGenerator[Any]:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
    async with http, Client(streamable_http_client(url, http_client=http), elicitation_callback=agrees) as client:
        yield client


async def test_a_cursor_and_a_snov_handle_from_replica_1_resume_on_replica_2(
    settings_for: Any, sandbox: Any, redis_url: str
):
    sandbox.config.job_delay = 1.0
    async with replicas(settings_for, redis_url, poll_wait=0.2, poll_interval=0.05) as (one, two):
        async with client_of(one) as first:
            page = await first.call_tool("persistiq_list_leads", {"limit": 2})
            running = await first.call_tool("snov_domain_search", {"domain": "acme.com"})
        assert not page.is_error and page.structured_content["next_cursor"]
        assert running.structured_content["status"] == "running" and running.structured_content["handle"]
        await anyio.sleep(1.2)
        async with client_of(two) as second:
            more = await second.call_tool(
                "persistiq_list_leads", {"limit": 2, "cursor": page.structured_content["next_cursor"]}
            )
            done = await second.call_tool(
                "snov_domain_search", {"domain": "acme.com", "handle": running.structured_content["handle"]}
            )
    assert not more.is_error, more.content
    first_ids = {lead["id"] for lead in rows(page.structured_content)}
    assert first_ids.isdisjoint(lead["id"] for lead in rows(more.structured_content))
    assert not done.is_error and done.structured_content["status"] != "running", done.content
    starts = [r for r in sandbox.env.requests if r.path.startswith("/snov/v2/domain-search/start")]
    assert len(starts) == 1  # resumed, not started again


async def test_three_times_oversubscribed_load_over_two_replicas_meets_no_upstream_429(
    settings_for: Any, sandbox: Any, redis_url: str
):
    # The sandbox enforces PersistIQ's 100 a minute; 60x time scale makes that 100 a second. The replicas share
    # a budget of 60 per 4 s, which still 429s when each replica keeps a budget of its own (120 sent in the
    # first second). Two budget windows meet in one sandbox second only when a loaded machine delivers a
    # window's requests 3 s late (with 60 per 2 s, 1 s late was enough, and it happened).
    sandbox.config.time_scale = 60.0
    limit, window = 60, 4.0
    calls = limit * OVERSUBSCRIBED
    async with replicas(settings_for, redis_url, persistiq_rate_limit=limit, rate_window=window) as urls:
        failures: list[str] = []

        async def one(client: Any) -> None:
            result = await client.call_tool("persistiq_list_users", {})
            if result.is_error:
                failures.append(str(result.content[0])[:200])

        started = time.monotonic()
        async with client_of(urls[0]) as a, client_of(urls[1]) as b, anyio.create_task_group() as group:
            for n in range(calls):
                group.start_soon(one, (a, b)[n % 2])
        elapsed = time.monotonic() - started
    throttled = [r for r in sandbox.env.requests if r.status == 429]
    print(
        f"\n{calls} calls over 2 replicas, budget {limit} per {window:.0f} s shared: {elapsed:.2f} s, "
        f"{len(throttled)} upstream 429s, {len(failures)} calls refused by the budget"
    )
    assert not throttled
    assert not failures, failures[:3]

"""A legacy client that disconnects mid-call (issue 20): a read stops at once, a write finishes the batch
in flight and sends no other; in both HTTP modes, without any cancel notification from the client."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
import pytest

from mcp_server.http.app import HttpOptions, build_http_app
from mcp_server.server import create_server
from outbound_sandbox.config import Fault
from tests.http_helpers import served
from tests.reliability.conftest import HTTP_TOKEN
from tests.reliability.figures import count

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
LEGACY = "2025-06-18"
MODERN = "2026-07-28"
MODES = [(True, LEGACY), (False, LEGACY), (True, MODERN)]
MODE_IDS = ["stateless-initialize", "stateful-initialize", "2026-07-28"]
INIT = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {"protocolVersion": LEGACY, "capabilities": {}, "clientInfo": {"name": "legacy", "version": "1"}},
}
HEADERS = {
    "Accept": "application/json, text/event-stream",
    "Content-Type": "application/json",
    "Authorization": f"Bearer {HTTP_TOKEN}",
}


@asynccontextmanager
async def serving(settings_for: Any, stateless: bool) -> AsyncGenerator[str]:
    # Disconnects, not consent: these raw clients cannot be asked, and the paid search runs as asked.
    settings = settings_for(
        outbound_mcp_http_token=HTTP_TOKEN, poll_wait=30.0, poll_interval=0.05, outbound_mcp_unconfirmed="allow"
    )
    options = HttpOptions(token=settings.outbound_mcp_http_token, stateless=stateless)
    async with served(build_http_app(create_server(settings), options=options)) as url:
        yield url


async def _session(http: httpx2.AsyncClient, url: str) -> dict[str, str]:
    response = await http.post(url, json=INIT, headers=HEADERS)
    assert response.status_code == 200, response.text
    headers = {**HEADERS, "MCP-Protocol-Version": LEGACY}
    if sid := response.headers.get("mcp-session-id"):
        headers["Mcp-Session-Id"] = sid
        await http.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers)
    return headers


def _modern(tool: str) -> tuple[dict[str, str], dict[str, Any]]:
    """A 2026-07-28 request: no session, the routing headers, the envelope in ``_meta``."""
    headers = {**HEADERS, "MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": tool}
    meta: dict[str, Any] = {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    return headers, {"_meta": meta}


async def _call_then_drop(url: str, tool: str, arguments: dict[str, Any], until: Any, era: str = LEGACY) -> None:
    """Start ``tool`` over its own connection and drop that connection once ``until()`` holds."""
    message: dict[str, Any] = {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "tools/call",
        "params": {"name": tool, "arguments": arguments},
    }
    if era == MODERN:
        headers, extra = _modern(tool)
        message["params"] |= extra
    else:
        async with httpx2.AsyncClient(timeout=30) as http:
            headers = await _session(http, url)
    caller = httpx2.AsyncClient(timeout=30)
    async with anyio.create_task_group() as group:

        async def call() -> None:
            async with caller.stream("POST", url, json=message, headers=headers) as response:
                async for _ in response.aiter_bytes():
                    pass

        group.start_soon(call)
        with anyio.fail_after(15):
            while not until():
                await anyio.sleep(0.02)
        group.cancel_scope.cancel()  # closes the connection: no notifications/cancelled is sent
    await caller.aclose()


@pytest.mark.parametrize(("stateless", "era"), MODES, ids=MODE_IDS)
async def test_a_read_stops_polling_when_its_client_disconnects(
    settings_for: Any, sandbox: Any, stateless: bool, era: str
):
    sandbox.config.job_delay = 1e9  # the search never finishes: only the disconnect can end the polling

    def polled() -> int:
        return len([r for r in sandbox.env.requests if r.path.startswith("/snov/v2/domain-search/result")])

    async with serving(settings_for, stateless) as url:
        await _call_then_drop(url, "snov_domain_search", {"domain": "acme.com"}, lambda: polled() >= 3, era)
        await anyio.sleep(0.2)  # a poll already on the wire may still land
        at_drop = polled()
        await anyio.sleep(1.0)  # twenty poll intervals
        after = polled()
    count("polls after a disconnect", after - at_drop)
    assert after == at_drop, f"{after - at_drop} polls after the client went away"


@pytest.mark.parametrize(("stateless", "era"), MODES, ids=MODE_IDS)
async def test_a_write_finishes_the_batch_in_flight_and_sends_no_other_when_its_client_disconnects(
    settings_for: Any, sandbox: Any, stateless: bool, era: str, caplog: pytest.LogCaptureFixture
):
    sandbox.config.add_fault("POST /persistiq/v1/leads", Fault("latency", seconds=0.3))
    leads = [{"email": f"drop{n}@example.com"} for n in range(100)]  # ten batches of ten

    def batches() -> list[Any]:
        return [r for r in sandbox.env.requests if r.method == "POST" and r.path == "/persistiq/v1/leads"]

    async with serving(settings_for, stateless) as url:
        await _call_then_drop(url, "persistiq_create_leads", {"leads": leads}, lambda: len(batches()) >= 2, era)
        sent_at_drop = len(batches())
        await anyio.sleep(1.5)  # five batch latencies
        sent = batches()
    count("batches sent after a disconnect", len(sent) - sent_at_drop)
    assert len(sent) == sent_at_drop, f"{len(sent) - sent_at_drop} more batches after the client went away"
    # The batch in flight was finished, not cut off: its outcome is known and recorded.
    outcome = [r.getMessage() for r in caplog.records if "cancelled after" in r.getMessage()]
    assert outcome == [
        f"leads cancelled after {len(sent)} of 10 batches: {len(sent)} sent ok, 0 failed, {10 - len(sent)} not sent"
    ]

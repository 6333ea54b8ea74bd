"""Smaller holes (issue 26, Low): a bare prospect hash followed by ``?query`` is never POSTed with that query,
Unicode digits do not pass as Epixel phone digits, and a request with an odd JSON-RPC id (null, 1.5, true,
{}) or unreadable JSON is answered over stdio and HTTP (the SDK read odd ids as notifications and dropped
them, so the client waited for its timeout; duplicate ids were already answered, each once)."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import anyio
import httpx2
import pytest
from anyio.streams.text import TextReceiveStream
from mcp import Client

from mcp_server.server import create_server
from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault
from tests.confirm_helpers import Person
from tests.http_helpers import mcp_headers, serving_demo
from tests.reliability.writes import text_of

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]
START = "/snov/v2/domain-search/prospects/search-emails/start/"


async def test_a_bare_prospect_hash_followed_by_a_query_is_refused_and_nothing_is_sent(
    settings_for: Any, sandbox: Sandbox
) -> None:
    sandbox.config.job_delay = 0.2
    sandbox.config.rate_limits = False
    settings = settings_for(poll_interval=0.05, snov_rate_limit=10_000)
    async with Client(create_server(settings), elicitation_callback=Person("accept")) as client:
        listed = await client.call_tool("snov_list_domain_prospects", {"domain": "acme.com", "limit": 1})
        prospect_hash = listed.structured_content["items"][0]["prospect_hash"]
        sneaky = await client.call_tool("snov_find_prospect_email", {"prospect": f"{prospect_hash}?list_id=9&x=1"})
    assert sneaky.is_error and "Nothing was sent" in text_of(sneaky), text_of(sneaky)
    assert [entry.query for entry in sandbox.env.requests if entry.path.startswith(START)] == []


UNICODE_PHONES = {
    "arabic-indic": "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",
    "fullwidth": "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17",
    "mixed": "\uff11\uff12" + "3",
}


@pytest.mark.parametrize("phone", UNICODE_PHONES.values(), ids=UNICODE_PHONES.keys())
async def test_unicode_digits_do_not_pass_as_an_epixel_phone_and_nothing_is_sent(
    connect: Any, sandbox: Sandbox, phone: str
) -> None:
    lead = {"first_name": "Ann", "last_name": "Lee", "email": "ann.lee@example.org", "phone": phone}
    async with connect(["epixel_create_lead"]) as client:
        result = await client.call_tool("epixel_create_lead", lead)
    assert result.is_error and "phone" in text_of(result), text_of(result)
    assert not [e for e in sandbox.env.handled("POST", "/epixel/") if "leads" in e.path]


INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
ODD = {  # each line, and the id its answer must carry
    "null id": ('{"jsonrpc":"2.0","id":null,"method":"ping"}', None),
    "fractional id": ('{"jsonrpc":"2.0","id":1.5,"method":"ping"}', None),
    "boolean id": ('{"jsonrpc":"2.0","id":true,"method":"ping"}', None),
    "object id": ('{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}', None),
    "cut-off JSON": ('{"jsonrpc":"2.0","id":5,"method":', None),
    "a batch": ('[{"jsonrpc":"2.0","id":6,"method":"ping"}]', None),
}


async def test_over_stdio_every_request_with_an_odd_id_or_unreadable_json_is_answered() -> None:
    env = {**os.environ, "PERSISTIQ_API_KEY": "stdio-odd-ids-key-000", "OUTBOUND_MCP_STATE": "memory"}
    async with await anyio.open_process([sys.executable, "-m", "mcp_server.cli"], env=env) as server:
        assert server.stdin is not None and server.stdout is not None
        lines = TextReceiveStream(server.stdout)
        buffered = ""

        async def answer() -> dict[str, Any]:
            nonlocal buffered
            with anyio.fail_after(20):
                while "\n" not in buffered:
                    buffered += await lines.receive()
            line, buffered = buffered.split("\n", 1)
            return json.loads(line)

        await server.stdin.send((json.dumps(INIT) + "\n").encode())
        assert (await answer())["id"] == 1
        await server.stdin.send(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
        answers: dict[str, dict[str, Any]] = {}
        for name, (line, _) in ODD.items():
            await server.stdin.send((line + "\n").encode())
            answers[name] = await answer()
        await server.stdin.send(b'{"jsonrpc":"2.0","id":7,"method":"ping"}\n')
        still_serving = await answer()
        server.terminate()
    for name, (_, ident) in ODD.items():
        assert answers[name]["id"] == ident and answers[name]["error"]["code"] in (-32600, -32700), (name, answers)
    assert still_serving == {"jsonrpc": "2.0", "id": 7, "result": {}}


async def test_over_http_a_request_with_an_odd_id_is_answered_not_accepted_as_a_notification() -> None:
    token = "odd-ids-http-token-0123456789"
    headers = mcp_headers(token, **{"MCP-Protocol-Version": "2025-06-18"})
    async with serving_demo(token) as url, httpx2.AsyncClient(timeout=10) as http:
        answers = {name: await http.post(url, content=line, headers=headers) for name, (line, _) in ODD.items()}
    for name, response in answers.items():
        assert response.status_code == 400, (name, response.status_code, response.text)
        assert response.json()["id"] is None and response.json()["error"]["code"] < -32000, (name, response.text)


# Upstream shapes that still ended in opaque errors ("stopped on something unexpected (ValueError)")

OPAQUE_SHAPES: dict[str, tuple[str, dict[str, Any], str, Any]] = {
    "a balance that is not a number": (
        "snov_get_balance",
        {},
        "GET /snov/v1/get-balance",
        {"success": True, "data": {"balance": "N/A"}},
    ),
    "an email count that is not a number": (
        "snov_count_domain_emails",
        {"domain": "acme.com"},
        "POST /snov/v1/get-domain-emails-count",
        {"success": True, "result": "many"},
    ),
    "a new list id that is not a number": (
        "snov_create_prospect_list",
        {"name": "Q3 leads"},
        "POST /snov/v1/lists",
        {"success": True, "data": {"id": "list-abc"}},
    ),
}


@pytest.mark.parametrize(("tool", "args", "route", "body"), OPAQUE_SHAPES.values(), ids=OPAQUE_SHAPES.keys())
async def test_an_upstream_number_that_is_not_one_is_a_clear_error(
    connect: Any, sandbox: Sandbox, tool: str, args: dict[str, Any], route: str, body: Any
) -> None:
    sandbox.config.add_fault(route, Fault("body", status=200, body=body))
    async with connect([tool]) as client:
        result = await client.call_tool(tool, args)
    text = text_of(result)
    assert result.is_error and "unexpected" not in text and "Snov.io" in text, text

"""Upstream data that used to break a call: lone surrogates, absurd rate headers, shapes the API does not
document, compression bombs, empty pages that say more exist. Each ends as an answer or a clear tool
error, never a dead process, an empty reply, an opaque failure or a provider locked out for years."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import re
import sys
import time
import tracemalloc
import zlib
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

import anyio
import httpx
import pytest
import respx
from mcp import Client, StdioServerParameters

from mcp_server.core.lists.pages import MAX_PAGES
from mcp_server.core.upstream.bodies import CappedBody
from outbound_sandbox.config import Fault
from tests.reliability.figures import count
from tests.reliability.test_fuzzing import CRASH
from tests.reliability.writes import text_of
from tests.tables import rows

pytestmark = pytest.mark.anyio

MiB = 1024 * 1024


@pytest.fixture(autouse=True)
def _counted() -> None:
    count("breakage")


def wire(result: Any) -> bytes:
    """The answer as a transport writes it: UTF-8 JSON (a lone surrogate cannot be encoded)."""
    return result.model_dump_json(by_alias=True).encode("utf-8")


def clear_error(result: Any) -> str:
    text = text_of(result)
    assert result.is_error, text[:300]
    assert not CRASH.search(text) and len(text) > 60, text[:300]
    return text


# Lone surrogates


async def test_a_lone_surrogate_in_upstream_text_is_replaced_and_the_answer_still_goes_out(
    connect: Any, sandbox: Any
) -> None:
    raw = (
        '{"leads": [{"id": "l_sur1", "status": "active", "data": {"email": "s@example.org",'
        ' "first_name": "Bad \\udc80 name", "last_name": "half \\ud83d", "company_name": "\\ud83d\\ude00 Inc"}}]}'
    )
    sandbox.config.add_fault("GET /persistiq/v1/leads/l_sur1", Fault("body", status=200, body=raw))
    async with connect(["persistiq_get_lead"]) as client:
        result = await client.call_tool("persistiq_get_lead", {"lead_id": "l_sur1"})
        after = await client.call_tool("persistiq_get_lead", {"lead_id": "l_sur1"})
    assert not result.is_error, text_of(result)[:300]
    sent = wire(result).decode()
    assert "Bad \ufffd name" in text_of(result) and "half \ufffd" in text_of(result)
    assert "😀 Inc" in text_of(result) and "\\udc80" not in sent
    assert not after.is_error


async def test_a_lone_surrogate_in_an_upstream_error_message_is_a_clear_error(connect: Any, sandbox: Any) -> None:
    raw = '{"status": "error", "errors": ["Lead \\udc80 not found"], "error": {"message": "Lead \\udc80 not found"}}'
    sandbox.config.add_fault("GET /persistiq/v1/leads/l_sur2", Fault("body", status=404, body=raw))
    async with connect(["persistiq_get_lead"]) as client:
        result = await client.call_tool("persistiq_get_lead", {"lead_id": "l_sur2"})
    assert result.is_error and "\ufffd" in text_of(result), text_of(result)
    wire(result)


# Rate headers

ABSURD = {
    "Retry-After: inf": {"Retry-After": "inf"},
    "Retry-After: nan": {"Retry-After": "nan"},
    "Retry-After: 1e12": {"Retry-After": "1e12"},
    "Retry-After: 1e400": {"Retry-After": "1e400"},
    "Retry-After in year 9999": {"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"},
    "X-RateLimit-Reset: 1e300": {"X-RateLimit-Reset": "1e300", "X-RateLimit-Remaining": "0"},
    "X-RateLimit-Reset: inf": {"X-RateLimit-Reset": "inf", "X-RateLimit-Remaining": "0"},
    "X-RateLimit-Remaining: inf": {"X-RateLimit-Reset": str(int(time.time()) + 1), "X-RateLimit-Remaining": "inf"},
}
USERS = {"status": "success", "users": [{"id": "u_1", "name": "Ann", "email": "ann@example.org"}]}


@pytest.mark.parametrize("headers", ABSURD.values(), ids=ABSURD.keys())
async def test_an_absurd_rate_header_is_treated_as_malformed_and_never_locks_the_provider_out(
    connect: Any, sandbox_urls: Any, fast_retries: None, headers: dict[str, str]
) -> None:
    limited = httpx.Response(429, headers=headers, json={"status": "error", "errors": ["slow down"]})
    with respx.mock() as mock:
        route = mock.get(f"{sandbox_urls.persistiq}/v1/users")
        async with connect(["persistiq_list_users"], http_timeout=2.0) as client:
            route.mock(return_value=limited)
            refused = await client.call_tool("persistiq_list_users", {})
            route.mock(return_value=httpx.Response(200, json=USERS))
            started = time.monotonic()
            later = await client.call_tool("persistiq_list_users", {})
    text = clear_error(refused)
    retry = re.search(r"Retry in (\d+) s", text)
    assert retry and int(retry.group(1)) <= 120, text
    assert not later.is_error, text_of(later)
    assert time.monotonic() - started < 5


async def test_a_reset_in_epoch_milliseconds_is_read_as_milliseconds_not_as_the_year_55000(
    connect: Any, sandbox_urls: Any
) -> None:
    soon_ms = str(int((time.time() + 1) * 1000))
    spent = httpx.Response(200, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": soon_ms}, json=USERS)
    with respx.mock() as mock:
        mock.get(f"{sandbox_urls.persistiq}/v1/users").mock(side_effect=[spent, httpx.Response(200, json=USERS)])
        async with connect(["persistiq_list_users"]) as client:
            first = await client.call_tool("persistiq_list_users", {})
            second = await client.call_tool("persistiq_list_users", {})
    assert not first.is_error and not second.is_error, text_of(second)


# Shapes the API does not document


async def test_unexpected_snov_shapes_end_as_answers_or_clear_errors(connect: Any, sandbox: Any) -> None:
    good = {"id": 7, "campaign": "Fine", "status": "Active", "list_id": 3}
    campaigns = [good, {**good, "id": "abc"}, {**good, "id": 8, "status": {"nested": True}}]
    sandbox.config.add_fault("GET /snov/v1/get-user-campaigns", Fault("body", status=200, body=campaigns))
    sandbox.config.add_fault(
        "GET /snov/v1/get-balance", Fault("body", status=200, body={"success": True, "data": {"balance": "lots"}})
    )
    async with connect(["snov_list_campaigns", "snov_get_balance"]) as client:
        listed = await client.call_tool("snov_list_campaigns", {})
        balance = await client.call_tool("snov_get_balance", {})
    assert not listed.is_error, text_of(listed)
    assert [c["id"] for c in listed.structured_content["items"]] == [7]
    assert "2 campaigns skipped" in listed.structured_content["hint"]
    assert "snov_get_balance" in clear_error(balance)


async def test_a_token_whose_expires_in_is_not_a_number_still_works(connect: Any, sandbox: Any) -> None:
    token = {"access_token": "canary-issued-token-77aa", "token_type": "Bearer", "expires_in": "soon"}
    sandbox.config.add_fault("POST /snov/v1/oauth/access_token", Fault("body", status=200, body=token, count=1))
    async with connect(["snov_get_balance"]) as client:
        result = await client.call_tool("snov_get_balance", {})
    # The made-up token is refused by the sandbox: a clear 401, renewed once, then the real one works.
    assert not result.is_error, text_of(result)


async def test_json_nested_past_the_parser_in_a_snov_answer_is_a_clear_error(
    connect: Any, sandbox: Any, fast_retries: None
) -> None:
    abyss = '{"data": ' + '{"a": ' * 100_000 + "1" + "}" * 100_000 + "}"
    sandbox.config.add_fault("GET /snov/v1/get-balance", Fault("body", status=200, body=abyss))
    deep: Any = 1
    for _ in range(450):
        deep = {"a": deep}
    sandbox.config.add_fault("GET /snov/v1/get-user-campaigns", Fault("body", status=200, body=[deep]))
    async with connect(["snov_get_balance", "snov_list_campaigns"]) as client:
        abysmal = await client.call_tool("snov_get_balance", {})
        nested = await client.call_tool("snov_list_campaigns", {})
    assert "nested too deeply" in clear_error(abysmal)
    assert not nested.is_error or not CRASH.search(text_of(nested)), text_of(nested)[:300]


async def test_an_appointment_at_the_end_of_year_9999_with_an_offset_is_sent_as_its_wall_clock_not_a_crash(
    connect: Any, sandbox: Any
) -> None:
    # Converted to UTC it was the year 10000 (an opaque OverflowError); wall-clock times are sent as given.
    slug = sandbox.epixel.store.owned()[0].slug
    args = {"slug": slug, "appointment_date": "9999-12-31T22:00-05:00", "appointment_to": "9999-12-31T23:59-05:00"}
    async with connect(["epixel_create_appointment"]) as client:
        result = await client.call_tool("epixel_create_appointment", args)
    assert not result.is_error, text_of(result)
    assert (result.structured_content["start"], result.structured_content["end"]) == (
        "9999-12-31 22:00",
        "9999-12-31 23:59",
    )


async def test_one_bad_record_is_skipped_and_the_hint_says_so(connect: Any, sandbox: Any) -> None:
    leads = [
        {"id": "l_ok1", "status": "active", "data": {"email": "ok1@example.org"}},
        {"id": {"not": "an id"}, "status": "active", "data": {}},
        {"id": "l_ok2", "status": "active", "data": {"email": "ok2@example.org"}},
    ]
    body = {"has_more": False, "next_page": None, "leads": leads}
    sandbox.config.add_fault("GET /persistiq/v1/leads", Fault("body", status=200, body=body))
    async with connect(["persistiq_list_leads"]) as client:
        result = await client.call_tool("persistiq_list_leads", {"limit": 10})
    assert not result.is_error, text_of(result)
    assert [lead["id"] for lead in rows(result.structured_content)] == ["l_ok1", "l_ok2"]
    assert "1 leads skipped" in result.structured_content["hint"]


# Compression bombs


def _deflate(data: bytes, level: int = 9) -> bytes:
    return zlib.compress(data, level)


# The innermost layer at level 1: a quarter of level 9's CPU on 200 MiB, and the outer layers still squeeze the
# bomb far below the size it must stay under.
BOMBS: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "gzip of gzip": ("gzip, gzip", lambda raw: gzip.compress(gzip.compress(raw, 1), 9)),
    "deflate of gzip": ("gzip, deflate", lambda raw: _deflate(gzip.compress(raw, 1))),
    "three layers": ("deflate, gzip, gzip", lambda raw: gzip.compress(gzip.compress(_deflate(raw, 1), 9), 9)),
}


@asynccontextmanager
async def serving(body: bytes, headers: dict[str, str]) -> AsyncGenerator[str]:
    """A loopback HTTP server that answers every request with ``body`` as it is, under ``headers``."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with suppress(Exception):
            await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2.0)
            head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
            writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{head}\r\n".encode() + body)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize(("encoding", "make"), BOMBS.values(), ids=BOMBS.keys())
async def test_a_stacked_compressed_body_is_refused_past_16_mib_decoded_without_inflating_it(
    connect: Any, encoding: str, make: Any
) -> None:
    bomb = make(b'{"users": [], "pad": "' + b"0" * (200 * MiB))
    assert len(bomb) < 400_000
    headers = {"Content-Type": "application/json", "Content-Encoding": encoding}
    async with serving(bomb, headers) as origin, connect(["persistiq_list_users"], persistiq_base_url=origin) as client:
        tracemalloc.start()
        try:
            result = await client.call_tool("persistiq_list_users", {})
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert "16 MiB" in clear_error(result)
    assert peak < 64 * MiB, f"{peak / MiB:.0f} MiB held to refuse a {len(bomb) / 1000:.0f} KB body"


def test_the_decoder_never_holds_much_more_than_the_cap_whatever_a_chunk_inflates_to() -> None:
    bomb = gzip.compress(gzip.compress(b"0" * (64 * MiB), 9), 9)
    body = CappedBody("gzip, gzip", 1 * MiB, "Test")
    with pytest.raises(Exception, match="more than 1 MiB"):
        body.feed(bomb)
    assert body.size <= 1 * MiB


async def test_a_body_in_an_encoding_never_asked_for_is_refused(connect: Any, sandbox_urls: Any) -> None:
    with respx.mock() as mock:
        mock.get(f"{sandbox_urls.persistiq}/v1/users").mock(
            return_value=httpx.Response(200, content=b"\x1b\x00\x00", headers={"Content-Encoding": "br"})
        )
        async with connect(["persistiq_list_users"]) as client:
            result = await client.call_tool("persistiq_list_users", {})
    assert "not asked for" in clear_error(result)


async def test_an_ordinary_gzip_answer_still_reads(connect: Any, sandbox_urls: Any) -> None:
    with respx.mock() as mock:
        mock.get(f"{sandbox_urls.persistiq}/v1/users").mock(
            return_value=httpx.Response(
                200, content=gzip.compress(json.dumps(USERS).encode()), headers={"Content-Encoding": "gzip"}
            )
        )
        async with connect(["persistiq_list_users"]) as client:
            result = await client.call_tool("persistiq_list_users", {})
    assert not result.is_error, text_of(result)
    assert result.structured_content["items"][0]["id"] == "u_1"


# Pages


async def test_empty_pages_that_say_more_exist_stop_after_one_request(
    connect: Any, sandbox: Any, sandbox_urls: Any
) -> None:
    body: dict[str, Any] = {"has_more": True, "next_page": f"{sandbox_urls.persistiq}/v1/leads?page=2", "leads": []}
    sandbox.config.add_fault("GET /persistiq/v1/leads", Fault("body", status=200, body=body))
    async with connect(["persistiq_list_leads"]) as client:
        before = len(sandbox.env.requests)
        result = await client.call_tool("persistiq_list_leads", {"limit": 100})
    sent = [r for r in sandbox.env.requests[before:] if r.path == "/persistiq/v1/leads"]
    assert not result.is_error, text_of(result)
    assert len(sent) == 1
    assert "empty page" in result.structured_content["hint"]


async def test_a_server_paging_one_record_at_a_time_is_read_at_most_so_many_pages_a_call(
    connect: Any, sandbox: Any, sandbox_urls: Any
) -> None:
    lead = {"id": "l_one", "status": "active", "data": {"email": "one@example.org"}}
    body: dict[str, Any] = {"has_more": True, "next_page": f"{sandbox_urls.persistiq}/v1/leads?page=2", "leads": [lead]}
    sandbox.config.add_fault("GET /persistiq/v1/leads", Fault("body", status=200, body=body))
    async with connect(["persistiq_list_leads"]) as client:
        before = len(sandbox.env.requests)
        result = await client.call_tool("persistiq_list_leads", {"limit": 1000})
    sent = [r for r in sandbox.env.requests[before:] if r.path == "/persistiq/v1/leads"]
    assert not result.is_error, text_of(result)
    assert len(sent) == MAX_PAGES
    assert result.structured_content["next_cursor"]


# Over stdio, where a lone surrogate used to end the process


@pytest.mark.e2e
async def test_over_stdio_a_lone_surrogate_in_a_lead_neither_kills_the_server_nor_the_next_call(
    sandbox: Any, sandbox_urls: Any
) -> None:
    raw = (
        '{"leads": [{"id": "l_sur3", "status": "active", "data": {"email": "s@example.org", "first_name": "\\udc80"}}]}'
    )
    sandbox.config.add_fault("GET /persistiq/v1/leads/l_sur3", Fault("body", status=200, body=raw))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSISTIQ_", "SNOV_", "EPIXEL_", "OUTBOUND_"))}
    env |= sandbox_urls.environment() | {"OUTBOUND_MCP_TOOLS": "persistiq_get_lead,persistiq_list_users"}
    params = StdioServerParameters(command=sys.executable, args=["-m", "mcp_server"], env=env)
    with anyio.fail_after(60):
        async with Client(params) as client:
            odd = await client.call_tool("persistiq_get_lead", {"lead_id": "l_sur3"})
            after = await client.call_tool("persistiq_list_users", {})
    assert not odd.is_error and odd.structured_content["data"]["first_name"] == "\ufffd", text_of(odd)
    assert not after.is_error, text_of(after)

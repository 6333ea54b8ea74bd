"""Confused deputies: a link, cursor or handle from a model (or from data it read) leads only to the endpoint
it stands for. Read-only mode holds however a tool's link arguments are filled, relative links cannot
climb out of the base path, and a forged, altered or foreign cursor or handle is refused with nothing sent."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from mcp_server.app import providers as provider
from mcp_server.app.providers import AppState
from mcp_server.catalogue import all_tools, kind_of
from mcp_server.core.call.caller import Caller
from mcp_server.core.call.context import CallContext, Signer, entered
from mcp_server.core.lists import handles
from mcp_server.core.lists.handles import fingerprint
from mcp_server.examples import example_of
from mcp_server.providers.persistiq.client import Lists
from outbound_sandbox.config import Fault
from tests.reliability.figures import count
from tests.reliability.test_fuzzing import TOOLS
from tests.reliability.writes import text_of
from tests.tables import rows

pytestmark = pytest.mark.anyio

REFUSED = re.compile(r"refused to follow|is not a value this tool returned")
STOPPED = re.compile(REFUSED.pattern + "|arguments refused, nothing was sent")
"""Refused as a link, or before that by the argument rules (a profile URL must be LinkedIn's or X's)."""


def old_style(kind: str, payload: dict[str, Any]) -> str:
    """A token as the server used to make them (base64 JSON, unsigned): what anyone can write."""
    raw = json.dumps({"k": kind, **payload}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unsigned(payload: dict[str, Any]) -> str:
    """A token in today's shape with a made-up tag."""
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    return f"{body}.AAAAAAAAAAAAAAAAAAAAAA"


def requests_to(sandbox: Any, prefix: str) -> list[str]:
    return [f"{r.method} {r.path}" for r in sandbox.env.requests if r.path.startswith(prefix)]


async def test_a_relative_next_page_that_climbs_out_of_the_base_path_is_never_followed(
    connect: Any, sandbox: Any
) -> None:
    lead = {"id": "l_first1", "status": "active", "data": {"email": "first@example.org"}}
    climbing = ["../epixel/api/v1/leads/list/", "v1/../../snov/v1/get-user-lists", "/%2e%2e/epixel/api/v1/leads/list/"]
    async with connect(["persistiq_list_leads"]) as client:
        for link in climbing:
            sandbox.config.faults.clear()
            body = {"has_more": True, "next_page": link, "leads": [lead]}
            sandbox.config.add_fault("GET /persistiq/v1/leads", Fault("body", status=200, body=body, count=1))
            result = await client.call_tool("persistiq_list_leads", {"limit": 50})
            count("deputy_links")
            assert result.is_error and "refused to follow" in text_of(result), f"{link}: {text_of(result)[:300]}"
    assert requests_to(sandbox, "/epixel") + requests_to(sandbox, "/snov") == []


async def test_a_next_page_link_to_another_path_of_the_same_api_is_never_followed(
    connect: Any, sandbox: Any, sandbox_urls: Any
) -> None:
    lead = {"id": "l_first1", "status": "active", "data": {"email": "first@example.org"}}
    for link in (f"{sandbox_urls.origin}/persistiq/v1/users?page=2", "v1/campaigns/c_x/leads?page=2"):
        sandbox.config.faults.clear()
        body = {"has_more": True, "next_page": link, "leads": [lead]}
        sandbox.config.add_fault("GET /persistiq/v1/leads", Fault("body", status=200, body=body, count=1))
        async with connect(["persistiq_list_leads"]) as client:
            result = await client.call_tool("persistiq_list_leads", {"limit": 50})
        count("deputy_links")
        assert result.is_error and "refused to follow" in text_of(result), text_of(result)[:300]
    assert requests_to(sandbox, "/persistiq/v1/users") + requests_to(sandbox, "/persistiq/v1/campaigns") == []


RESEARCH = {"outbound_mcp_read_only": True, "outbound_mcp_allow_spend": True}
"""Read-only mode that serves the tools spending credits too: still nothing that writes."""
SNOV_WRITES = ["/snov/v1/lists", "/snov/v1/add-prospect-to-list", "/snov/v1/change-recipient-status"]


async def test_read_only_mode_holds_when_a_prospect_link_points_at_a_write_endpoint(
    connect: Any, sandbox: Any, sandbox_urls: Any
) -> None:
    targets = [sandbox_urls.origin + path for path in SNOV_WRITES]
    targets += [f"{sandbox_urls.origin}/persistiq/v1/leads", f"{sandbox_urls.origin}/snov/v2/webhooks"]
    async with connect(["snov_find_prospect_email"], **RESEARCH) as client:
        before = len(sandbox.env.requests)
        for target in targets:
            result = await client.call_tool("snov_find_prospect_email", {"prospect": f"{target}?id=0123456789abcdef"})
            count("deputy_links")
            assert result.is_error and "refused to follow" in text_of(result), f"{target}: {text_of(result)[:300]}"
        assert sandbox.env.requests[before:] == []


async def test_a_job_result_link_to_another_endpoint_of_the_same_api_is_never_polled(
    connect: Any, sandbox: Any, sandbox_urls: Any
) -> None:
    for link in (f"{sandbox_urls.origin}/snov/v1/get-user-lists", "../persistiq/v1/users"):
        started: dict[str, Any] = {
            "data": [],
            "meta": {"domain": "acme.com", "task_hash": "h0stile"},
            "links": {"result": link},
        }
        sandbox.config.faults.clear()
        sandbox.config.add_fault("POST /snov/v2/domain-search/start", Fault("body", status=200, body=started, count=1))
        async with connect(["snov_domain_search"]) as client:
            result = await client.call_tool("snov_domain_search", {"domain": "acme.com"})
        count("deputy_links")
        assert result.is_error and "refused to follow" in text_of(result), text_of(result)[:300]
    assert requests_to(sandbox, "/snov/v1/get-user-lists") + requests_to(sandbox, "/persistiq") == []


# Every tool that takes a link, cursor or handle, read from tools/list of a read-only server that may spend.
SPENDS = {tool.name for tool in all_tools() if kind_of(tool) == "spend"}


def is_link(name: str, schema: dict[str, Any]) -> bool:
    return name in ("cursor", "handle") or "URL" in (schema.get("description") or "")


def hostile_values(name: str, origin: str) -> list[str]:
    urls = [origin + path for path in SNOV_WRITES] + [
        f"{origin}/persistiq/v1/leads",
        f"{origin}/epixel/api/v1/leads/create/",
        "../persistiq/v1/users",
        "v1/lists",
    ]
    if name not in ("cursor", "handle"):
        return [f"{url}?id=0123456789abcdef" for url in urls]
    tokens: list[str] = []
    for url in urls:
        for kind in ("page", "snov-job"):
            payload = {"s": "x", "r": url, "o": 0, "u": url, "t": [url], "g": "v2"}
            tokens.append(old_style(kind, payload))
        tokens.append(unsigned({"s": "x", "r": url, "o": 0, "u": url}))
    return tokens


async def test_read_only_mode_sends_nothing_for_any_link_cursor_or_handle_pointing_elsewhere(
    connect: Any, sandbox: Any, sandbox_urls: Any
) -> None:
    tried: list[str] = []
    problems: list[str] = []
    for tool in TOOLS:
        if not (tool["annotations"]["readOnlyHint"] or tool["name"] in SPENDS):
            continue
        links = [name for name, schema in tool["inputSchema"].get("properties", {}).items() if is_link(name, schema)]
        if not links:
            continue
        tried.append(tool["name"])
        # The required arguments of the tool's declared example, links left out: only the link can be refused
        # (an optional filter may be looked up first, e.g. a status name).
        required = set(tool["inputSchema"].get("required", [])) - set(links)
        plain = {name: value for name, value in example_of(tool["name"]).items() if name in required}
        async with connect([tool["name"]], **RESEARCH) as client:
            for field in links:
                for value in hostile_values(field, sandbox_urls.origin):
                    before = len(sandbox.env.requests)
                    result = await client.call_tool(tool["name"], {**plain, field: value})
                    sent = [f"{r.method} {r.path}" for r in sandbox.env.requests[before:]]
                    count("deputy_links")
                    count("deputy_sent", len(sent))
                    if sent:
                        problems.append(f"{tool['name']} {field}={value[:80]}: sent {sent}")
                    if not (result.is_error and STOPPED.search(text_of(result))):
                        problems.append(f"{tool['name']} {field}={value[:80]}: not refused: {text_of(result)[:200]}")
    assert len(tried) >= 15, tried
    assert {"snov_find_prospect_email", "persistiq_list_leads", "snov_domain_search"} <= set(tried)
    assert not problems, "\n".join(problems[:20])


# Cursors and handles: signed, bound to the tool, its filters and the caller.


async def test_a_cursor_written_by_hand_is_refused_even_with_the_right_scope(connect: Any, sandbox: Any) -> None:
    scope = fingerprint(tool="persistiq_list_leads")
    forged = old_style("page", {"s": scope, "r": "v1/leads?page=2", "o": 0})
    async with connect(["persistiq_list_leads"]) as client:
        before = len(sandbox.env.requests)
        result = await client.call_tool("persistiq_list_leads", {"limit": 5, "cursor": forged})
    count("forged")
    assert result.is_error and "cursor is not a value this tool returned" in text_of(result), text_of(result)
    assert "Pass the cursor exactly as" in text_of(result)
    assert sandbox.env.requests[before:] == []


async def test_a_snov_handle_written_by_hand_never_sends_the_bearer_to_another_api(connect: Any, sandbox: Any) -> None:
    scope = fingerprint(tool="snov_domain_search", domain="acme.com")
    forged = old_style("snov-job", {"s": scope, "u": "../persistiq/v1/users"})
    async with connect(["snov_domain_search"]) as client:
        result = await client.call_tool("snov_domain_search", {"domain": "acme.com", "handle": forged})
    count("forged")
    assert result.is_error and "handle is not a value this tool returned" in text_of(result), text_of(result)
    assert requests_to(sandbox, "/persistiq") == [] and requests_to(sandbox, "/snov") == []


async def _two_pages(client: Any) -> str:
    first = await client.call_tool("persistiq_list_leads", {"limit": 3})
    assert not first.is_error, text_of(first)
    return first.structured_content["next_cursor"]


async def test_a_genuine_cursor_resumes_and_an_altered_one_is_refused(connect: Any, sandbox: Any) -> None:
    async with connect(["persistiq_list_leads"]) as client:
        cursor = await _two_pages(client)
        body, tag = cursor.split(".")
        state = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        altered_body = base64.urlsafe_b64encode(json.dumps({**state, "o": 0}).encode()).decode().rstrip("=")
        altered = await client.call_tool("persistiq_list_leads", {"limit": 3, "cursor": f"{altered_body}.{tag}"})
        flipped = cursor[:-1] + ("A" if cursor[-1] != "A" else "B")
        tampered = await client.call_tool("persistiq_list_leads", {"limit": 3, "cursor": flipped})
        resumed = await client.call_tool("persistiq_list_leads", {"limit": 3, "cursor": cursor})
    count("forged", 2)
    for result in (altered, tampered):
        assert result.is_error and "cursor is not a value this tool returned" in text_of(result), text_of(result)
    assert not resumed.is_error, text_of(resumed)
    assert len(rows(resumed.structured_content)) == 3


def same_bytes(byte: bytes) -> Callable[[int], bytes]:
    """A stand-in for ``secrets.token_bytes``: the key a test knows in advance."""
    return lambda n: byte * n


async def test_a_cursor_from_another_caller_or_another_tool_is_refused(
    connect: Any, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    caller = {"id": "alice"}

    def principal(self: Caller) -> str:
        return caller["id"]

    monkeypatch.setattr(Caller, "principal", principal)
    async with connect(["persistiq_list_leads", "persistiq_list_campaigns"]) as client:
        cursor = await _two_pages(client)
        caller["id"] = "mallory"
        foreign = await client.call_tool("persistiq_list_leads", {"limit": 3, "cursor": cursor})
        caller["id"] = "alice"
        other_tool = await client.call_tool("persistiq_list_campaigns", {"limit": 3, "cursor": cursor})
        own = await client.call_tool("persistiq_list_leads", {"limit": 3, "cursor": cursor})
    count("forged", 2)
    assert foreign.is_error and "another tool or caller" in text_of(foreign), text_of(foreign)
    assert other_tool.is_error and "cursor" in text_of(other_tool), text_of(other_tool)
    assert not own.is_error, text_of(own)


async def test_a_cursor_from_another_server_process_is_refused(connect: Any, sandbox: Any) -> None:
    async with connect(["persistiq_list_leads"]) as client:
        cursor = await _two_pages(client)
    async with connect(["persistiq_list_leads"]) as restarted:
        result = await restarted.call_tool("persistiq_list_leads", {"limit": 3, "cursor": cursor})
    count("forged")
    assert result.is_error and "before the server restarted" in text_of(result), text_of(result)


async def test_a_signed_cursor_with_a_damaged_offset_is_a_clear_error(
    connect: Any, settings_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(provider.secrets, "token_bytes", same_bytes(b"k"))  # a key the test knows
    digest = AppState(settings_for(), {}, {}).credential_digest("persistiq")
    with entered(CallContext(tool="persistiq_list_leads", signer=Signer(b"k" * 32, f"|persistiq|{digest}"))):
        scope = handles.scope(path=Lists.leads.endpoint.path)  # a cursor's scope
        damaged = handles.encode("page", {"s": scope, "r": None, "o": "abc"})
    async with connect(["persistiq_list_leads"]) as client:
        result = await client.call_tool("persistiq_list_leads", {"limit": 3, "cursor": damaged})
    assert result.is_error and "cursor is damaged" in text_of(result), text_of(result)


async def test_a_cursor_made_under_another_credential_is_refused_even_with_the_same_key(
    connect: Any, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(provider.secrets, "token_bytes", same_bytes(b"s"))  # one key, as a shared store gives
    async with connect(["persistiq_list_leads"]) as client:
        cursor = await _two_pages(client)
    async with connect(["persistiq_list_leads"]) as same:
        resumed = await same.call_tool("persistiq_list_leads", {"limit": 3, "cursor": cursor})
    async with connect(["persistiq_list_leads"], persistiq_api_key="another-account-key-123") as other:
        before = len(sandbox.env.requests)
        foreign = await other.call_tool("persistiq_list_leads", {"limit": 3, "cursor": cursor})
    count("forged")
    assert not resumed.is_error, text_of(resumed)
    assert foreign.is_error and "is not a value this tool returned" in text_of(foreign), text_of(foreign)
    assert sandbox.env.requests[before:] == []

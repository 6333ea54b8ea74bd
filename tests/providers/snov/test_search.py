"""Snov.io v2 domain search tools through an MCP client: async jobs polled, paged and resumed."""

from __future__ import annotations

import anyio
import pytest
from mcp.types import CallToolResult
from starlette.requests import Request
from starlette.responses import Response

from outbound_sandbox.app import Sandbox
from outbound_sandbox.runner import SandboxUrls
from tests.providers.snov.outreach_helpers import failed, fields, ok
from tests.providers.typed import Connect
from tests.sandbox_clock import SandboxClock

pytestmark = pytest.mark.anyio

START = "/snov/v2/domain-search/start"
PROSPECTS_START = "/snov/v2/domain-search/prospects/start"
EMAILS_START = "/snov/v2/domain-search/domain-emails/start"


async def test_a_domain_search_still_running_for_a_while_is_answered_in_one_call_with_progress(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    sandbox.config.job_delay = 0.6
    notes: list[tuple[float, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        notes.append((progress, message))

    async with connect() as client:
        result = await client.call_tool(
            "snov_domain_search", {"domain": "https://www.Acme.com/"}, progress_callback=on_progress
        )

    company = ok(result)
    assert company["status"] == "done"
    assert (company["name"], company["prospects"], company["emails"], company["generic_contacts"]) == (
        "Acme Corporation",
        48,
        130,
        9,
    )
    assert len(sandbox.env.handled("POST", START)) == 1
    assert len(sandbox.env.handled("GET", "/snov/v2/domain-search/result/")) >= 2
    assert len(notes) >= 2 and "still running" in (notes[0][1] or "")
    values = [value for value, _ in notes]
    assert values == sorted(values) and len(set(values)) == len(values)


async def test_a_search_that_outlasts_the_wait_returns_a_handle_that_resumes_it_without_a_second_start(
    sandbox_clock: SandboxClock, connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    sandbox.config.job_delay = 0.8
    async with connect(poll_wait=0.2) as client:
        first = ok(await client.call_tool("snov_domain_search", {"domain": "acme.com"}))
        assert first["status"] == "running" and "handle" in first["hint"]
        sandbox_clock.advance(0.8)
        second = ok(await client.call_tool("snov_domain_search", {"domain": "acme.com", "handle": first["handle"]}))

    assert second["status"] == "done" and second["name"] == "Acme Corporation"
    assert len(sandbox.env.handled("POST", START)) == 1
    assert sandbox.snov.spent == 1


async def test_a_handle_is_refused_for_another_domain_before_any_request(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    sandbox.config.job_delay = 5
    async with connect(poll_wait=0.1) as client:
        handle = ok(await client.call_tool("snov_domain_search", {"domain": "acme.com"}))["handle"]
        before = len(sandbox.env.requests)
        text = failed(await client.call_tool("snov_domain_search", {"domain": "globex.com", "handle": handle}))

    assert "handle" in text
    assert len(sandbox.env.requests) == before


async def test_45_prospects_are_read_in_3_pages_and_the_cursor_finishes_the_third_without_a_new_start(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    async with connect() as client:
        page = ok(await client.call_tool("snov_list_domain_prospects", {"domain": "acme.com", "limit": 45}))
        starts = sandbox.env.handled("POST", PROSPECTS_START)
        assert [fields(s)["page"] for s in starts] == [["1"], ["2"], ["3"]]
        rest = ok(
            await client.call_tool(
                "snov_list_domain_prospects", {"domain": "acme.com", "limit": 45, "cursor": page["next_cursor"]}
            )
        )

    assert len(page["items"]) == 45 and page["total"] == 48
    assert page["items"][0] == {
        "first_name": "Jane",
        "last_name": "Cooper",
        "position": "CTO",
        "source_page": "https://www.linkedin.com/in/jane-cooper-1001",
        "prospect_hash": page["items"][0]["prospect_hash"],
    }
    assert len(rest["items"]) == 3 and "next_cursor" not in rest
    assert len(sandbox.env.handled("POST", PROSPECTS_START)) == 3
    names = [(p["first_name"], p["last_name"]) for p in page["items"] + rest["items"]]
    assert len(set(names)) == 48


async def test_positions_filter_the_prospects_and_are_sent_as_an_array(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    async with connect() as client:
        found = ok(
            await client.call_tool(
                "snov_list_domain_prospects", {"domain": "acme.com", "positions": ["Engineering Manager"]}
            )
        )

    assert [p["position"] for p in found["items"]] == ["Engineering Manager"] * 5
    (start,) = sandbox.env.handled("POST", PROSPECTS_START)
    assert fields(start)["positions[]"] == ["Engineering Manager"]


async def test_more_than_ten_positions_are_refused_naming_the_field_before_any_request(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    async with connect() as client:
        text = failed(
            await client.call_tool(
                "snov_list_domain_prospects", {"domain": "acme.com", "positions": [f"Role {i}" for i in range(11)]}
            )
        )

    assert "positions" in text
    assert sandbox.env.requests == []


async def test_a_page_still_running_at_the_wait_comes_back_as_a_cursor_that_polls_the_same_job(
    sandbox_clock: SandboxClock, connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    sandbox.config.job_delay = 0.8
    async with connect(poll_wait=0.2) as client:
        first = ok(await client.call_tool("snov_list_domain_prospects", {"domain": "acme.com", "limit": 5}))
        assert "items" not in first and "still being prepared" in first["hint"]  # empties are pruned
        sandbox_clock.advance(0.8)
        second = ok(
            await client.call_tool(
                "snov_list_domain_prospects", {"domain": "acme.com", "limit": 5, "cursor": first["next_cursor"]}
            )
        )

    assert len(second["items"]) == 5
    assert len(sandbox.env.handled("POST", PROSPECTS_START)) == 1


async def test_a_prospects_email_is_found_by_hash_and_by_the_search_emails_start_url(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox, sandbox_urls: SandboxUrls
):
    async with connect() as client:
        jane = ok(await client.call_tool("snov_list_domain_prospects", {"domain": "acme.com", "limit": 1}))["items"][0]
        by_hash = ok(await client.call_tool("snov_find_prospect_email", {"prospect": jane["prospect_hash"]}))
        url = f"{sandbox_urls.snov}/v2/domain-search/prospects/search-emails/start/{jane['prospect_hash']}"
        by_url = ok(await client.call_tool("snov_find_prospect_email", {"prospect": url}))

    assert by_hash["emails"] == [{"email": "jane.cooper@acme.com", "status": "valid"}]
    assert by_hash["status"] == "done" and by_hash["searched_at"]
    assert by_url["emails"] == by_hash["emails"]
    assert len(sandbox.env.handled("POST", "/snov/v2/domain-search/prospects/search-emails/start/")) == 2


async def test_a_search_emails_url_on_another_host_is_refused_and_nothing_is_sent_there(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    async with connect() as client:
        text = failed(
            await client.call_tool(
                "snov_find_prospect_email",
                {"prospect": "https://evil.example.com/v2/domain-search/prospects/search-emails/start/abcdef123456"},
            )
        )

    assert "refused to follow a link" in text
    assert sandbox.env.handled("POST", "/snov/v2/domain-search/prospects/search-emails") == []
    assert sandbox.snov.spent == 0


async def test_130_domain_emails_follow_the_next_token_across_three_pages(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    async with connect() as client:
        first = ok(await client.call_tool("snov_list_domain_emails", {"domain": "acme.com", "limit": 120}))
        rest = ok(
            await client.call_tool(
                "snov_list_domain_emails", {"domain": "acme.com", "limit": 120, "cursor": first["next_cursor"]}
            )
        )

    assert len(first["items"]) == 120 and first["total"] == 130 and first["items"][0] == "jane.cooper@acme.com"
    assert len(rest["items"]) == 10 and "next_cursor" not in rest
    assert len(set(first["items"] + rest["items"])) == 130
    tokens = [fields(s).get("next", [""])[0] for s in sandbox.env.handled("POST", EMAILS_START)]
    assert tokens[0] == "" and len(tokens) == 3 and all(len(t) > 40 for t in tokens[1:])


async def test_generic_contacts_and_the_free_email_count(connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox):
    async with connect() as client:
        generic = ok(await client.call_tool("snov_list_generic_contacts", {"domain": "acme.com"}))
        count = ok(await client.call_tool("snov_count_domain_emails", {"domain": "acme.com"}))
        webmail = ok(await client.call_tool("snov_count_domain_emails", {"domain": "gmail.com"}))

    assert generic["items"][:2] == ["info@acme.com", "sales@acme.com"] and generic["total"] == 9
    assert count == {"domain": "acme.com", "emails": 130, "webmail": False}
    assert webmail["emails"] == 0 and webmail["webmail"] is True


async def test_the_credit_ceiling_refuses_a_search_before_any_request(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    async with connect(snov_max_credits=0) as client:
        text = failed(await client.call_tool("snov_domain_search", {"domain": "acme.com"}))

    assert "SNOV_MAX_CREDITS" in text and "Nothing was sent" in text
    assert sandbox.env.handled("POST", "/snov/v2") == []


async def test_twenty_concurrent_calls_share_one_token_fetch(connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox):
    async with connect() as client:
        results: list[CallToolResult] = []

        async def count() -> None:
            results.append(await client.call_tool("snov_count_domain_emails", {"domain": "acme.com"}))

        async with anyio.create_task_group() as group:
            for _ in range(20):
                group.start_soon(count)

    assert all(not r.is_error for r in results) and len(results) == 20
    assert len(sandbox.env.handled("POST", "/snov/v1/oauth/access_token")) == 1


async def test_a_burst_past_the_60_a_minute_budget_is_spread_out_without_a_429(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
):
    sandbox.config.rate_limits = True
    sandbox.config.time_scale = 20  # the vendor's minute passes in 3 s
    refused: list[int] = []
    original = sandbox.snov.core.rate_limited_response

    def counting(request: Request) -> Response:
        refused.append(1)
        return original(request)

    monkeypatch.setattr(sandbox.snov.core, "rate_limited_response", counting)
    async with connect(snov_rate_limit=60, rate_window=3.0) as client:
        results: list[CallToolResult] = []

        async def count() -> None:
            results.append(await client.call_tool("snov_count_domain_emails", {"domain": "acme.com"}))

        async with anyio.create_task_group() as group:
            for _ in range(90):
                group.start_soon(count)

    assert len(results) == 90 and all(not r.is_error for r in results)
    assert refused == []
    assert len(sandbox.env.handled("POST", "/snov/v1/get-domain-emails-count")) == 90


async def test_a_limit_the_credit_ceiling_cannot_cover_is_refused_before_the_first_page(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    async with connect(snov_max_credits=2) as client:
        text = failed(await client.call_tool("snov_list_domain_prospects", {"domain": "acme.com", "limit": 45}))
        two_pages = ok(await client.call_tool("snov_list_domain_prospects", {"domain": "acme.com", "limit": 40}))

    assert "up to 3 credits" in text and "SNOV_MAX_CREDITS=2" in text
    assert len(two_pages["items"]) == 40
    assert len(sandbox.env.handled("POST", PROSPECTS_START)) == 2


async def test_a_page_already_paid_for_is_read_again_free_under_the_credit_ceiling(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    async with connect(snov_max_credits=1) as client:
        first = ok(await client.call_tool("snov_list_domain_prospects", {"domain": "acme.com", "limit": 20}))
        again = ok(await client.call_tool("snov_list_domain_prospects", {"domain": "acme.com", "limit": 20}))
        balance = ok(await client.call_tool("snov_get_balance", {}))

    assert again["items"] == first["items"]
    assert balance["spent_by_this_server"] == 1

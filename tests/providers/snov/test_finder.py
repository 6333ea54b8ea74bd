"""Snov.io finder, verifier and profile tools: free lookups, queueing only when asked, v2 where v1 is gone."""

from __future__ import annotations

import pytest

from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault
from tests.providers.snov.outreach_helpers import failed, fields, ok
from tests.providers.typed import Connect
from tests.sandbox_clock import SandboxClock

pytestmark = pytest.mark.anyio

ALEX = {"first_name": "Alex", "last_name": "Rivera", "domain": "acme.com"}
JANE_URL = "https://www.linkedin.com/in/jane-cooper-1001"


async def test_a_known_name_is_found_for_free_with_its_status(connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox):
    async with connect() as client:
        found = ok(
            await client.call_tool(
                "snov_find_email", {"first_name": "Jane", "last_name": "Cooper", "domain": "acme.com"}
            )
        )

    assert found["status"] == "found" and found["credits"] == 0 and found["method"] == "v1 Email Finder"
    assert found["emails"] == [{"email": "jane.cooper@acme.com", "status": "valid"}]
    assert sandbox.snov.spent == 0


async def test_an_unknown_name_is_not_queued_unless_asked_and_the_answer_says_how(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    async with connect() as client:
        missing = ok(await client.call_tool("snov_find_email", ALEX))

    assert missing["status"] == "not_found" and "queue_if_missing=true" in missing["hint"]
    assert sandbox.env.handled("POST", "/snov/v1/add-names-to-find-emails") == []
    assert sandbox.snov.spent == 0


async def test_queueing_a_name_costs_one_credit_and_the_call_waits_until_it_is_found(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    async with connect() as client:
        found = ok(await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True}))

    assert found["status"] == "found" and found["credits"] == 1
    assert found["emails"] == [{"email": "alex.rivera@acme.com", "status": "valid"}]
    (queued,) = sandbox.env.handled("POST", "/snov/v1/add-names-to-find-emails")
    assert fields(queued) == {"firstName": ["Alex"], "lastName": ["Rivera"], "domain": ["acme.com"]}
    assert sandbox.snov.spent == 1


async def test_a_queued_name_past_the_wait_returns_a_handle_that_asks_again_for_free(
    sandbox_clock: SandboxClock, connect: Connect, quick_jobs: Sandbox, profile: str, sandbox: Sandbox
):
    sandbox.config.job_delay = 0.8
    async with connect(poll_wait=0.2) as client:
        first = ok(await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True}))
        assert first["status"] == "running" and first["handle"]
        sandbox_clock.advance(0.8)
        second = ok(
            await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True, "handle": first["handle"]})
        )

    assert second["status"] == "found" and second["credits"] == 0
    assert len(sandbox.env.handled("POST", "/snov/v1/add-names-to-find-emails")) == 1
    assert sandbox.snov.spent == 1


async def test_the_hourly_limit_is_reported_as_such(connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox):
    sandbox.config.rate_limits = True
    sandbox.config.snov_hourly_limit = 0
    async with connect() as client:
        text = failed(await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True}))

    assert "too many prospects processing" in text.lower()
    assert "hourly" in text and "try again later" in text


async def test_a_read_only_server_does_not_serve_the_finder_and_says_which_setting_would(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    async with connect(outbound_mcp_read_only=True) as client:
        text = failed(await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True}))

    assert "spend tool" in text and "read-only mode" in text and "OUTBOUND_MCP_ALLOW_SPEND" in text
    assert sandbox.env.requests == []


async def test_read_only_mode_with_spending_allowed_queues_a_name_once_confirmed(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    async with connect(outbound_mcp_read_only=True, outbound_mcp_allow_spend=True) as client:
        found = ok(await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True}))

    assert found["status"] == "found" and sandbox.snov.spent == 1


async def test_23_emails_are_verified_with_queueing_in_3_queue_requests(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    emails = [f"new.person{i}@acme.com" for i in range(21)] + ["bounce.back@acme.com", "someone@initech.com"]
    async with connect() as client:
        report = ok(await client.call_tool("snov_verify_emails", {"emails": emails, "queue_unverified": True}))

    queued = sandbox.env.handled("POST", "/snov/v1/add-emails-to-verification")
    assert [len(fields(q)["emails[]"]) for q in queued] == [10, 10, 3]
    statuses = {r["email"]: r["status"] for r in report["results"]}
    assert len(statuses) == 23 and statuses["new.person0@acme.com"] == "valid"
    assert statuses["bounce.back@acme.com"] == "not_valid"
    assert statuses["someone@initech.com"] == "unknown"
    assert report["queued"] == 23 and report["credits"] == 23 and sandbox.snov.spent == 23


async def test_verifying_without_queueing_is_free_and_names_the_unverified(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    async with connect() as client:
        report = ok(
            await client.call_tool(
                "snov_verify_emails", {"emails": ["jane.cooper@acme.com", "new.person@acme.com", "sam.grey@globex.com"]}
            )
        )

    assert [r["status"] for r in report["results"]] == ["valid", "unverified", "greylisted"]
    assert "queue_unverified=true" in report["hint"] and report["credits"] == 0
    assert "15-60 minutes" in report["hint"]
    assert sandbox.env.handled("POST", "/snov/v1/add-emails-to-verification") == []


async def test_verifying_more_than_the_ceiling_allows_is_refused_before_any_queue_request(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    emails = [f"new.person{i}@acme.com" for i in range(5)]
    async with connect(snov_max_credits=3) as client:
        text = failed(await client.call_tool("snov_verify_emails", {"emails": emails, "queue_unverified": True}))

    assert "SNOV_MAX_CREDITS=3" in text and "up to 5 credits" in text
    assert sandbox.env.handled("POST", "/snov/v1/add-emails-to-verification") == []


async def test_with_v1_retired_the_finder_and_verifier_answer_through_the_v2_pairs(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    sandbox.config.profile = "current"  # the v2 pairs are only on the vendor's newer pages
    sandbox.config.snov_v1_retired = True
    async with connect() as client:
        found = ok(await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True}))
        again = ok(
            await client.call_tool(
                "snov_find_email", {"first_name": "Jane", "last_name": "Cooper", "domain": "acme.com"}
            )
        )
        verified = ok(
            await client.call_tool(
                "snov_verify_emails",
                {"emails": ["jane.cooper@acme.com", "sam.grey@globex.com"], "queue_unverified": True},
            )
        )

    assert found["status"] == "found" and found["method"].startswith("v2") and found["credits"] == 1
    assert found["emails"] == [{"email": "alex.rivera@acme.com", "status": "valid"}]
    assert again["status"] == "not_searched" and "queue_if_missing=true" in again["hint"]
    assert verified["method"].startswith("v2") and verified["credits"] == 1
    assert [r["status"] for r in verified["results"]] == ["valid", "greylisted"]
    # One 404 is not proof: the finder's v1 was asked by both calls; the second 404 retires it.
    assert len(sandbox.env.handled("POST", "/snov/v1/get-emails-from-names")) == 2
    assert len(sandbox.env.handled("POST", "/snov/v1/get-emails-verification-status")) == 1
    assert len(sandbox.env.handled("POST", "/snov/v2/emails-by-domain-by-name/start")) == 1


async def test_a_profile_is_found_by_linkedin_url_with_its_emails_for_one_credit(
    connect: Connect, quick_jobs: Sandbox, profile: str, sandbox: Sandbox
):
    # Changed on purpose (issue 13): a URL Snov.io already shows is free, so this one must be queued first.
    person = sandbox.snov.db.people["acme.com"][6]
    async with connect() as client:
        found = ok(await client.call_tool("snov_find_profile_by_url", {"url": person.url}))

    assert found["status"] == "found" and found["name"] == person.name and found["credits"] == 1
    assert found["jobs"] == [f"{person.position} at Acme"] and found["employer_sites"] == ["acme.com"]
    assert found["emails"] == [{"email": person.email, "status": "valid"}]
    assert len(sandbox.env.handled("POST", "/snov/v1/add-url-for-search")) == 1


async def test_with_v1_retired_a_profile_by_url_comes_from_v2_without_emails(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    sandbox.config.profile = "current"  # the v2 pairs are only on the vendor's newer pages
    sandbox.config.snov_v1_retired = True
    async with connect() as client:
        profile = ok(await client.call_tool("snov_find_profile_by_url", {"url": JANE_URL}))

    assert profile["status"] == "found" and profile["method"].startswith("v2") and "emails" not in profile
    assert profile["jobs"] == ["CTO at Acme"] and profile["credits"] == 1
    assert sandbox.snov.spent == 1


async def test_a_url_that_is_not_a_linkedin_or_x_profile_is_refused_naming_the_field(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    async with connect() as client:
        text = failed(await client.call_tool("snov_find_profile_by_url", {"url": "https://example.com/jane"}))

    assert "url" in text
    assert sandbox.env.requests == []


async def test_a_profile_by_email_costs_a_credit_only_when_found(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    async with connect() as client:
        jane = ok(await client.call_tool("snov_get_profile_by_email", {"email": "jane.cooper@acme.com"}))
        nobody = ok(await client.call_tool("snov_get_profile_by_email", {"email": "nobody@acme.com"}))
        balance = ok(await client.call_tool("snov_get_balance", {}))

    assert (
        jane["status"] == "found"
        and jane["social"] == [{"link": JANE_URL, "type": "linkedIn"}]
        and jane["credits"] == 1
    )
    assert nobody["status"] == "not_found" and nobody["credits"] == 0
    assert balance["spent_by_this_server"] == 1 and balance["balance"] == 2499


async def test_a_profile_by_email_that_fails_on_snov_s_side_keeps_its_credit_like_every_paid_request(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    # A 5xx may have been charged: the reservation stays (refused requests give it back); it is not resent.
    sandbox.config.add_fault("POST /snov/v1/get-profile-by-email", Fault("status", status=503))
    async with connect() as client:
        result = await client.call_tool("snov_get_profile_by_email", {"email": "jane.cooper@acme.com"})
        sandbox.config.faults.clear()
        balance = ok(await client.call_tool("snov_get_balance", {}))

    assert result.is_error
    assert balance["spent_by_this_server"] == 1
    assert [r.path for r in sandbox.env.requests if r.path.endswith("get-profile-by-email")] == [
        "/snov/v1/get-profile-by-email"
    ]


async def test_the_balance_shows_the_ceiling_and_what_this_server_spent(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    async with connect(snov_max_credits=50) as client:
        ok(await client.call_tool("snov_domain_search", {"domain": "acme.com"}))
        balance = ok(await client.call_tool("snov_get_balance", {}))

    assert balance == {
        "balance": 2499.0,
        "spent_by_this_server": 1.0,
        "max_credits": 50.0,
        "recipients_used": balance["recipients_used"],
        "teamwork": False,
        "limit_resets_in_days": 29,
        "subscription_ends_in_days": 359,
        "spent_this_period": 1.0,
        "credit_period": "day",
        "period_ends_at": balance["period_ends_at"],
    }
    assert balance["period_ends_at"].endswith("T00:00:00Z")


async def test_with_v1_retired_an_empty_balance_is_reported_and_nothing_counts_as_spent(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    sandbox.config.profile = "current"  # the v2 pairs are only on the vendor's newer pages
    sandbox.config.snov_v1_retired = True
    sandbox.config.snov_balance = 0
    sandbox.reset()
    async with connect() as client:
        text = failed(await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True}))
        balance = ok(await client.call_tool("snov_get_balance", {}))

    assert "balance is too low" in text and "snov_get_balance" in text
    assert balance["spent_by_this_server"] == 0


async def test_with_v1_retired_a_failed_start_keeps_the_other_batches_and_names_its_emails(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    from outbound_sandbox.config import Fault

    sandbox.config.profile = "current"  # the v2 pairs are only on the vendor's newer pages
    sandbox.config.snov_v1_retired = True
    sandbox.config.add_fault("POST /snov/v2/email-verification/start", Fault("status", status=400, skip=1, count=1))
    emails = [f"new.person{i}@acme.com" for i in range(12)]
    async with connect() as client:
        report = ok(await client.call_tool("snov_verify_emails", {"emails": emails, "queue_unverified": True}))

    statuses = [r["status"] for r in report["results"]]
    assert statuses == ["valid"] * 10 + ["unverified"] * 2
    assert report["credits"] == 10 and report["queued"] == 10
    assert "new.person10@acme.com" in report["errors"][0] and "400" in report["errors"][0]
    assert sandbox.snov.spent == 10

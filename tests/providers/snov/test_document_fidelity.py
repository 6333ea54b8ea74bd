"""Snov.io tools kept to the vendor document: request shapes, v1 retirement per method, fields users need."""

from __future__ import annotations

import pytest

from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault
from tests.providers.snov.outreach_helpers import failed, fields, ok
from tests.providers.typed import Connect
from tests.tables import rows

pytestmark = pytest.mark.anyio

ALEX = {"first_name": "Alex", "last_name": "Rivera", "domain": "acme.com"}
JANE = {"first_name": "Jane", "last_name": "Cooper", "domain": "acme.com"}
LEADERS = 179025  # Active: 150 sent in 2025


async def test_the_verifier_sends_the_emails_in_the_url_query_as_the_document_shows(
    connect: Connect, quick_jobs: Sandbox, profile: str, sandbox: Sandbox
):
    emails = ["new.person@acme.com", "jane.cooper@acme.com"]
    async with connect() as client:
        report = ok(await client.call_tool("snov_verify_emails", {"emails": emails, "queue_unverified": True}))

    assert [r["status"] for r in report["results"]] == ["valid", "valid"] and report["credits"] == 1
    for path in ("/snov/v1/get-emails-verification-status", "/snov/v1/add-emails-to-verification"):
        entry = sandbox.env.handled("POST", path)[0]
        assert "emails%5B%5D=" in entry.query and b"emails" not in (entry.body or b"")
    (queued,) = sandbox.env.handled("POST", "/snov/v1/add-emails-to-verification")
    assert fields(queued)["emails[]"] == ["new.person@acme.com"]


async def test_a_404_from_the_queue_method_retires_only_it_and_the_free_lookup_stays_in_use(
    connect: Connect, quick_jobs: Sandbox, profile: str, sandbox: Sandbox
):
    sandbox.config.add_fault("POST /snov/v1/add-names-to-find-emails", Fault("status", status=404))
    async with connect() as client:
        queued = await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True})
        known = ok(await client.call_tool("snov_find_email", JANE))

    if profile == "current":  # the v2 replacement is on the newer pages
        assert ok(queued)["method"].startswith("v2") and ok(queued)["credits"] == 1
    else:  # the document has no replacement: the call fails, and nothing counts as spent
        assert "404" in failed(queued)
    assert known["status"] == "found" and known["method"] == "v1 Email Finder" and known["credits"] == 0
    assert len(sandbox.env.handled("POST", "/snov/v1/get-emails-from-names")) == 2
    assert sandbox.snov.spent == (1 if profile == "current" else 0)


async def test_the_hourly_plan_limit_on_a_4xx_says_it_is_the_hourly_limit(
    connect: Connect, quick_jobs: Sandbox, profile: str, sandbox: Sandbox
):
    sandbox.config.rate_limits = True
    sandbox.config.snov_hourly_limit = 0
    async with connect() as client:
        text = failed(await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True}))
        balance = ok(await client.call_tool("snov_get_balance", {}))

    assert "too many prospects processing" in text.lower()
    assert "hourly plan limit" in text and "Check the arguments" not in text
    assert balance["spent_by_this_server"] == 0


async def test_analytics_without_dates_covers_all_time_whether_or_not_the_api_requires_dates(
    connect: Connect, quick_jobs: Sandbox, profile: str, sandbox: Sandbox
):
    async with connect() as client:
        first = ok(
            await client.call_tool("snov_get_campaign_analytics", {"campaign_ids": [LEADERS], "all_channels": True})
        )
        second = ok(await client.call_tool("snov_get_campaign_analytics", {"campaign_ids": [LEADERS]}))

    assert first["stats"]["emails_sent"] == second["stats"]["emails_sent"] == 150
    assert first["stats"]["bounced"] == 3 and first["stats"]["linkedin_likes"] == 0
    asked = sandbox.env.handled("GET", "/snov/v2/statistics/campaign-analytics")
    if profile != "current":  # the document: leave the dates empty for all time
        assert len(asked) == 2 and all("date_from" not in fields(a) for a in asked)
        assert "date_from" not in first
    else:  # the newer page requires them: one refused request, then dates every time
        assert len(asked) == 3 and fields(asked[-1])["date_from"] == ["2015-01-01"]
        assert first["date_from"] == "2015-01-01"


async def test_do_not_email_needs_a_list_id_and_a_wrong_one_is_answered_with_where_ids_come_from(
    connect: Connect, quick_jobs: Sandbox, profile: str, sandbox: Sandbox
):
    async with connect() as client:
        unnamed = failed(await client.call_tool("snov_add_to_do_not_email_list", {"items": ["rival.io"]}))
        wrong = failed(await client.call_tool("snov_add_to_do_not_email_list", {"items": ["rival.io"], "list_id": 7}))

    assert "list_id" in unnamed
    assert "not found" in wrong
    if profile != "current":  # no method lists the lists: the app is where the ids are
        assert "Snov.io app" in wrong
    else:
        assert "42001 (Default do-not-email list)" in wrong and "42002 (Legal hold)" in wrong
    assert all("rival.io" not in b.items for b in sandbox.snov.crm.blacklists.values())


async def test_prospects_in_a_list_say_each_emails_status_in_the_verifier_s_words(
    connect: Connect, quick_jobs: Sandbox, profile: str, sandbox: Sandbox
):
    async with connect() as client:
        listed = ok(await client.call_tool("snov_list_prospects_in_list", {"list_id": 1250344}))

    jane = next(p for p in rows(listed) if p["name"] == "Jane Cooper")
    assert (jane["email"], jane["status"], jane["probability"]) == ("jane.cooper@acme.com", "valid", 99)


async def test_a_prospect_added_with_only_a_full_name_is_stored_under_that_name(
    connect: Connect, quick_jobs: Sandbox, profile: str, sandbox: Sandbox
):
    args = {"list_id": 7654321, "email": "nora.quinn@example.org", "full_name": "Nora Quinn"}
    async with connect() as client:
        added = ok(await client.call_tool("snov_add_prospect_to_list", args))

    (entry,) = sandbox.env.handled("POST", "/snov/v1/add-prospect-to-list")
    assert fields(entry)["fullName"] == ["Nora Quinn"]
    assert sandbox.snov.crm.prospects[added["id"]].name == "Nora Quinn"


async def test_profiles_carry_the_employer_site_and_the_job_history(
    connect: Connect, quick_jobs: Sandbox, profile: str, sandbox: Sandbox
):
    async with connect() as client:
        by_email = ok(await client.call_tool("snov_get_profile_by_email", {"email": "lizi.hamer@octagon.com"}))
        prospect = ok(await client.call_tool("snov_get_prospect", {"prospect_id": "xusD3-T_K5IktGoaa8Jc8A=="}))

    assert by_email["employer_sites"] == ["octagon.com"]
    assert by_email["jobs"] == ["Regional Creative Director at Octagon"]
    assert by_email["previous_jobs"] == [
        "Creative Entrepreneur at Fusion Co-innovation Labs (2013-05-31 to 2013-10-31)"
    ]
    assert prospect["employer_sites"] == ["octagon.com"]


async def test_domain_searches_count_only_what_snov_charges_per_its_document(
    connect: Connect, quick_jobs: Sandbox, profile: str, sandbox: Sandbox
):
    async with connect() as client:
        for domain in ("acme.com", "acme.com", "nothing-here.example"):
            ok(await client.call_tool("snov_domain_search", {"domain": domain}))
        empty = ok(await client.call_tool("snov_list_domain_emails", {"domain": "nothing-here.example"}))
        ok(await client.call_tool("snov_list_domain_prospects", {"domain": "initech.com"}))
        ok(await client.call_tool("snov_list_domain_prospects", {"domain": "initech.com"}))
        balance = ok(await client.call_tool("snov_get_balance", {}))

    assert empty.get("items", []) == []  # an empty list is pruned from the answer
    # One distinct search with results and one prospects page: the empty ones and the repeats are free.
    assert sandbox.snov.spent == 2
    assert balance["spent_by_this_server"] == 2


async def test_the_hourly_plan_limit_on_a_429_is_not_read_as_a_one_minute_wait(
    connect: Connect, quick_jobs: Sandbox, profile: str, sandbox: Sandbox
):
    body = {"success": False, "message": "There are too many prospects processing. Please try later"}
    sandbox.config.add_fault("POST /snov/v1/add-names-to-find-emails", Fault("body", status=429, body=body))
    async with connect() as client:
        text = failed(await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True}))

    assert "hourly plan limit" in text and "Retry in" not in text

"""Snov.io tools against the shapes public clients recorded from the real server (the sandbox's recorded profile):
object-shaped data, in_progress states, three "no profile" answers, 502 out of credits, one stray 404, every
verifier flag, empty answers that are not found records. Sources: docs/upstream-assumptions-snov.md."""

from __future__ import annotations

from typing import Any

import pytest

from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault
from tests.providers.snov.outreach_helpers import failed, ok
from tests.providers.typed import Connect

pytestmark = pytest.mark.anyio

ALEX = {"first_name": "Alex", "last_name": "Rivera", "domain": "acme.com"}
JANE = {"first_name": "Jane", "last_name": "Cooper", "domain": "acme.com"}
URL = "https://www.linkedin.com/in/someone-known"
KNOWN_PROFILE = {
    "id": "xusD3-T_K5IktGoaa8Jc8A==",
    "name": "Gavin Vanrooyen",
    "firstName": "Gavin",
    "lastName": "Vanrooyen",
    "industry": "Entertainment",
    "currentJob": [{"companyName": "Octagon", "position": "Senior Brand Director", "site": "http://octagon.com"}],
    "emails": [{"email": "gavin@octagon.com", "status": "valid"}],
}


@pytest.fixture
def recorded(quick_jobs: Sandbox) -> Sandbox:
    quick_jobs.config.profile = "recorded"
    return quick_jobs


async def spent_by_server(connect: Connect) -> float:
    async with connect() as client:
        return ok(await client.call_tool("snov_get_balance", {}))["spent_by_this_server"]


async def test_a_profile_snov_io_already_holds_as_one_object_is_shown_for_free_without_queueing(
    connect: Connect, recorded: Sandbox
):
    body = {"success": True, "data": KNOWN_PROFILE}
    recorded.config.add_fault("POST /snov/v1/get-emails-from-url", Fault("body", status=200, body=body, count=1))
    async with connect() as client:
        profile = ok(await client.call_tool("snov_find_profile_by_url", {"url": URL}))

    assert profile["status"] == "found" and profile["credits"] == 0 and profile["name"] == "Gavin Vanrooyen"
    assert profile["emails"] == [{"email": "gavin@octagon.com", "status": "valid"}]
    assert profile["employer_sites"] == ["octagon.com"]
    assert recorded.env.handled("POST", "/snov/v1/add-url-for-search") == []
    assert recorded.snov.spent == 0


async def test_a_queued_url_is_collected_from_the_recorded_object_shaped_answer(connect: Connect, recorded: Sandbox):
    url = recorded.snov.db.people["acme.com"][0].url
    async with connect(poll_wait=5) as client:
        profile = ok(await client.call_tool("snov_find_profile_by_url", {"url": url}))

    assert profile["status"] == "found" and profile["credits"] == 1 and profile["emails"]
    assert recorded.snov.spent == 1


async def test_a_name_snov_io_is_already_searching_is_waited_for_and_not_paid_for_again(
    connect: Connect, recorded: Sandbox
):
    recorded.config.job_delay = 60.0
    async with connect(poll_wait=0.2) as client:
        first = ok(await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True}))
        second = ok(await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True}))
        unasked = ok(await client.call_tool("snov_find_email", ALEX))

    assert first["status"] == "running" and first["credits"] == 1
    assert second["status"] == "running" and second["credits"] == 0 and second["handle"]
    assert unasked["status"] == "running" and unasked["credits"] == 0 and "queue_if_missing" not in unasked["hint"]
    assert len(recorded.env.handled("POST", "/snov/v1/add-names-to-find-emails")) == 1
    assert recorded.snov.spent == 1


async def test_emails_snov_io_is_already_verifying_are_reported_queued_and_not_paid_for_again(
    connect: Connect, recorded: Sandbox
):
    recorded.config.job_delay = 60.0
    emails = ["new.person@acme.com"]
    async with connect(poll_wait=0.2) as client:
        first = ok(await client.call_tool("snov_verify_emails", {"emails": emails, "queue_unverified": True}))
        second = ok(await client.call_tool("snov_verify_emails", {"emails": emails, "queue_unverified": True}))
        unasked = ok(await client.call_tool("snov_verify_emails", {"emails": emails}))

    assert [r["status"] for r in first["results"]] == ["queued"] and first["credits"] == 1
    assert [r["status"] for r in second["results"]] == ["queued"] and second["credits"] == 0
    assert [r["status"] for r in unasked["results"]] == ["queued"] and "queue_unverified=true" not in unasked["hint"]
    assert len(recorded.env.handled("POST", "/snov/v1/add-emails-to-verification")) == 1
    assert recorded.snov.spent == 1


@pytest.mark.parametrize(
    "body",
    [
        {"success": True, "message": "We couldn't find profile with this email"},
        {"success": False, "message": "Profile not found"},
        {"success": False, "result": "Profile not found"},
    ],
    ids=["success-and-message", "failure-and-message", "failure-and-result"],
)
async def test_each_recorded_no_profile_answer_is_not_found_and_costs_nothing(
    connect: Connect, recorded: Sandbox, body: dict[str, Any]
):
    recorded.config.add_fault("POST /snov/v1/get-profile-by-email", Fault("body", status=200, body=body))
    async with connect() as client:
        profile = ok(await client.call_tool("snov_get_profile_by_email", {"email": "nobody@acme.com"}))

    assert profile["status"] == "not_found" and profile["credits"] == 0 and "nothing was charged" in profile["hint"]
    assert await spent_by_server(connect) == 0


async def test_out_of_credits_as_a_502_is_a_refusal_that_keeps_no_credit_reserved(connect: Connect, recorded: Sandbox):
    recorded.snov.core.balance = 0
    async with connect() as client:
        texts = [
            failed(await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True})) for _ in range(2)
        ]
        balance = ok(await client.call_tool("snov_get_balance", {}))

    for text in texts:
        assert "ran out of credits" in text and "Nothing was charged" in text
        assert "may have been applied" not in text
    assert balance["spent_by_this_server"] == 0
    assert len(recorded.env.handled("POST", "/snov/v1/add-names-to-find-emails")) == 2


async def test_one_404_from_a_v1_method_does_not_retire_it_and_the_next_lookup_stays_free(
    connect: Connect, recorded: Sandbox
):
    recorded.config.add_fault("POST /snov/v1/get-emails-from-names", Fault("status", status=404, count=1))
    async with connect() as client:
        stray = ok(await client.call_tool("snov_find_email", JANE))
        found = ok(await client.call_tool("snov_find_email", JANE))

    assert stray["status"] == "not_searched" and stray["credits"] == 0 and "again later" in stray["hint"]
    assert found["status"] == "found" and found["method"] == "v1 Email Finder" and found["credits"] == 0
    assert len(recorded.env.handled("POST", "/snov/v1/get-emails-from-names")) == 1  # the answered one


async def test_every_verifier_flag_is_kept_false_ones_too(connect: Connect, recorded: Sandbox):
    async with connect() as client:
        report = ok(await client.call_tool("snov_verify_emails", {"emails": ["jane.cooper@acme.com"]}))

    (result,) = report["results"]
    assert result == {
        "email": "jane.cooper@acme.com",
        "status": "valid",
        "valid_format": True,
        "disposable": False,
        "webmail": False,
        "gibberish": False,
        "catchall": False,
        "greylist": False,
        "banned_error": False,
        "connection_error": False,
    }


async def test_a_complete_verification_without_an_smtp_status_is_not_called_unknown(
    connect: Connect, recorded: Sandbox
):
    email = "jane.cooper@acme.com"
    body = {"success": True, email: {"status": {"identifier": "complete"}, "data": {"email": email}}}
    recorded.config.add_fault(
        "POST /snov/v1/get-emails-verification-status", Fault("body", status=200, body=body, count=1)
    )
    async with connect() as client:
        report = ok(await client.call_tool("snov_verify_emails", {"emails": [email]}))

    assert [r["status"] for r in report["results"]] == ["no_status"]


async def test_no_prospect_with_this_email_is_an_empty_list_that_says_so(connect: Connect, recorded: Sandbox):
    async with connect() as client:
        found = ok(await client.call_tool("snov_find_prospects_by_email", {"email": "nobody@nowhere.example"}))

    assert not found.get("items") and "nobody@nowhere.example" in found["hint"]


async def test_an_empty_data_for_a_prospect_id_is_not_a_found_prospect(connect: Connect, recorded: Sandbox):
    async with connect() as client:
        text = failed(await client.call_tool("snov_get_prospect", {"prospect_id": "no-such-prospect"}))

    assert "no prospect with id no-such-prospect: not found" in text and "snov_list_prospects_in_list" in text


async def test_a_domain_search_refused_as_out_of_credits_keeps_no_credit_reserved_and_is_not_remembered_as_paid(
    connect: Connect, recorded: Sandbox
):
    refusal = {"success": False, "message": "You ran out of credits"}
    start = "POST /snov/v2/domain-search/start"
    recorded.config.add_fault(start, Fault("body", status=502, body=refusal, count=1))
    async with connect() as client:
        refused = failed(await client.call_tool("snov_domain_search", {"domain": "acme.com"}))
        balance = ok(await client.call_tool("snov_get_balance", {}))
        again = ok(await client.call_tool("snov_domain_search", {"domain": "acme.com"}))

    assert "ran out of credits" in refused and "Nothing was charged" in refused
    assert balance["spent_by_this_server"] == 0
    assert again["credits_spent"] == 1  # the next search is paid for anew, not taken as paid already


async def test_out_of_credits_as_a_400_is_a_refusal_that_keeps_no_credit_reserved(connect: Connect, recorded: Sandbox):
    # TalentTicker/python-snovio (snovio/snovio_api.py) meets "you ran out of credits" on an HTTP 400.
    body = {"success": False, "message": "You ran out of credits"}
    recorded.config.add_fault("POST /snov/v1/add-names-to-find-emails", Fault("body", status=400, body=body))
    async with connect() as client:
        text = failed(await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True}))
        balance = ok(await client.call_tool("snov_get_balance", {}))

    assert "ran out of credits" in text and "may have been applied" not in text
    assert balance["spent_by_this_server"] == 0


async def test_a_url_snov_io_refuses_to_queue_says_why_and_keeps_no_credit_reserved(
    connect: Connect, recorded: Sandbox
):
    # The hull-snovio connector (SMK1085/hull-snovio) reads add-url-for-search's 200 {"success": false} refusal
    # and keeps its "message" as the reason.
    body = {"success": False, "message": "Invalid LinkedIn profile URL"}
    recorded.config.add_fault("POST /snov/v1/add-url-for-search", Fault("body", status=200, body=body))
    async with connect() as client:
        result = await client.call_tool("snov_find_profile_by_url", {"url": URL})

    assert "Invalid LinkedIn profile URL" in (failed(result) if result.is_error else str(result.structured_content))
    assert await spent_by_server(connect) == 0


async def test_a_prospect_list_of_exactly_one_full_page_is_read_without_asking_past_its_end(
    connect: Connect, recorded: Sandbox
):
    # The hull-snovio connector pages a list while list.contacts > page * perPage and stops on a
    # {"success": false} page: a list that fills its last page is never asked for the page after it.
    prospects = [{"id": f"p{n:03}", "name": f"Person {n}", "emails": [{"email": f"p{n}@acme.com"}]} for n in range(100)]
    full = {"success": True, "list": {"name": "Hundred", "contacts": 100}, "prospects": prospects}
    recorded.config.add_fault("POST /snov/v1/prospect-list", Fault("body", status=200, body=full, count=1))
    past_end = recorded.config.add_fault(
        "POST /snov/v1/prospect-list", Fault("body", status=200, body={"success": False})
    )
    async with connect() as client:
        page = ok(await client.call_tool("snov_list_prospects_in_list", {"list_id": 7, "limit": 150}))

    assert len(page["rows"]) == 100 and page["contacts"] == 100 and not page.get("next_cursor")
    assert past_end.seen == 0

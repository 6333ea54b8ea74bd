"""Snov.io's documented fields kept in the shapes real servers and public clients give them (issue 29): social
links as bare link texts, a listed email's checks as numbers or text, activity rows of more than one campaign,
prospect lists marked deleted in any spelling."""

from __future__ import annotations

from typing import Any

import pytest

from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault
from tests.providers.snov.outreach_helpers import ok
from tests.providers.typed import Connect
from tests.tables import rows

pytestmark = pytest.mark.anyio

TWITTER = "https://twitter.com/gavin"
LINKEDIN = "https://www.linkedin.com/in/gavin"


async def test_social_links_given_as_bare_link_texts_are_kept_beside_typed_ones(connect: Connect, quick_jobs: Sandbox):
    # SMK1085/hull-snovio types a profile's social as string[]; the document shows [{link, type}].
    profile = {"id": "p1", "name": "Gavin Vanrooyen", "social": [TWITTER, {"link": LINKEDIN, "type": "linkedIn"}]}
    quick_jobs.config.add_fault(
        "POST /snov/v1/get-emails-from-url", Fault("body", status=200, body={"success": True, "data": profile})
    )
    quick_jobs.config.add_fault(
        "POST /snov/v1/get-prospect-by-id", Fault("body", status=200, body={"success": True, "data": profile})
    )
    async with connect() as client:
        found = ok(await client.call_tool("snov_find_profile_by_url", {"url": LINKEDIN}))
        prospect = ok(await client.call_tool("snov_get_prospect", {"prospect_id": "p1"}))

    expected = [{"link": TWITTER}, {"link": LINKEDIN, "type": "linkedIn"}]
    assert found["social"] == expected and prospect["social"] == expected


def listed(*emails: dict[str, Any]) -> dict[str, Any]:
    prospects = [{"id": f"p{n}", "name": f"Person {n}", "emails": [e]} for n, e in enumerate(emails)]
    return {"success": True, "list": {"name": "Checked", "contacts": len(emails)}, "prospects": prospects}


async def test_a_listed_emails_checks_are_read_as_numbers_or_text_and_a_false_one_stays_false(
    connect: Connect, quick_jobs: Sandbox
):
    # hull-snovio reads isVerified as 0/1; the document gives true/false, or null for a check never made.
    checked = {"email": "a@acme.com", "isVerified": 1, "isValidFormat": "true", "isDisposable": 0, "isWebmail": False}
    unchecked = {"email": "b@acme.com", "isVerified": None, "isValidFormat": None, "domainType": "company_domain"}
    body = listed({**checked, "isGibberish": "false", "jobStatus": "any"}, {**unchecked, "jobStatus": "any"})
    quick_jobs.config.add_fault("POST /snov/v1/prospect-list", Fault("body", status=200, body=body, count=1))
    async with connect() as client:
        page = ok(await client.call_tool("snov_list_prospects_in_list", {"list_id": 7}))

    a, b = rows(page)
    assert (a["verified"], a["valid_format"], a["disposable"], a["webmail"], a["gibberish"]) == (
        True,
        True,
        False,
        False,
        False,
    )
    assert (b["verified"], b["valid_format"], b["disposable"], b["domain_type"]) == (None, None, None, "company_domain")
    assert page["same"] == {"job_status": "any"}  # said once, the only value every row holds


async def test_activity_rows_say_their_campaign_once_unless_the_rows_name_different_ones(
    connect: Connect, quick_jobs: Sandbox
):
    row = {"prospectId": "p1", "prospectName": "Eve", "id": "r1", "hash": "h1", "source": "copy"}
    one = [{**row, "campaign": "Spring", "campaignId": 5}, {**row, "id": "r2", "campaign": "Spring", "campaignId": 5}]
    two = [{**row, "campaign": "Spring", "campaignId": 5}, {**row, "id": "r2", "campaign": "Autumn", "campaignId": 6}]
    replies = "GET /snov/v1/get-emails-replies"
    quick_jobs.config.add_fault(replies, Fault("body", status=200, body=one, count=1))
    quick_jobs.config.add_fault(replies, Fault("body", status=200, body=two, count=1))
    async with connect() as client:
        shared = ok(await client.call_tool("snov_list_campaign_replies", {"campaign_id": 5}))
        mixed = ok(await client.call_tool("snov_list_campaign_replies", {"campaign_id": 5}))

    assert (shared["campaign_id"], shared["campaign"]) == (5, "Spring")
    assert [(r["id"], r["hash"], r["source"], r["campaign"]) for r in rows(shared)] == [
        ("r1", "h1", "copy", None),
        ("r2", "h1", "copy", None),
    ]
    assert "campaign" not in mixed
    assert [(r["campaign"], r["campaign_id"]) for r in rows(mixed)] == [("Spring", None), ("Autumn", 6)]


async def test_deleted_prospect_lists_are_kept_and_marked_whatever_the_flag_looks_like(
    connect: Connect, quick_jobs: Sandbox
):
    date = {"date": "2020-02-17 14:05:44.000000", "timezone_type": 3, "timezone": "UTC"}
    body = [
        {"id": 1, "name": "Gone", "contacts": 3, "isDeleted": "1", "deletionDate": date},
        {"id": 2, "name": "Live", "contacts": 5, "isDeleted": 0},
        {"id": 3, "name": "Unsaid", "contacts": 1},
    ]
    quick_jobs.config.add_fault("GET /snov/v1/get-user-lists", Fault("body", status=200, body=body))
    async with connect() as client:
        lists = ok(await client.call_tool("snov_list_prospect_lists", {}))["items"]

    assert [(x["id"], x.get("deleted")) for x in lists] == [(2, False), (3, None), (1, True)]
    assert lists[-1]["deleted_at"] == "2020-02-17 14:05:44"

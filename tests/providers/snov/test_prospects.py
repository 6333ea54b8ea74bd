"""Snov.io prospect and prospect-list tools through an MCP client against the sandbox."""

from __future__ import annotations

import pytest
from mcp import Client

from outbound_sandbox.app import Sandbox
from tests.providers.snov.outreach_helpers import failed, fields, ok
from tests.tables import rows

pytestmark = pytest.mark.anyio

PEOPLE = 1250344  # "People List": 5 prospects, among them Gavin Vanrooyen
OUTREACH = 8512947  # "Acme outreach": 130 prospects
GAVIN = "xusD3-T_K5IktGoaa8Jc8A=="
ADD = "/snov/v1/add-prospect-to-list"


async def test_prospect_lists_mark_deleted_lists_and_list_them_last(mcp: Client):
    # Changed on purpose (issue 29): deleted lists were left out; Snov.io documents them, so they are kept, marked.
    items = ok(await mcp.call_tool("snov_list_prospect_lists", {}))["items"]
    lists = {x["id"]: x for x in items}

    assert set(lists) == {1250344, 8512947, 7654321, 2600001, 1505383}
    assert [x["id"] for x in items if x.get("deleted")] == [1505383] and items[-1]["id"] == 1505383
    assert lists[OUTREACH] == {
        "id": OUTREACH,
        "name": "Acme outreach",
        "contacts": 130,
        "created": "2025-05-19 17:34:39",
        "deleted": False,
    }


async def test_custom_fields_are_listed_by_label(mcp: Client):
    items = ok(await mcp.call_tool("snov_list_custom_fields", {}))["items"]

    assert [f["label"] for f in items] == ["company", "Project name", "SEO", "specialization"]
    assert items[0] == {"label": "company", "type": "string", "required": False, "key": "customFields['company']"}


async def test_a_new_list_is_created_and_listed(mcp: Client, sandbox: Sandbox):
    created = ok(await mcp.call_tool("snov_create_prospect_list", {"name": "Webinar leads"}))

    assert created == {"id": 9000001, "name": "Webinar leads", "contacts": 0}
    lists = ok(await mcp.call_tool("snov_list_prospect_lists", {}))["items"]
    assert {"id": 9000001, "name": "Webinar leads", "contacts": 0} in [
        {k: x[k] for k in ("id", "name", "contacts")} for x in lists
    ]


async def test_a_prospect_added_with_custom_fields_and_social_links_is_seen_in_the_list(mcp: Client, sandbox: Sandbox):
    list_id = ok(await mcp.call_tool("snov_create_prospect_list", {"name": "Fresh"}))["id"]
    args = {
        "list_id": list_id,
        "email": "nora.quinn@example.org",
        "first_name": "Nora",
        "last_name": "Quinn",
        "position": "CTO",
        "company_name": "Example",
        "phones": ["+1 555 0100", "+1 555 0101"],
        "custom_fields": {"Project name": "Apollo", "company": "Example Inc"},
        "social_links": {"linkedIn": "https://www.linkedin.com/in/nora-quinn"},
    }

    added = ok(await mcp.call_tool("snov_add_prospect_to_list", args))
    assert added["added"] is True and added["updated"] is False and added["list_id"] == list_id

    (entry,) = sandbox.env.handled("POST", ADD)
    sent = fields(entry)
    assert sent["customFields[Project name]"] == ["Apollo"] and sent["customFields[company]"] == ["Example Inc"]
    assert sent["socialLinks[linkedIn]"] == ["https://www.linkedin.com/in/nora-quinn"]
    assert sent["phones[]"] == ["+1 555 0100", "+1 555 0101"]
    assert "updateContact" not in sent

    listed = ok(await mcp.call_tool("snov_list_prospects_in_list", {"list_id": list_id}))
    assert listed["list_name"] == "Fresh" and listed["contacts"] == 1
    # Changed on purpose (issue 13, then 32): the best email and its status in their own columns.
    # Changed on purpose (issue 29): the email's checks as the document shows them (unset until verified).
    email = {
        "email": "nora.quinn@example.org",
        "probability": 99,
        "status": None,
        "verified": None,
        "other_emails": None,
        **dict.fromkeys(("valid_format", "disposable", "webmail", "gibberish"), None),
        "domain_type": "linkedin_email",
        "job_status": "any",
    }
    assert rows(listed) == [{"id": added["id"], "name": "Nora Quinn", **email}]

    prospect = ok(await mcp.call_tool("snov_get_prospect", {"prospect_id": added["id"]}))
    assert prospect["custom_fields"] == {"Project name": "Apollo", "company": "Example Inc"}
    # Changed on purpose (issue 29): social links as profiles give them, [{link, type}], a link without a type kept.
    assert prospect["social"] == [{"link": "https://www.linkedin.com/in/nora-quinn", "type": "linkedIn"}]
    assert prospect["jobs"] == ["CTO at Example"]
    assert prospect["lists"] == [{"id": list_id, "name": "Fresh"}]


async def test_adding_an_existing_email_updates_it_only_when_asked(mcp: Client, sandbox: Sandbox):
    base = {"list_id": 7654321, "email": "gavin.vanrooyen@octagon.com", "position": "Chief Brand Officer"}

    kept = ok(await mcp.call_tool("snov_add_prospect_to_list", base))
    assert kept["id"] == GAVIN and kept["added"] is True and kept["updated"] is False
    assert sandbox.snov.crm.prospects[GAVIN].position == "Senior Brand Director"

    updated = ok(await mcp.call_tool("snov_add_prospect_to_list", {**base, "update_contact": True}))
    assert updated["updated"] is True
    assert fields(sandbox.env.handled("POST", ADD)[-1])["updateContact"] == ["1"]
    assert sandbox.snov.crm.prospects[GAVIN].position == "Chief Brand Officer"


async def test_an_unknown_custom_field_is_refused_before_the_prospect_is_written(mcp: Client, sandbox: Sandbox):
    args = {"list_id": PEOPLE, "email": "x@example.org", "custom_fields": {"Budget": "10k"}}

    text = failed(await mcp.call_tool("snov_add_prospect_to_list", args))

    assert "Budget" in text and "Project name" in text
    assert sandbox.env.handled("POST", ADD) == []


async def test_prospects_in_a_list_are_read_by_pages_of_100_and_resume_by_cursor(mcp: Client, sandbox: Sandbox):
    first = ok(await mcp.call_tool("snov_list_prospects_in_list", {"list_id": OUTREACH, "limit": 120}))
    assert len(rows(first)) == 120 and first["next_cursor"] and first["contacts"] == 130
    pages = [fields(e) for e in sandbox.env.handled("POST", "/snov/v1/prospect-list")]
    assert [(p["page"], p["perPage"]) for p in pages] == [(["1"], ["100"]), (["2"], ["100"])]

    rest = ok(
        await mcp.call_tool(
            "snov_list_prospects_in_list", {"list_id": OUTREACH, "limit": 120, "cursor": first["next_cursor"]}
        )
    )
    assert len(rows(rest)) == 10 and "next_cursor" not in rest
    ids = [p["id"] for p in rows(first) + rows(rest)]
    assert len(set(ids)) == 130 == len(ids)


async def test_a_prospect_by_id_shows_jobs_lists_and_campaigns_compactly(mcp: Client):
    prospect = ok(await mcp.call_tool("snov_get_prospect", {"prospect_id": GAVIN}))

    assert prospect["name"] == "Gavin Vanrooyen"
    assert prospect["jobs"] == ["Senior Brand Director at Octagon"]
    assert {"id": PEOPLE, "name": "People List"} in prospect["lists"]
    assert prospect["updated"] == "2019-09-11 12:37:58"


async def test_a_recipient_found_by_email_shows_campaign_counts(mcp: Client, sandbox: Sandbox):
    email = next(e for e, s in sandbox.snov.crm.campaigns[179025].recipients.items() if s == "Active")

    (prospect,) = ok(await mcp.call_tool("snov_find_prospects_by_email", {"email": email}))["items"]

    (campaign,) = [c for c in prospect["campaigns"] if c["id"] == 179025]
    assert campaign["status"] == "Active" and campaign["sent"] >= 1


async def test_an_unknown_prospect_id_is_an_error_and_an_unknown_email_an_empty_answer_that_says_so(mcp: Client):
    assert "not found" in failed(await mcp.call_tool("snov_get_prospect", {"prospect_id": "nope"})).lower()
    found = ok(await mcp.call_tool("snov_find_prospects_by_email", {"email": "no@one.example"}))
    assert not found.get("items") and "no@one.example" in found["hint"]


async def test_do_not_email_writes_to_the_given_list_and_reports_duplicates(mcp: Client, sandbox: Sandbox):
    # Changed on purpose (issue 13): list_id is required, as in the document; no "first list" guess.
    args = {"items": ["Competitor.com", "new.person@example.org", "rival.io"], "list_id": 42001}

    result = ok(await mcp.call_tool("snov_add_to_do_not_email_list", args))

    assert result == {
        "list_id": 42001,
        "added": ["new.person@example.org", "rival.io"],
        "already_listed": ["competitor.com"],
    }
    (entry,) = sandbox.env.handled("POST", "/snov/v1/do-not-email-list")
    assert fields(entry) == {"items[]": ["competitor.com", "new.person@example.org", "rival.io"], "listId": ["42001"]}
    assert "rival.io" in sandbox.snov.crm.blacklists[42001].items
    assert sandbox.env.handled("GET", "/snov/v2/blacklists") == []


async def test_do_not_email_into_a_named_list_and_unknown_list_is_an_error(mcp: Client, sandbox: Sandbox):
    ok(await mcp.call_tool("snov_add_to_do_not_email_list", {"items": ["a@b.com"], "list_id": 42002}))
    assert "a@b.com" in sandbox.snov.crm.blacklists[42002].items
    assert sandbox.env.handled("GET", "/snov/v2/blacklists") == []

    assert "not found" in failed(
        await mcp.call_tool("snov_add_to_do_not_email_list", {"items": ["a@b.com"], "list_id": 1})
    )


async def test_do_not_email_refuses_items_that_are_neither_email_nor_domain(mcp: Client, sandbox: Sandbox):
    failed(await mcp.call_tool("snov_add_to_do_not_email_list", {"items": ["not a domain"], "list_id": 42001}))
    assert sandbox.env.handled("POST", "/snov/v1/do-not-email-list") == []

"""PersistIQ lead tools through an in-memory MCP client on the sandbox."""

from __future__ import annotations

import pytest
from mcp import Client

from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault
from tests.providers.persistiq.helpers import (
    LEADS,
    at_least_leads,
    body,
    new_leads,
    ok,
    query,
    text_of,
)
from tests.tables import rows

pytestmark = pytest.mark.anyio


async def test_250_leads_paged_by_120_resume_by_cursor_without_loss_or_repeat(mcp: Client, sandbox: Sandbox):
    sandbox.config.time_scale = 60
    everything = [lead["id"] for lead in await at_least_leads(mcp, 250)]
    sandbox.env.requests.clear()

    first = ok(await mcp.call_tool("persistiq_list_leads", {"limit": 120}))
    assert len(rows(first)) == 120
    assert "cursor=next_cursor" in first["hint"]
    seen = [lead["id"] for lead in rows(first)]
    cursor = first["next_cursor"]
    calls = 1
    while cursor:
        page = ok(await mcp.call_tool("persistiq_list_leads", {"limit": 120, "cursor": cursor}))
        seen += [lead["id"] for lead in rows(page)]
        cursor = page.get("next_cursor")
        calls += 1
    assert seen == everything
    assert len(set(seen)) == len(seen)
    assert calls == -(-len(everything) // 120)


async def test_a_limit_past_one_page_follows_next_page_and_reads_no_page_it_does_not_need(
    mcp: Client, sandbox: Sandbox
):
    await at_least_leads(mcp, 250)
    sandbox.env.requests.clear()
    got = ok(await mcp.call_tool("persistiq_list_leads", {"limit": 150}))
    assert len(rows(got)) == 150
    assert len(sandbox.env.handled("GET", LEADS)) == 2  # pages of 100: the third is not read


async def test_the_status_filter_goes_with_every_page_and_only_matching_leads_come_back(mcp: Client, sandbox: Sandbox):
    sandbox.config.time_scale = 60
    created = ok(await mcp.call_tool("persistiq_create_leads", {"leads": new_leads(110, "status")}))["created"]
    wanted = ok(await mcp.call_tool("persistiq_get_lead", {"lead_id": created[0]["id"]}))["status"]
    sandbox.env.requests.clear()
    got = rows(ok(await mcp.call_tool("persistiq_list_leads", {"status": wanted, "limit": 1000})))
    assert len(got) >= 110 and all(lead["status"] == wanted for lead in got)
    assert {c["id"] for c in created} <= {lead["id"] for lead in got}
    pages = sandbox.env.handled("GET", LEADS)
    assert len(pages) >= 2 and all(query(p).get("status") == [wanted] for p in pages)


async def test_updated_after_needs_an_offset_and_is_sent_as_iso_8601(mcp: Client, sandbox: Sandbox):
    naive = await mcp.call_tool("persistiq_list_leads", {"updated_after": "2020-01-01T00:00:00"})
    assert naive.is_error
    assert sandbox.env.handled("GET", LEADS) == []
    ok(await mcp.call_tool("persistiq_list_leads", {"updated_after": "2020-01-01T00:00:00+02:00", "limit": 5}))
    assert query(sandbox.env.handled("GET", LEADS)[0])["updated_after"] == ["2020-01-01T00:00:00+02:00"]


async def test_a_cursor_is_refused_with_other_filters(mcp: Client):
    first = ok(await mcp.call_tool("persistiq_list_leads", {"limit": 5}))
    other = await mcp.call_tool(
        "persistiq_list_leads", {"limit": 5, "status": "replied", "cursor": first["next_cursor"]}
    )
    assert other.is_error and "cursor" in text_of(other)


async def test_a_lead_comes_back_compact_with_only_the_fields_that_have_values(mcp: Client):
    some = rows(ok(await mcp.call_tool("persistiq_list_leads", {"limit": 20})))
    lead = ok(await mcp.call_tool("persistiq_get_lead", {"lead_id": some[0]["id"]}))
    assert lead["id"] == some[0]["id"] and lead["data"]["email"]
    result = await mcp.call_tool("persistiq_get_lead", {"lead_id": some[0]["id"]})
    assert "null" not in text_of(result)
    assert all(value not in (None, "") for value in lead["data"].values())


async def test_a_lead_that_does_not_exist_is_a_clear_tool_error(mcp: Client):
    result = await mcp.call_tool("persistiq_get_lead", {"lead_id": "l_doesnotexist"})
    assert result.is_error
    text = text_of(result)
    assert "404" in text and "l_doesnotexist" in text and "persistiq_list_leads" in text


async def test_a_malformed_lead_id_is_refused_before_any_request(mcp: Client, sandbox: Sandbox):
    result = await mcp.call_tool("persistiq_get_lead", {"lead_id": "../users"})
    assert result.is_error
    assert sandbox.env.handled("GET", "/persistiq/") == []


async def test_23_leads_go_in_3_requests_and_an_invalid_email_is_reported_against_its_lead(
    mcp: Client, sandbox: Sandbox
):
    leads = new_leads(23)
    leads[14]["email"] = "not-an-email"
    got = ok(await mcp.call_tool("persistiq_create_leads", {"leads": leads}))
    posts = sandbox.env.handled("POST", LEADS)
    assert [len(body(p)["leads"]) for p in posts] == [10, 10, 3]
    assert all(body(p)["dup"] == "skip" for p in posts)
    assert len(got["created"]) == 22
    assert {c["email"] for c in got["created"]} == {lead["email"] for lead in leads} - {"not-an-email"}
    assert all(c["id"].startswith("l_") for c in got["created"])
    [failure] = got["failed"]
    assert failure["leads"] == ["not-an-email"]
    assert "mail" in failure["error"].lower()


async def test_dup_skip_leaves_an_existing_lead_alone_and_dup_update_changes_it(mcp: Client):
    existing = rows(ok(await mcp.call_tool("persistiq_list_leads", {"limit": 1})))[0]
    email = existing["email"]

    skipped = ok(await mcp.call_tool("persistiq_create_leads", {"leads": [{"email": email, "title": "Skipped"}]}))
    assert "created" not in skipped and skipped["skipped"] == [email]
    after_skip = ok(await mcp.call_tool("persistiq_get_lead", {"lead_id": existing["id"]}))
    assert after_skip["data"].get("title") != "Skipped"

    updated = ok(
        await mcp.call_tool(
            "persistiq_create_leads", {"leads": [{"email": email, "title": "Updated"}], "dup": "update"}
        )
    )
    assert updated.get("skipped") is None
    assert "created" not in updated and [ref["id"] for ref in updated["updated"]] == [existing["id"]]
    after_update = ok(await mcp.call_tool("persistiq_get_lead", {"lead_id": existing["id"]}))
    assert after_update["data"]["title"] == "Updated"


async def test_a_failed_batch_in_the_middle_does_not_hide_the_batches_that_succeeded(mcp: Client, sandbox: Sandbox):
    sandbox.config.add_fault("POST /persistiq/v1/leads", Fault("status", status=500, count=1, skip=1))
    leads = new_leads(25, "mid")
    got = ok(await mcp.call_tool("persistiq_create_leads", {"leads": leads}))
    assert {c["email"] for c in got["created"]} == {lead["email"] for lead in leads[:10] + leads[20:]}
    [failure] = got["failed"]
    assert failure["leads"] == [lead["email"] for lead in leads[10:20]]
    assert "500" in failure["error"] and failure["maybe_applied"] is True
    assert len(sandbox.env.requests) == 3  # the 500 write was not sent again


async def test_create_leads_sends_the_creator_and_extra_fields(mcp: Client, sandbox: Sandbox):
    user = ok(await mcp.call_tool("persistiq_list_users", {}))["items"][0]
    lead = {"email": "extra@example.org", "fields": [{"name": "snippet2", "value": "Met at the fair"}]}
    got = ok(await mcp.call_tool("persistiq_create_leads", {"leads": [lead], "creator_id": user["id"]}))
    sent = body(sandbox.env.handled("POST", LEADS)[0])
    assert sent["creator_id"] == user["id"] and sent["leads"] == [
        {"email": "extra@example.org", "snippet2": "Met at the fair"}
    ]
    created = ok(await mcp.call_tool("persistiq_get_lead", {"lead_id": got["created"][0]["id"]}))
    assert created["data"]["snippet2"] == "<untrusted-content>Met at the fair</untrusted-content>"


async def test_update_sends_only_what_was_set_and_clears_fields_explicitly(mcp: Client, sandbox: Sandbox):
    lead = {"email": "upd@example.org", "first_name": "Ada", "company_name": "Analytical", "title": "Engineer"}
    [ref] = ok(await mcp.call_tool("persistiq_create_leads", {"leads": [lead]}))["created"]
    sandbox.env.requests.clear()
    got = ok(
        await mcp.call_tool(
            "persistiq_update_lead", {"lead_id": ref["id"], "data": {"title": "CTO"}, "clear": ["company_name"]}
        )
    )
    [put] = sandbox.env.handled("PUT", LEADS)
    assert body(put) == {"data": {"title": "CTO", "company_name": ""}}  # the document clears with ""
    assert got["data"] == {"email": "upd@example.org", "first_name": "Ada", "title": "CTO"}
    # The update answer carries `bounced` (as the doc's example does); a plain read does not.
    read = ok(await mcp.call_tool("persistiq_get_lead", {"lead_id": ref["id"]}))
    assert {k: v for k, v in got.items() if k != "bounced"} == {k: v for k, v in read.items() if k != "bounced"}


async def test_update_changes_the_status_by_name(mcp: Client, sandbox: Sandbox):
    lead = rows(ok(await mcp.call_tool("persistiq_list_leads", {"limit": 1})))[0]
    status = ok(await mcp.call_tool("persistiq_list_lead_statuses", {}))["items"][-1]["name"]
    got = ok(await mcp.call_tool("persistiq_update_lead", {"lead_id": lead["id"], "status": status}))
    assert got["status"] == status
    assert body(sandbox.env.handled("PUT", LEADS)[0]) == {"status": status}


async def test_update_refuses_nothing_to_change_or_a_field_both_set_and_cleared_without_a_request(
    mcp: Client, sandbox: Sandbox
):
    lead_id = rows(ok(await mcp.call_tool("persistiq_list_leads", {"limit": 1})))[0]["id"]
    nothing = await mcp.call_tool("persistiq_update_lead", {"lead_id": lead_id})
    both = await mcp.call_tool(
        "persistiq_update_lead", {"lead_id": lead_id, "data": {"title": "x"}, "clear": ["title"]}
    )
    assert nothing.is_error and "nothing to change" in text_of(nothing)
    assert both.is_error and "title" in text_of(both)
    assert sandbox.env.handled("PUT", LEADS) == []


async def test_updating_a_lead_that_does_not_exist_is_a_clear_tool_error(mcp: Client):
    result = await mcp.call_tool("persistiq_update_lead", {"lead_id": "l_missing0", "data": {"title": "x"}})
    assert result.is_error and "l_missing0" in text_of(result) and "404" in text_of(result)

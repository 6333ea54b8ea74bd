"""Lead tools against the sandbox: overview, owned and assigned lists, paging, details, writes."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from mcp import Client

from outbound_sandbox.app import Sandbox
from tests.providers.epixel.helpers import NEW_LEAD, calls, ok, refused, stored_lead
from tests.strict_helpers import declared_tools
from tests.tables import rows

pytestmark = pytest.mark.anyio


async def test_the_overview_counts_the_users_leads_by_status_and_asks_for_the_given_period(
    mcp: Client, sandbox: Sandbox
):
    got = await ok(mcp, "epixel_get_leads_overview", {"period": "month"})
    owned = sandbox.epixel.store.owned()
    assert got["total_leads"] == len(owned) == 64
    assert got["assigned_leads"] == 8
    assert sum(got["lead_status"].values()) == 64
    assert got["lead_status"]["closed"] == sum(1 for lead in owned if lead.status == "closed")
    assert got["appointment_count"] == sum(got["appointment_status"].values())
    assert calls(sandbox, "GET", "leads/overview/")[0].query == "appointment=month"


@pytest.mark.current_profile  # limit/offset paging is not in the document
async def test_listing_more_leads_than_one_page_reads_every_page_then_resumes_by_cursor_without_loss_or_repeat(
    mcp: Client, sandbox: Sandbox
):
    for n in range(40):  # 104 owned leads: more than the API's largest page of 100
        await ok(mcp, "epixel_create_lead", {**NEW_LEAD, "email": f"bulk{n}@example.com"})
    first = await ok(mcp, "epixel_list_leads", {"limit": 101})
    assert len(rows(first)) == 101
    assert first["next_cursor"] and "cursor=next_cursor" in first["hint"]
    rest = await ok(mcp, "epixel_list_leads", {"limit": 50, "cursor": first["next_cursor"]})
    assert len(rows(rest)) == 3 and "next_cursor" not in rest
    slugs = [lead["slug"] for lead in rows(first) + rows(rest)]
    assert len(set(slugs)) == 104
    assert set(slugs) == {lead.slug for lead in sandbox.epixel.store.owned()}
    offsets = [parse_qs(r.query)["offset"][0] for r in calls(sandbox, "GET", "leads/list/")]
    assert offsets == ["0", "100", "100"]


async def test_assigned_leads_come_with_list_type_assigned_and_the_status_filter_narrows_them(
    mcp: Client, sandbox: Sandbox
):
    assigned = await ok(mcp, "epixel_list_leads", {"list_type": "assigned"})
    assert {lead["slug"] for lead in rows(assigned)} == {f"binuser{n}" for n in range(1, 9)}
    assert {lead["owner"] for lead in rows(assigned)} == {"binuser"}
    owned = await ok(mcp, "epixel_list_leads", {"status": "customer", "limit": 100})
    expected = {lead.slug for lead in sandbox.epixel.store.owned() if lead.status == "customer"}
    assert {lead["slug"] for lead in rows(owned)} == expected and expected
    queries = [r.query for r in calls(sandbox, "GET", "leads/list/")]
    assert "list_type=assigned" in queries[0] and "list_type" not in queries[1] and "status=customer" in queries[1]


async def test_a_cursor_is_refused_with_other_filters_than_it_was_made_for(mcp: Client, sandbox: Sandbox):
    first = await ok(mcp, "epixel_list_leads", {"limit": 2, "status": "contact"})
    text = await refused(mcp, "epixel_list_leads", {"limit": 2, "status": "closed", "cursor": first["next_cursor"]})
    assert "cursor" in text and "same filters" in text


async def test_a_lead_comes_with_its_appointments_and_notes_the_notes_fenced_as_untrusted_text(
    mcp: Client, sandbox: Sandbox
):
    got = await ok(mcp, "epixel_get_lead", {"slug": "lead1"})
    assert got["slug"] == "lead1" and got["assignee"] == "alice"
    store = sandbox.epixel.store
    assert {a["id"] for a in got["appointments"]} == {
        a.id for a in store.appointments.values() if a.lead.slug == "lead1"
    }
    assert {n["id"] for n in got["notes"]} == {n.id for n in store.notes.values() if n.lead.slug == "lead1"}
    note = got["notes"][0]["note"]
    assert note.startswith("<untrusted-content>") and note.endswith("</untrusted-content>")
    assert calls(sandbox, "GET", "leads/view/lead/")[0].query == "slug=lead1"


async def test_a_new_lead_is_sent_as_form_fields_and_comes_back_with_its_slug(mcp: Client, sandbox: Sandbox):
    got = await ok(mcp, "epixel_create_lead", {**NEW_LEAD, "status": "potential", "assignee": "alice"})
    assert got["slug"] and got["status"] == "potential" and got["assignee"] == "alice"
    body = calls(sandbox, "POST", "leads/create/lead/")[0].body.decode()
    assert parse_qs(body) == {
        "first_name": ["Jane"],
        "last_name": ["Doe"],
        "email": ["jane.doe@example.com"],
        "phone": ["5551234567"],
        "status": ["potential"],
        "assignee": ["alice"],
    }
    assert (await ok(mcp, "epixel_get_lead", {"slug": got["slug"]}))["email"] == NEW_LEAD["email"]


async def test_updating_only_the_status_fills_the_fields_the_api_requires_from_the_lead_itself(
    mcp: Client, sandbox: Sandbox
):
    before = stored_lead(sandbox, "lead7")
    name, email, phone, location = before.first_name, before.email, before.phone, before.location
    new_status = "closed" if before.status != "closed" else "customer"
    got = await ok(mcp, "epixel_update_lead", {"slug": "lead7", "status": new_status})
    assert got["status"] == new_status
    sent = parse_qs(calls(sandbox, "POST", "leads/update/lead/")[0].body.decode())
    assert sent["slug"] == ["lead7"] and sent["first_name"] == [name] and sent["phone"] == [phone]
    after = stored_lead(sandbox, "lead7")
    assert (after.status, after.email, after.location) == (new_status, email, location)


async def test_updating_all_required_fields_needs_no_read_first(mcp: Client, sandbox: Sandbox):
    await ok(mcp, "epixel_update_lead", {"slug": "lead8", **NEW_LEAD, "location": "Oslo"})
    assert calls(sandbox, "GET", "leads/view/lead/") == []
    assert stored_lead(sandbox, "lead8").location == "Oslo"


async def test_deleting_a_lead_removes_it_from_every_list_and_a_second_delete_says_it_is_gone(
    mcp: Client, sandbox: Sandbox
):
    got = await ok(mcp, "epixel_delete_lead", {"slug": "lead2"})
    assert got["deleted"] == "lead2" and got["message"]
    listed = await ok(mcp, "epixel_list_leads", {"limit": 100})
    assert "lead2" not in {lead["slug"] for lead in rows(listed)}
    text = await refused(mcp, "epixel_delete_lead", {"slug": "lead2"})
    assert "Epixel has no lead lead2" in text and "Nothing was deleted" in text


async def test_the_three_deletes_are_annotated_destructive_and_say_so_and_nothing_else_is(mcp: Client):
    tools = {t.name: t for t in (await mcp.list_tools()).tools if t.name.startswith("epixel_")}
    assert set(tools) == declared_tools("epixel")
    deletes = {"epixel_delete_lead", "epixel_delete_appointment", "epixel_delete_lead_note"}
    for name, tool in tools.items():
        assert tool.annotations is not None and tool.description is not None, name
        assert tool.annotations.destructive_hint is (name in deletes), name
        assert ("DESTRUCTIVE" in tool.description) is (name in deletes), name
        assert tool.annotations.read_only_hint is (name.startswith(("epixel_list", "epixel_get"))), name
    for name in ("epixel_update_lead", "epixel_update_appointment"):
        annotations = tools[name].annotations
        assert annotations is not None and annotations.idempotent_hint is True

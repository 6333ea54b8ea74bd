"""The Epixel tools on a server that does only what the vendor's document says (the sandbox's documented profile):
create lead at the documented ``v1/`` path, times without a zone, list endpoints that ignore every parameter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest
from mcp import Client

from mcp_server.server import create_server
from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault
from tests.providers.epixel.helpers import NEW_LEAD, PREFIX, calls, issued_token, ok, refused
from tests.providers.typed import SettingsFor
from tests.tables import rows

pytestmark = pytest.mark.anyio


@pytest.fixture
def documented(sandbox: Sandbox) -> Sandbox:
    sandbox.config.profile = "documented"
    return sandbox


async def test_a_lead_is_created_where_only_the_documented_v1_path_exists_and_later_creates_go_straight_there(
    mcp: Client, documented: Sandbox
):
    first = await ok(mcp, "epixel_create_lead", NEW_LEAD)
    second = await ok(mcp, "epixel_create_lead", {**NEW_LEAD, "email": "second@example.com"})
    assert {first["slug"], second["slug"]} <= set(documented.epixel.store.leads)
    posted = [r.path.removeprefix(PREFIX) for r in calls(documented, "POST") if "create/lead" in r.path]
    assert posted == ["leads/create/lead/", "v1/leads/create/lead/", "v1/leads/create/lead/"]


async def test_when_neither_create_lead_path_exists_the_error_names_both_and_what_to_check(
    mcp: Client, sandbox: Sandbox
):
    sandbox.config.add_fault("POST /epixel/api/v1/*create/lead/", Fault("status", status=404))
    before = len(sandbox.epixel.store.leads)
    text = await refused(mcp, "epixel_create_lead", NEW_LEAD)
    assert "leads/create/lead/" in text and "v1/leads/create/lead/" in text
    assert "If other Epixel tools work" in text and "EPIXEL_BASE_URL" in text
    assert len([r for r in calls(sandbox, "POST") if "create/lead" in r.path]) == 2
    assert len(sandbox.epixel.store.leads) == before


async def test_an_appointment_is_sent_at_the_wall_clock_time_the_user_gave_not_converted_to_utc(
    mcp: Client, documented: Sandbox
):
    args = {"slug": "lead3", "appointment_date": "2031-05-01T15:00:00+05:30", "appointment_to": "2031-05-01T16:00"}
    got = await ok(mcp, "epixel_create_appointment", args)
    sent = parse_qs(calls(documented, "POST", "leads/create/appointment/")[0].body.decode())
    assert sent["appointment_date"] == ["2031-05-01 15:00"] and sent["appointment_to"] == ["2031-05-01 16:00"]
    assert (got["start"], got["end"]) == ("2031-05-01 15:00", "2031-05-01 16:00")


async def test_a_zoneless_start_an_hour_behind_utc_now_is_left_for_the_server_to_judge(
    mcp: Client, documented: Sandbox
):
    # On this UTC-05:00 server it is 4 h ahead; the tool cannot know the zone, so it must not refuse it.
    start = (datetime.now(UTC) - timedelta(hours=1)).replace(second=0, microsecond=0, tzinfo=None)
    wall = start.strftime("%Y-%m-%dT%H:%M")
    args = {"slug": "lead3", "appointment_date": wall, "appointment_to": wall}
    got = await ok(mcp, "epixel_create_appointment", args)
    assert got["start"] == start.strftime("%Y-%m-%d %H:%M")


async def test_lead_filters_hold_on_a_server_that_ignores_them(mcp: Client, documented: Sandbox):
    store = documented.epixel.store
    customers = await ok(mcp, "epixel_list_leads", {"status": "customer", "limit": 200})
    assert {x["slug"] for x in rows(customers)} == {x.slug for x in store.owned() if x.status == "customer"}
    assigned = await ok(mcp, "epixel_list_leads", {"list_type": "assigned", "limit": 200})
    assert {x["slug"] for x in rows(assigned)} == {x.slug for x in store.assigned()}
    owned = await ok(mcp, "epixel_list_leads", {"limit": 200})
    assert {x["slug"] for x in rows(owned)} == {x.slug for x in store.owned()}
    assert "filtered" in customers["hint"] and "status" in customers["hint"]


async def test_lead_pages_resume_by_cursor_without_loss_or_repeat_where_limit_and_offset_are_ignored(
    mcp: Client, documented: Sandbox
):
    first = await ok(mcp, "epixel_list_leads", {"limit": 30})
    second = await ok(mcp, "epixel_list_leads", {"limit": 30, "cursor": first["next_cursor"]})
    rest = await ok(mcp, "epixel_list_leads", {"limit": 30, "cursor": second["next_cursor"]})
    slugs = [x["slug"] for page in (first, second, rest) for x in rows(page)]
    assert len(slugs) == len(set(slugs)) == 64 and "next_cursor" not in rest
    assert set(slugs) == {x.slug for x in documented.epixel.store.owned()}


async def test_appointment_filters_and_paging_hold_on_a_server_that_ignores_them(mcp: Client, documented: Sandbox):
    mine = documented.epixel.store.user_appointments()
    confirmed = await ok(mcp, "epixel_list_appointments", {"status": "confirmed", "limit": 100})
    assert [a["id"] for a in confirmed["items"]] == [a.id for a in mine if a.status == "confirmed"]
    first = await ok(mcp, "epixel_list_appointments", {"slug": "lead1", "limit": 1})
    rest = await ok(mcp, "epixel_list_appointments", {"slug": "lead1", "limit": 10, "cursor": first["next_cursor"]})
    ids = [a["id"] for a in first["items"] + rest["items"]]
    assert ids == [a.id for a in mine if a.lead.slug == "lead1"] and len(ids) > 1


async def test_the_upcoming_period_drops_appointments_long_past_where_the_server_ignores_it(
    mcp: Client, documented: Sandbox
):
    got = await ok(mcp, "epixel_list_appointments", {"period": "upcoming", "limit": 100})
    starts = [datetime.strptime(a["start"], "%Y-%m-%d %H:%M") for a in got["items"]]
    assert starts and min(starts) > datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=12)
    assert len(starts) < len(documented.epixel.store.user_appointments())


async def test_with_a_fixed_token_a_list_type_the_server_ignored_is_flagged_as_unchecked(
    settings_for: SettingsFor, documented: Sandbox
):
    token = issued_token(documented)
    settings = settings_for(epixel_access_token=token, epixel_username=None, epixel_password=None)
    async with Client(create_server(settings)) as client:
        owned = await ok(client, "epixel_list_leads", {"limit": 200})
        assigned = await ok(client, "epixel_list_leads", {"list_type": "assigned", "limit": 200})
    assert "seems to ignore list_type" in owned["hint"] and "several owners" in owned["hint"]
    assert "several assignees" in assigned["hint"]
    assert all(lead.get("assignee") for lead in rows(assigned))  # the unassigned ones are ruled out


async def test_where_offset_is_ignored_the_listing_stops_at_the_first_repeat_and_says_so(mcp: Client, sandbox: Sandbox):
    leads = [{"slug": f"lead{n}", "first_name": "A", "status": "prospect"} for n in (1, 2)]
    page = {"count": 9, "next": "http://elsewhere/?limit=5&offset=2", "previous": None, "results": leads}
    answer = {"status_code": 200, "errors": {}, "data": page}
    sandbox.config.add_fault("GET /epixel/api/v1/leads/list/", Fault("body", status=200, body=answer))
    got = await ok(mcp, "epixel_list_leads", {"limit": 5})
    assert [lead["slug"] for lead in rows(got)] == ["lead1", "lead2"]
    assert "ignores offset" in got["hint"] and "next_cursor" not in got
    assert len(calls(sandbox, "GET", "leads/list/")) == 2

"""PersistIQ filter values a model may get wrong: an unknown status is refused naming the real ones, a
campaign name that matches nothing says so with the closest names, and a part of a name can be searched."""

from __future__ import annotations

import pytest
from mcp import Client

from outbound_sandbox.app import Sandbox
from tests.providers.persistiq.helpers import LEADS, ok, query, text_of
from tests.tables import rows

pytestmark = pytest.mark.anyio


async def test_an_unknown_lead_status_is_refused_listing_the_valid_ones_and_no_leads_are_read(
    mcp: Client, sandbox: Sandbox
):
    result = await mcp.call_tool("persistiq_list_leads", {"status": "opted out"})
    assert result.is_error
    assert "'opted out' is not a lead status. Did you mean optedout?" in text_of(result)
    assert "Valid: active, replied, bounced, optedout" in text_of(result)
    assert sandbox.env.handled("GET", "/persistiq/v1/leads") == []


async def test_a_status_in_another_case_is_sent_as_persistiq_spells_it(mcp: Client, sandbox: Sandbox):
    got = ok(await mcp.call_tool("persistiq_list_leads", {"status": "Engaged", "limit": 5}))
    assert rows(got) and {lead["status"] for lead in rows(got)} == {"engaged"}
    [listed] = sandbox.env.handled("GET", LEADS)
    assert query(listed)["status"] == ["engaged"]


async def test_an_exact_name_that_matches_no_campaign_says_so_and_names_the_closest(mcp: Client):
    got = ok(await mcp.call_tool("persistiq_list_campaigns", {"name": "Q3"}))
    assert not got.get("items")
    assert "No campaigns matched name=Q3" in got["hint"]
    assert "Closest campaign names: Q4 SaaS founders" in got["hint"]


async def test_name_contains_finds_campaigns_by_a_part_of_their_name_in_any_case(mcp: Client):
    got = ok(await mcp.call_tool("persistiq_list_campaigns", {"name_contains": "healthcare"}))
    assert [c["name"] for c in got["items"]] == ["Healthcare CTOs"]


async def test_a_name_contains_cursor_is_not_taken_for_another_part(mcp: Client):
    first = ok(await mcp.call_tool("persistiq_list_campaigns", {"name_contains": "s", "limit": 1}))
    other = await mcp.call_tool("persistiq_list_campaigns", {"name_contains": "q", "cursor": first["next_cursor"]})
    assert other.is_error and "cursor" in text_of(other)


async def test_an_empty_list_of_leads_says_what_was_searched_and_that_nothing_matched(mcp: Client):
    got = ok(await mcp.call_tool("persistiq_list_leads", {"updated_after": "2099-01-01T00:00:00+00:00"}))
    assert not got.get("rows")
    assert "No leads matched updated_after=2099-01-01T00:00:00+00:00" in got["hint"]


async def test_an_update_to_an_unknown_status_is_refused_listing_the_valid_ones_and_nothing_is_written(
    mcp: Client, sandbox: Sandbox
):
    lead = rows(ok(await mcp.call_tool("persistiq_list_leads", {"limit": 1})))[0]["id"]
    result = await mcp.call_tool("persistiq_update_lead", {"lead_id": lead, "status": "opted out"})
    assert result.is_error and "Did you mean optedout?" in text_of(result)
    assert sandbox.env.handled("PUT", LEADS) == []

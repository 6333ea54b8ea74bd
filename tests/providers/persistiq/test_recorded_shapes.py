"""The PersistIQ tools against what real servers were recorded answering (the sandbox's recorded profile): an
existing lead listed like a created one under dup=skip, next_page on the vendor's own origin, a paged users list,
and the lead and campaign fields connectors sync. Sources: docs/upstream-assumptions.md."""

from __future__ import annotations

import pytest
from mcp import Client

from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault
from tests.providers.persistiq.helpers import LEADS, new_leads, ok
from tests.providers.typed import text_of
from tests.tables import rows

pytestmark = pytest.mark.anyio


@pytest.fixture
def recorded(sandbox: Sandbox):
    sandbox.config.profile = "recorded"
    return sandbox


async def test_dup_update_really_updates_an_existing_lead_that_dup_skip_listed_like_a_created_one(
    mcp: Client, recorded: Sandbox
):
    existing = rows(ok(await mcp.call_tool("persistiq_list_leads", {"limit": 1})))[0]
    leads = [{"email": existing["email"], "title": "Updated"}, *new_leads(1, "fresh")]
    got = ok(await mcp.call_tool("persistiq_create_leads", {"leads": leads, "dup": "update"}))

    assert [ref["id"] for ref in got["updated"]] == [existing["id"]]
    assert [ref["email"] for ref in got["created"]] == ["fresh0@example.org"]
    read = ok(await mcp.call_tool("persistiq_get_lead", {"lead_id": existing["id"]}))
    assert read["data"]["title"] == "Updated"


async def test_a_next_page_on_the_vendors_own_origin_is_followed_on_the_configured_base_only(
    mcp: Client, recorded: Sandbox
):
    listed = rows(ok(await mcp.call_tool("persistiq_list_leads", {"limit": 150})))

    assert len(listed) == 150 and len({lead["id"] for lead in listed}) == 150
    pages = recorded.env.handled("GET", LEADS)
    assert len(pages) == 2 and "page=2" in pages[1].query


async def test_the_users_list_follows_has_more_to_the_next_page(mcp: Client, recorded: Sandbox):
    extra = {"id": "u_extra", "name": "Page One", "email": "one@example.org", "activated": True}
    first = {
        "status": "success",
        "errors": [],
        "users": [extra],
        "has_more": True,
        "next_page": "https://api.persistiq.com/v1/users?page=1",
    }
    recorded.config.add_fault("GET /persistiq/v1/users", Fault("body", status=200, body=first, count=1))
    users = ok(await mcp.call_tool("persistiq_list_users", {}))["items"]

    assert users[0]["id"] == "u_extra" and len(users) == 1 + len(recorded.persistiq.world.users)


async def test_the_lead_and_campaign_fields_connectors_sync_are_kept(mcp: Client, recorded: Sandbox):
    contacted = next(lead for lead in recorded.persistiq.world.leads.values() if lead.status != "active")
    lead = ok(await mcp.call_tool("persistiq_get_lead", {"lead_id": contacted.id}))
    campaigns = ok(await mcp.call_tool("persistiq_list_campaigns", {}))

    assert lead["owner_id"] == contacted.creator_id and lead["creator_id"] == contacted.creator_id
    assert lead["sent_count"] == 1 and "replied_count" in lead and lead["last_sent_at"]
    assert all("total_prospects" in campaign for campaign in campaigns["items"])


async def test_a_campaigns_lead_count_inside_its_stats_is_answered_as_its_total_prospects(
    mcp: Client, recorded: Sandbox
):
    # Airbyte's connector recorded a real campaign with "stats": {..., "total_prospects": 1}
    # (source-persistiq/integration_tests/expected_campaigns_stream.txt).
    campaigns = ok(await mcp.call_tool("persistiq_list_campaigns", {}))["items"]
    members = {c.id: len(c.members) for c in recorded.persistiq.world.campaigns.values()}

    assert {c["id"]: c["total_prospects"] for c in campaigns} == members
    assert all("total_prospects" not in (c.get("stats") or {}) for c in campaigns)


async def test_an_error_listed_under_error_is_reported_in_persistiqs_own_words(mcp: Client, recorded: Sandbox):
    # The Singer tap (NickLeoMartin/tap-persistiq, client.py) reads a refusal's "error" as a list of
    # {reason, message}; the document's example gives one object. The recorded profile serves the list.
    result = await mcp.call_tool("persistiq_get_lead", {"lead_id": "l_nobody"})

    assert result.is_error
    assert "Lead l_nobody not found" in text_of(result) and "no error message" not in text_of(result)

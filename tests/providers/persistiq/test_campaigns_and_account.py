"""PersistIQ campaign, event, account and do-not-contact tools, and rate limits, on the sandbox."""

from __future__ import annotations

import re
import time

import pytest
from mcp import Client

from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault
from tests.providers.persistiq.helpers import (
    CAMPAIGNS,
    DNC,
    EVENTS,
    LEADS,
    body,
    every,
    ok,
    query,
    text_of,
)
from tests.strict_helpers import declared_tools
from tests.tables import rows

pytestmark = pytest.mark.anyio


async def fresh_lead_ids(mcp: Client, count: int) -> list[str]:
    leads = [{"email": f"camp{i}@example.net"} for i in range(count)]
    created = ok(await mcp.call_tool("persistiq_create_leads", {"leads": leads}))["created"]
    assert len(created) == count
    return [ref["id"] for ref in created]


async def test_the_annotations_follow_the_catalogue(mcp: Client):
    tools = {
        tool.name: tool.annotations for tool in (await mcp.list_tools()).tools if tool.name.startswith("persistiq_")
    }
    assert set(tools) == declared_tools("persistiq")
    writes = {"persistiq_create_leads", "persistiq_add_leads_to_campaign", "persistiq_create_dnc_domain"}
    for name, hints in tools.items():
        assert hints is not None, name
        assert hints.read_only_hint is name.startswith(("persistiq_list_", "persistiq_get_")), name
        assert hints.destructive_hint is (name == "persistiq_remove_lead_from_campaign"), name
        assert hints.idempotent_hint is (name not in writes), name


async def test_users_come_with_ids_and_default_mailboxes(mcp: Client):
    users = ok(await mcp.call_tool("persistiq_list_users", {}))["items"]
    assert users and all(user["id"].startswith("u_") and user["email"] for user in users)
    assert any(user.get("default_mailbox_id", "").startswith("mbox_") for user in users)


async def test_lead_statuses_and_fields_are_listed(mcp: Client):
    statuses = ok(await mcp.call_tool("persistiq_list_lead_statuses", {}))["items"]
    fields = ok(await mcp.call_tool("persistiq_list_lead_fields", {}))["items"]
    assert statuses and all(s["id"] and s["name"] for s in statuses)
    assert "email" in {f["name"] for f in fields}


async def test_campaigns_come_with_creator_and_stats_and_filters_pass_through(mcp: Client, sandbox: Sandbox):
    campaigns = await every(mcp, "persistiq_list_campaigns")
    assert campaigns and all(c["id"].startswith("c_") for c in campaigns)
    assert all("prospects_contacted" in c["stats"] for c in campaigns)
    named = campaigns[0]
    sandbox.env.requests.clear()
    got = ok(await mcp.call_tool("persistiq_list_campaigns", {"name": named["name"]}))["items"]
    assert named["id"] in {c["id"] for c in got} and all(c["name"] == named["name"] for c in got)
    assert all(query(r)["name"] == [named["name"]] for r in sandbox.env.handled("GET", CAMPAIGNS))


async def test_150_lead_ids_go_to_a_campaign_in_2_requests_and_again_are_skipped(mcp: Client, sandbox: Sandbox):
    sandbox.config.time_scale = 60
    campaign = ok(await mcp.call_tool("persistiq_list_campaigns", {"limit": 1}))["items"][0]["id"]
    lead_ids = await fresh_lead_ids(mcp, 150)
    sandbox.env.requests.clear()
    got = ok(await mcp.call_tool("persistiq_add_leads_to_campaign", {"campaign_id": campaign, "lead_ids": lead_ids}))
    posts = sandbox.env.handled("POST", f"{CAMPAIGNS}/{campaign}/leads")
    assert [len(body(p)["leads"]) for p in posts] == [100, 50]
    assert sorted(got["added"]) == sorted(lead_ids) and "failed" not in got

    again = ok(
        await mcp.call_tool("persistiq_add_leads_to_campaign", {"campaign_id": campaign, "lead_ids": lead_ids[:3]})
    )
    assert "added" not in again and sorted(again["skipped"]) == sorted(lead_ids[:3])
    in_campaign = await every(mcp, "persistiq_list_campaigns", {"lead_id": lead_ids[0]})
    assert campaign in {c["id"] for c in in_campaign}


async def test_a_lead_that_does_not_exist_is_reported_by_id_while_the_others_are_added(mcp: Client, sandbox: Sandbox):
    campaign = ok(await mcp.call_tool("persistiq_list_campaigns", {"limit": 1}))["items"][0]["id"]
    [real] = await fresh_lead_ids(mcp, 1)
    got = ok(
        await mcp.call_tool(
            "persistiq_add_leads_to_campaign", {"campaign_id": campaign, "lead_ids": [real, "l_nobody1"]}
        )
    )
    assert got["added"] == [real]
    [failure] = got["failed"]
    assert failure["leads"] == ["l_nobody1"] and failure["error"].startswith("PersistIQ:")


async def test_a_refused_key_in_one_batch_stops_the_rest_and_names_every_lead_not_sent(mcp: Client, sandbox: Sandbox):
    campaign = ok(await mcp.call_tool("persistiq_list_campaigns", {"limit": 1}))["items"][0]["id"]
    lead_ids = await fresh_lead_ids(mcp, 150)
    sandbox.config.add_fault(f"POST {CAMPAIGNS}/*/leads", Fault("status", status=401, count=1))
    got = ok(await mcp.call_tool("persistiq_add_leads_to_campaign", {"campaign_id": campaign, "lead_ids": lead_ids}))
    assert "added" not in got
    first, rest = got["failed"]
    assert first["leads"] == lead_ids[:100] and "401" in first["error"]
    assert rest["leads"] == lead_ids[100:] and rest["not_sent"] is True


async def test_removing_a_lead_from_a_campaign_takes_it_out_and_the_description_warns_it_is_final(mcp: Client):
    tools = {tool.name: tool for tool in (await mcp.list_tools()).tools}
    description = tools["persistiq_remove_lead_from_campaign"].description
    assert description is not None and "cannot undo" in description
    campaign = ok(await mcp.call_tool("persistiq_list_campaigns", {"limit": 1}))["items"][0]["id"]
    [lead_id] = await fresh_lead_ids(mcp, 1)
    ok(await mcp.call_tool("persistiq_add_leads_to_campaign", {"campaign_id": campaign, "lead_ids": [lead_id]}))
    got = ok(await mcp.call_tool("persistiq_remove_lead_from_campaign", {"campaign_id": campaign, "lead_id": lead_id}))
    assert got == {"campaign_id": campaign, "lead_id": lead_id, "removed": True}
    assert campaign not in {c["id"] for c in await every(mcp, "persistiq_list_campaigns", {"lead_id": lead_id})}
    again = await mcp.call_tool("persistiq_remove_lead_from_campaign", {"campaign_id": campaign, "lead_id": lead_id})
    # Checked before asking: the lead is no longer in the campaign, so nothing is asked and nothing is sent.
    assert again.is_error and "is not in campaign" in text_of(again) and "persistiq_list_campaigns" in text_of(again)


async def test_events_filter_by_group_on_every_page_and_resume_by_cursor(mcp: Client, sandbox: Sandbox):
    everything = await every(mcp, "persistiq_list_events", {"group": "lead_detail"})
    assert everything and all(e["id"].startswith("evt_") and e["kind"] for e in everything)
    sandbox.env.requests.clear()
    first = ok(await mcp.call_tool("persistiq_list_events", {"group": "lead_detail", "limit": 3}))
    rest = ok(
        await mcp.call_tool(
            "persistiq_list_events", {"group": "lead_detail", "limit": 1000, "cursor": first["next_cursor"]}
        )
    )
    # ``rest`` stops at its limit or its size budget: the two calls read a prefix of ``everything``.
    both = [e["id"] for e in first["items"] + rest["items"]]
    assert len(both) > 3 and both == [e["id"] for e in everything][: len(both)]
    assert all(query(r)["group"] == ["lead_detail"] for r in sandbox.env.handled("GET", EVENTS))


async def test_events_of_one_lead_and_a_time_window(mcp: Client, sandbox: Sandbox):
    event = next(e for e in await every(mcp, "persistiq_list_events") if e.get("lead"))
    lead_id = event["lead"]["id"]
    got = ok(await mcp.call_tool("persistiq_list_events", {"lead": lead_id}))["items"]
    assert got and all(e["lead"]["id"] == lead_id for e in got)
    window = {"start_at": "2020-01-01T00:00:00Z", "end_at": "2030-01-01T00:00:00+00:00"}
    ok(await mcp.call_tool("persistiq_list_events", window))
    sent = query(sandbox.env.handled("GET", EVENTS)[-1])
    assert sent["start_at"] == ["2020-01-01T00:00:00+00:00"] and sent["end_at"] == ["2030-01-01T00:00:00+00:00"]
    backwards = await mcp.call_tool(
        "persistiq_list_events", {"start_at": window["end_at"], "end_at": window["start_at"]}
    )
    assert backwards.is_error and "start_at" in text_of(backwards)


async def test_a_dnc_domain_is_created_then_listed(mcp: Client, sandbox: Sandbox):
    created = ok(await mcp.call_tool("persistiq_create_dnc_domain", {"name": "Blocked-Example.com"}))
    assert created["id"] and created["name"] == "blocked-example.com"
    assert created in await every(mcp, "persistiq_list_dnc_domains")
    bad = await mcp.call_tool("persistiq_create_dnc_domain", {"name": "someone@example.com"})
    assert bad.is_error
    assert len(sandbox.env.handled("POST", DNC)) == 1


async def test_a_domain_already_on_the_dnc_list_is_answered_as_already_listed_not_as_an_error(mcp: Client):
    listed = (await every(mcp, "persistiq_list_dnc_domains"))[0]
    again = ok(await mcp.call_tool("persistiq_create_dnc_domain", {"name": listed["name"].upper()}))
    assert again["already_listed"] is True and again["id"] == listed["id"]
    assert "nothing was changed" in again["hint"]


async def test_a_429_is_waited_out_and_the_call_still_answers_in_full(mcp: Client, sandbox: Sandbox):
    sandbox.config.time_scale = 60  # the sandbox's one-minute window lasts one second
    sandbox.config.add_fault(f"GET {LEADS}", Fault("rate_limit", count=1))
    started = time.monotonic()
    got = ok(await mcp.call_tool("persistiq_list_leads", {"limit": 150}))
    assert len(rows(got)) == 150
    assert [r.fault for r in sandbox.env.requests] == ["rate_limit", None, None]
    assert time.monotonic() - started < 10


async def test_a_rate_limit_that_outlasts_the_call_is_a_tool_error_saying_when_to_retry(mcp: Client, sandbox: Sandbox):
    sandbox.config.add_fault(f"GET {LEADS}", Fault("rate_limit"))  # every time; the window lasts a minute
    started = time.monotonic()
    result = await mcp.call_tool("persistiq_list_leads", {})
    assert result.is_error
    assert re.search(r"429.*Retry in \d+ s", text_of(result))
    assert len(sandbox.env.requests) == 1 and time.monotonic() - started < 5

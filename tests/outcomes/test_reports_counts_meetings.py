"""outreach_campaign_report, outreach_lead_counts and outreach_log_meeting through an MCP client, on both profiles."""

from __future__ import annotations

from collections import Counter

import pytest

from outbound_sandbox.app import Sandbox
from tests.outcomes.helpers import failed, ok, rows_of
from tests.providers.typed import Connect, text_of

pytestmark = pytest.mark.anyio


async def test_lead_counts_match_the_leads_without_a_lead_in_the_answer(
    connect: Connect, sandbox: Sandbox, profile: str
):
    truth = Counter(lead.status for lead in sandbox.persistiq.world.leads.values())
    async with connect() as client:
        result = await client.call_tool("outreach_lead_counts", {"statuses": ["bounced", "optedout", "nosuch"]})

    answer = ok(result)
    persistiq = answer["counts"]["persistiq status"]
    assert persistiq == {"bounced": truth["bounced"], "optedout": truth["optedout"], "nosuch": 0}
    assert answer["totals"]["persistiq"] == len(sandbox.persistiq.world.leads)
    assert "no lead has status nosuch" in answer["hint"] and "optedout" in answer["hint"]
    assert "@" not in text_of(result)  # no record (every lead has an email) reached the model


async def test_the_campaign_report_covers_paused_and_finished_campaigns_and_names_who_replied(
    connect: Connect, sandbox: Sandbox, profile: str
):
    async with connect() as client:
        answer = ok(await client.call_tool("outreach_campaign_report", {"vendors": ["snov"]}))

    lines = {line["name"]: line for line in rows_of(answer["campaigns"])}
    assert {"Acme engineering leaders", "Acme Q3 mass outreach", "Globex follow-up"} <= set(lines)
    assert lines["Acme Q3 mass outreach"]["status"] == "Paused" and lines["Acme Q3 mass outreach"]["sent"] == 10_250
    repliers = rows_of(lines["Acme engineering leaders"]["repliers"])
    assert len(repliers) == lines["Acme engineering leaders"]["replies"] == 9
    asks_out = [r for r in repliers if r.get("unsubscribe")]
    assert asks_out and all("remove me" in r["first_line"] for r in asks_out)
    assert all(r["first_line"].startswith("<untrusted-content>") for r in repliers)


async def test_a_report_for_a_campaign_name_nothing_contains_says_so_with_the_closest_names(
    connect: Connect, sandbox: Sandbox, profile: str
):
    async with connect() as client:
        answer = ok(await client.call_tool("outreach_campaign_report", {"campaign": "Acme engineering leader x"}))

    assert rows_of(answer["campaigns"]) == [] and '"Acme engineering leaders"' in answer["hint"]


async def test_a_meeting_with_a_new_email_creates_the_lead_then_a_repeat_finds_it(
    connect: Connect, sandbox: Sandbox, profile: str
):
    meeting = {
        "email": "rita.new@example.org",
        "starts": "2031-05-01T15:00",
        "ends": "2031-05-01T15:30",
        "note": "Demo agreed",
    }
    async with connect() as client:
        refused = failed(await client.call_tool("outreach_log_meeting", meeting))
        first = ok(
            await client.call_tool(
                "outreach_log_meeting", {**meeting, "first_name": "Rita", "last_name": "New", "phone": "+15550100200"}
            )
        )
        later = {**meeting, "starts": "2031-05-02T09:00", "ends": "2031-05-02T09:30", "note": "Follow-up"}
        second = ok(await client.call_tool("outreach_log_meeting", later))

    assert "first_name, last_name, phone" in refused and "Nothing was written" in refused
    assert first["lead_created"] is True and second["lead_created"] is False and first["slug"] == second["slug"]
    store = sandbox.epixel.store
    assert [a.lead.slug for a in store.appointments.values()].count(first["slug"]) == 2
    notes = [n for n in store.notes.values() if n.lead.slug == first["slug"]]
    assert sorted(n.note for n in notes) == ["Demo agreed", "Follow-up"]

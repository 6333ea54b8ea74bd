"""outreach_prospect_company through an MCP client, on both sandbox profiles."""

from __future__ import annotations

import pytest

from outbound_sandbox.app import Sandbox
from tests.confirm_helpers import Person
from tests.outcomes.helpers import failed, ok, paid_starts, people, persistiq_writes
from tests.providers.typed import Connect
from tests.sandbox_clock import SandboxClock

pytestmark = pytest.mark.anyio

RUN = {"campaign": "Logistics VPs", "domain": "acme.com", "positions": ["Engineering Manager"]}
"""acme.com has 5 Engineering Managers on one page; 4 of them have an email Snov.io knows valid."""


async def test_a_dry_run_on_a_domain_sends_no_write_and_spends_nothing(
    connect: Connect, sandbox: Sandbox, profile: str
):
    async with connect() as client:
        answer = ok(await client.call_tool("outreach_prospect_company", RUN))

    assert answer["status"] == "dry_run" and answer["credits_spent"] == 0
    assert answer["most_credits"] == 41  # 1 page of 20, and an email found and verified for each of 20
    assert answer["campaign"] == "Logistics VPs" and answer["campaign_id"].startswith("c_")
    assert persistiq_writes(sandbox) == [] and paid_starts(sandbox) == []
    assert sandbox.snov.spent == 0


async def test_a_run_adds_the_four_engineering_managers_with_emails_for_five_credits(
    connect: Connect, sandbox: Sandbox, profile: str
):
    async with connect() as client:
        answer = ok(await client.call_tool("outreach_prospect_company", {**RUN, "dry_run": False}))
        campaign = ok(await client.call_tool("persistiq_list_campaigns", {"name": "Logistics VPs"}))["items"][0]

    rows = people(answer)
    assert answer["status"] == "done" and answer["added"] == 4 and answer["skipped"] == 1
    assert rows["Marcus Webb"]["outcome"] == "added" and rows["Marcus Webb"]["lead_id"].startswith("l_")
    assert [r["reason"] for r in rows.values() if r["outcome"] == "skip"] == ["no email found"]
    assert answer["credits_spent"] == sandbox.snov.spent == 5  # 1 page, 4 emails found; verified ones are free
    members = sandbox.persistiq.world.campaigns[campaign["id"]].members
    assert {r["lead_id"] for r in rows.values() if r["outcome"] == "added"} <= set(members)


async def test_a_declined_run_sends_nothing_and_spends_nothing(connect: Connect, sandbox: Sandbox, profile: str):
    person = Person("decline")
    async with connect(elicitation_callback=person) as client:
        text = failed(
            await client.call_tool("outreach_prospect_company", {**RUN, "campaign": "logistics", "dry_run": False})
        )

    assert "declined" in text and "no credits were spent" in text.lower()
    assert len(person.asked) == 1 and "up to 41 credits" in person.asked[0]
    assert 'into the PersistIQ campaign "Logistics VPs"' in person.asked[0]
    assert persistiq_writes(sandbox) == [] and paid_starts(sandbox) == [] and sandbox.snov.spent == 0


async def test_a_run_cut_by_the_wait_limit_resumes_with_its_handle_without_paying_or_writing_twice(
    connect: Connect, sandbox: Sandbox, profile: str, sandbox_clock: SandboxClock
):
    # Snov.io's jobs take 30 vendor seconds and vendor time stands still during a call, so every call that
    # meets a running job is cut by the wait limit; the test lets the jobs finish between calls.
    sandbox.config.job_delay = 30.0
    answers: list[dict[str, object]] = []
    async with connect(poll_wait=0.1) as client:
        answer = ok(await client.call_tool("outreach_prospect_company", {**RUN, "dry_run": False}))
        answers.append(answer)
        while answer["status"] == "partial" and len(answers) < 60:
            sandbox_clock.advance(30.0)
            answer = ok(
                await client.call_tool(
                    "outreach_prospect_company", {**RUN, "dry_run": False, "handle": answer["handle"]}
                )
            )
            answers.append(answer)

    assert answers[0]["status"] == "partial" and answers[0]["handle"]
    assert answer["status"] == "done" and answer["added"] == 4
    assert answer["credits_spent"] == sandbox.snov.spent == 5
    assert len(paid_starts(sandbox, "/snov/v2/domain-search/prospects/start")) == 1
    assert len(paid_starts(sandbox, "/snov/v2/domain-search/prospects/search-emails/start")) == 5
    assert persistiq_writes(sandbox).count("POST /persistiq/v1/leads") == 1
    assert len([w for w in persistiq_writes(sandbox) if w.endswith("/leads") and "campaigns" in w]) == 1


async def test_a_person_already_a_lead_is_skipped_before_their_email_is_paid_for(
    connect: Connect, sandbox: Sandbox, profile: str
):
    async with connect() as client:
        seeded = {"email": "marcus.webb@acme.com", "first_name": "Marcus", "last_name": "Webb"}
        lead = ok(await client.call_tool("persistiq_create_leads", {"leads": [seeded]}))["created"][0]["id"]
        answer = ok(await client.call_tool("outreach_prospect_company", {**RUN, "dry_run": False}))

    marcus = people(answer)["Marcus Webb"]
    assert marcus["outcome"] == "skip" and marcus["reason"] == f"already a lead ({lead})" and marcus["email"] is None
    assert answer["added"] == 3 and answer["credits_spent"] == sandbox.snov.spent == 4
    assert len(paid_starts(sandbox, "/snov/v2/domain-search/prospects/search-emails/start")) == 4


async def test_a_do_not_contact_domain_is_neither_searched_nor_written(
    connect: Connect, sandbox: Sandbox, profile: str
):
    async with connect() as client:
        ok(await client.call_tool("persistiq_create_dnc_domain", {"name": "acme.com"}))
        before = persistiq_writes(sandbox)
        answer = ok(await client.call_tool("outreach_prospect_company", {**RUN, "dry_run": False}))

    assert answer["status"] == "done" and answer["added"] == 0 and answer["credits_spent"] == 0
    assert "do-not-contact" in answer["hint"]
    assert paid_starts(sandbox) == [] and persistiq_writes(sandbox) == before


async def test_a_campaign_named_by_no_campaign_is_refused_with_the_campaign_names_before_anything_is_sent(
    connect: Connect, sandbox: Sandbox, profile: str
):
    async with connect() as client:
        text = failed(await client.call_tool("outreach_prospect_company", {**RUN, "campaign": "Q3", "dry_run": False}))
        near = failed(await client.call_tool("outreach_prospect_company", {**RUN, "campaign": "Logistic VP"}))

    assert 'no PersistIQ campaign is named "Q3"' in text and '"Logistics VPs"' in text
    assert '"Logistics VPs"' in near.split("Closest")[1]
    assert paid_starts(sandbox) == [] and persistiq_writes(sandbox) == []


async def test_from_a_snov_list_invalid_emails_and_do_not_contact_domains_are_skipped_and_only_unknown_ones_paid(
    connect: Connect, sandbox: Sandbox, profile: str
):
    async with connect() as client:
        list_id = ok(await client.call_tool("snov_create_prospect_list", {"name": "Trade show"}))["id"]
        for email in ("jane.cooper@acme.com", "bounce.back@globex.com", "ceo@competitor.com", "new.person@globex.com"):
            ok(
                await client.call_tool(
                    "snov_add_prospect_to_list", {"list_id": list_id, "email": email, "full_name": email}
                )
            )
        run = {"campaign": "Logistics VPs", "snov_list_id": list_id}
        dry = ok(await client.call_tool("outreach_prospect_company", run))
        assert persistiq_writes(sandbox) == [] and sandbox.snov.spent == 0
        answer = ok(await client.call_tool("outreach_prospect_company", {**run, "dry_run": False}))

    assert people(dry)["ceo@competitor.com"]["reason"] == "do-not-contact domain"
    assert dry["most_credits"] == 2  # the two emails the list does not give as valid (smtpStatus 3 reads valid)
    rows = people(answer)
    assert rows["ceo@competitor.com"]["outcome"] == "skip"
    assert (
        rows["bounce.back@globex.com"] | {"outcome": "skip", "reason": "invalid email"}
        == rows["bounce.back@globex.com"]
    )
    assert rows["Jane Cooper"]["outcome"] == rows["new.person@globex.com"]["outcome"] == "added"
    assert answer["credits_spent"] == sandbox.snov.spent == 2  # new.person and bounce.back verified; Jane known


async def test_a_dry_run_is_read_afresh_each_time_not_answered_from_the_last_one(
    connect: Connect, sandbox: Sandbox, profile: str
):
    async with connect() as client:
        first = ok(await client.call_tool("outreach_prospect_company", RUN))
        lead = {"email": "marcus.webb@acme.com", "first_name": "Marcus", "last_name": "Webb"}
        ok(await client.call_tool("persistiq_create_leads", {"leads": [lead]}))
        second = ok(await client.call_tool("outreach_prospect_company", RUN))

    assert "replay" not in second and first.get("skipped", 0) == 0
    assert people(second)["marcus.webb@acme.com"]["reason"].startswith("already a lead")

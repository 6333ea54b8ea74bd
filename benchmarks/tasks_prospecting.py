"""Prospecting tasks: a company's people, or a Snov.io list, into a PersistIQ campaign."""

from __future__ import annotations

from typing import Any

from benchmarks.task_kit import Recorder, Seeded, Task
from benchmarks.task_plans import every, records, until_done
from outbound_sandbox.app import Sandbox
from outbound_sandbox.persistiq.data import ANCHOR, Campaign, Lead

Q3 = "Q3 Engineering managers"
EMMA = "emma.taylor@acme.com"
"""An Engineering Manager at acme.com who is already a PersistIQ lead."""
NEW_AT_ACME = {"marcus.webb@acme.com", "liam.lee@acme.com", "harper.anderson@acme.com"}
LIST_EMAILS = ("jane.cooper@acme.com", "bounce.back@globex.com", "ceo@competitor.com", "new.person@globex.com")
LIST_GOOD = {"jane.cooper@acme.com", "new.person@globex.com"}


def _lead_ids(sandbox: Sandbox, emails: set[str]) -> set[str]:
    world = sandbox.persistiq.world
    return {world.by_email[e] for e in emails if e in world.by_email}


async def seed_q3(sandbox: Sandbox, _: Recorder) -> Seeded:
    world = sandbox.persistiq.world
    creator = world.users[0].id
    campaign = Campaign(world.ids.new("c_"), Q3, creator, {})
    world.campaigns[campaign.id] = campaign
    emma = Lead(
        world.ids.new("l_"), "active", {"email": EMMA, "first_name": "Emma", "last_name": "Taylor"}, creator, ANCHOR
    )
    world.add_lead(emma)
    return {"campaign_id": campaign.id, "emma": emma.id, "leads": len(world.leads)}


async def prospect_by_endpoints(call: Recorder, _: Seeded) -> Any:
    campaign = next(c for c in records(await call("persistiq_list_campaigns", {})) if "Q3" in (c.get("name") or ""))
    found = await call(
        "snov_list_domain_prospects", {"domain": "acme.com", "positions": ["Engineering Manager"], "limit": 20}
    )
    people: dict[str, dict[str, Any]] = {}
    for person in found["items"]:
        answer = await until_done(call, "snov_find_prospect_email", {"prospect": person["prospect_hash"]})
        for email in answer.get("emails") or []:
            people[email["email"]] = person
            break
    checked = await call("snov_verify_emails", {"emails": list(people)})
    valid = [r["email"] for r in checked["results"] if r["status"] == "valid"]
    leads = {str(r.get("email")).lower() for r in await every(call, "persistiq_list_leads", {"limit": 1000})}
    blocked = {d["name"] for d in await every(call, "persistiq_list_dnc_domains", {"limit": 1000})}
    new = [e for e in valid if e not in leads and e.rpartition("@")[2] not in blocked]
    rows = [{"email": e, "first_name": people[e]["first_name"], "last_name": people[e]["last_name"]} for e in new]
    created = await call("persistiq_create_leads", {"leads": rows})
    ids = [lead["id"] for lead in created["created"]]
    await call("persistiq_add_leads_to_campaign", {"campaign_id": campaign["id"], "lead_ids": ids})


async def prospect_by_outcome(call: Recorder, _: Seeded) -> Any:
    run = {"campaign": "Q3", "domain": "acme.com", "positions": ["Engineering Manager"]}
    await call("outreach_prospect_company", run)  # the dry run: who, and the most it can cost
    await until_done(call, "outreach_prospect_company", {**run, "dry_run": False})


def verify_q3(sandbox: Sandbox, seeded: Seeded, _: Any) -> bool:
    world = sandbox.persistiq.world
    members = set(world.campaigns[seeded["campaign_id"]].members)
    emmas = [lead for lead in world.leads.values() if lead.data.get("email") == EMMA]
    return members == _lead_ids(sandbox, NEW_AT_ACME) and len(emmas) == 1 and len(world.leads) == seeded["leads"] + 3


async def seed_list(sandbox: Sandbox, call: Recorder) -> Seeded:
    list_id = (await call("snov_create_prospect_list", {"name": "Trade show"}))["id"]
    for email in LIST_EMAILS:
        await call("snov_add_prospect_to_list", {"list_id": list_id, "email": email, "full_name": email})
    campaign = next(c for c in sandbox.persistiq.world.campaigns.values() if c.name == "Logistics VPs")
    return {"list_id": list_id, "campaign_id": campaign.id, "members": set(campaign.members)}


async def list_by_endpoints(call: Recorder, seeded: Seeded) -> Any:
    campaign = records(await call("persistiq_list_campaigns", {"name": "Logistics VPs"}))[0]
    listed = records(await call("snov_list_prospects_in_list", {"list_id": seeded["list_id"]}))
    emails = [p["email"] for p in listed if p.get("email")]  # a row's best email (snov ListPage)
    checked = await until_done(call, "snov_verify_emails", {"emails": emails, "queue_unverified": True})
    valid = [r["email"] for r in checked["results"] if r["status"] == "valid"]
    leads = {str(r.get("email")).lower() for r in await every(call, "persistiq_list_leads", {"limit": 1000})}
    blocked = {d["name"] for d in await every(call, "persistiq_list_dnc_domains", {"limit": 1000})}
    new = [e for e in valid if e not in leads and e.rpartition("@")[2] not in blocked]
    if not new:
        return
    created = await call("persistiq_create_leads", {"leads": [{"email": e} for e in new]})
    ids = [lead["id"] for lead in created["created"]]
    await call("persistiq_add_leads_to_campaign", {"campaign_id": campaign["id"], "lead_ids": ids})


async def list_by_outcome(call: Recorder, seeded: Seeded) -> Any:
    run = {"campaign": "Logistics VPs", "snov_list_id": seeded["list_id"]}
    await call("outreach_prospect_company", run)
    await until_done(call, "outreach_prospect_company", {**run, "dry_run": False})


def verify_list(sandbox: Sandbox, seeded: Seeded, _: Any) -> bool:
    members = set(sandbox.persistiq.world.campaigns[seeded["campaign_id"]].members)
    return members - seeded["members"] == _lead_ids(sandbox, LIST_GOOD) and not _lead_ids(
        sandbox, {"bounce.back@globex.com", "ceo@competitor.com"}
    )


TASKS = [
    Task(
        "prospect a company",
        "Find the engineering managers at acme.com, verify their emails, add the valid ones to our Q3 campaign",
        seed_q3,
        prospect_by_endpoints,
        prospect_by_outcome,
        verify_q3,
        in_issue=True,
    ),
    Task(
        "prospect a Snov.io list",
        "Add the people of our 'Trade show' Snov.io list with good emails to the Logistics VPs campaign",
        seed_list,
        list_by_endpoints,
        list_by_outcome,
        verify_list,
    ),
]

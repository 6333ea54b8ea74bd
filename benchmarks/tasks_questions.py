"""Question and CRM tasks: campaign replies, lead counts, meetings logged in Epixel."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from benchmarks.task_kit import Recorder, Seeded, Task
from benchmarks.task_plans import every, records
from outbound_sandbox.app import Sandbox

Replies = dict[str, set[str]]
"""Campaign name -> emails of those who replied."""


async def no_seed(sandbox: Sandbox, _: Recorder) -> Seeded:
    return {}


# Snov.io campaigns: opens, clicks, replies and who replied, per campaign


async def snov_replies_by_endpoints(call: Recorder, _: Seeded) -> Replies:
    found: Replies = {}
    for campaign in records(await call("snov_list_campaigns", {})):
        stats = (await call("snov_get_campaign_analytics", {"campaign_ids": [campaign["id"]]}))["stats"]
        found[campaign["name"]] = set()
        if stats.get("email_replies"):
            rows = await every(
                call, "snov_list_campaign_replies", {"campaign_id": campaign["id"], "include_bodies": True}
            )
            found[campaign["name"]] = {r["email"] for r in rows}
    return found


async def snov_replies_by_outcome(call: Recorder, _: Seeded) -> Replies:
    report = await call("outreach_campaign_report", {"vendors": ["snov"]})
    return {c["name"]: {r["email"] for r in records(c.get("repliers") or {})} for c in records(report["campaigns"])}


def verify_snov_replies(sandbox: Sandbox, _: Seeded, answer: Replies) -> bool:
    truth = {c.name: {r["prospectEmail"] for r in c.replies} for c in sandbox.snov.core.crm.campaigns.values()}
    return answer == truth


# PersistIQ: bounced and opted-out leads


async def bounced_by_endpoints(call: Recorder, _: Seeded) -> dict[str, int]:
    statuses = {s["name"] for s in records(await call("persistiq_list_lead_statuses", {}))}
    wanted = [s for s in statuses if s in ("bounced", "optedout")]
    return {s: len(await every(call, "persistiq_list_leads", {"status": s, "limit": 1000})) for s in wanted}


async def bounced_by_outcome(call: Recorder, _: Seeded) -> dict[str, int]:
    counts = (await call("outreach_lead_counts", {"providers": ["persistiq"]}))["counts"]["persistiq status"]
    return {s: counts.get(s, 0) for s in ("bounced", "optedout")}


def verify_bounced(sandbox: Sandbox, _: Seeded, answer: dict[str, int]) -> bool:
    truth = Counter(lead.status for lead in sandbox.persistiq.world.leads.values())
    return answer == {"bounced": truth["bounced"], "optedout": truth["optedout"]}


# PersistIQ: who replied in one campaign


async def repliers_by_endpoints(call: Recorder, _: Seeded) -> set[str]:
    campaign = records(await call("persistiq_list_campaigns", {"name": "Logistics VPs"}))[0]
    events = await every(
        call, "persistiq_list_events", {"campaign": campaign["id"], "group": "lead_detail", "limit": 1000}
    )
    return {e["lead"]["email"] for e in events if e["kind"] == "message_received"}


async def repliers_by_outcome(call: Recorder, _: Seeded) -> set[str]:
    report = await call("outreach_campaign_report", {"vendors": ["persistiq"], "campaign": "Logistics VPs"})
    return {r["email"] for c in records(report["campaigns"]) for r in records(c.get("repliers") or {})}


def verify_repliers(sandbox: Sandbox, _: Seeded, answer: set[str]) -> bool:
    world = sandbox.persistiq.world
    campaign = next(c for c in world.campaigns.values() if c.name == "Logistics VPs")
    truth = {
        world.leads[e.lead_id].data["email"]
        for e in world.events
        if e.kind == "message_received" and e.campaign_id == campaign.id and e.lead_id
    }
    return bool(truth) and answer == truth


# Epixel: leads per owner


async def owners_by_endpoints(call: Recorder, _: Seeded) -> dict[str, int]:
    owned = await every(call, "epixel_list_leads", {"limit": 1000})
    assigned = await every(call, "epixel_list_leads", {"list_type": "assigned", "limit": 1000})
    unique = {lead["slug"]: lead for lead in [*owned, *assigned]}
    return dict(Counter(str(lead.get("owner")).lower() for lead in unique.values()))


async def owners_by_outcome(call: Recorder, _: Seeded) -> dict[str, int]:
    return (await call("outreach_lead_counts", {"by": "owner"}))["counts"]["epixel owner"]


def verify_owners(sandbox: Sandbox, _: Seeded, answer: dict[str, int]) -> bool:
    store = sandbox.epixel.store
    visible = [lead for lead in store.leads.values() if store.visible(lead)]
    return answer == dict(Counter(lead.owner.lower() for lead in visible))


# Epixel: log a meeting (a new lead, then an existing one)

NEW = {"email": "rita.new@example.org", "first_name": "Rita", "last_name": "New", "phone": "+15550100200"}
STARTS, ENDS, NOTE = "2031-05-01T15:00", "2031-05-01T15:30", "Demo agreed; send pricing"


async def seed_existing(sandbox: Sandbox, _: Recorder) -> Seeded:
    store = sandbox.epixel.store
    lead = next(lead for lead in store.leads.values() if store.visible(lead) and lead.owner != lead.assignee)
    return {"email": lead.email, "slug": lead.slug}


async def meeting_by_endpoints(call: Recorder, seeded: Seeded) -> None:
    email = seeded.get("email", NEW["email"])
    slug = None
    for list_type in ("owned", "assigned"):
        leads = await every(call, "epixel_list_leads", {"list_type": list_type, "limit": 1000})
        slug = next((lead["slug"] for lead in leads if lead.get("email") == email), None)
        if slug:
            break
    if slug is None:
        slug = (await call("epixel_create_lead", NEW))["slug"]
    appointment = {"slug": slug, "appointment_date": STARTS, "appointment_to": ENDS}
    await call("epixel_create_appointment", appointment)
    await call("epixel_create_lead_note", {"slug": slug, "note": NOTE})


async def meeting_by_outcome(call: Recorder, seeded: Seeded) -> None:
    who = {"email": seeded["email"]} if seeded else NEW
    await call("outreach_log_meeting", {**who, "starts": STARTS, "ends": ENDS, "note": NOTE})


def verify_meeting(sandbox: Sandbox, seeded: Seeded, _: Any) -> bool:
    store = sandbox.epixel.store
    email = seeded.get("email", NEW["email"])
    leads = [lead for lead in store.leads.values() if lead.email == email and not lead.deleted]
    if len(leads) != 1 or (seeded and leads[0].slug != seeded["slug"]):
        return False
    start = datetime.fromisoformat(STARTS)
    booked = [a for a in store.appointments.values() if a.lead is leads[0] and a.start == start]
    notes = [n for n in store.notes.values() if n.lead is leads[0] and n.note == NOTE]
    return len(booked) == 1 and len(notes) == 1


TASKS = [
    Task(
        "Snov.io replies per campaign",
        "Which Snov.io campaigns got replies, from whom; opens/clicks/replies per campaign",
        no_seed,
        snov_replies_by_endpoints,
        snov_replies_by_outcome,
        verify_snov_replies,
        in_issue=True,
    ),
    Task(
        "bounced and opted out",
        "How many PersistIQ leads bounced or opted out",
        no_seed,
        bounced_by_endpoints,
        bounced_by_outcome,
        verify_bounced,
        in_issue=True,
    ),
    Task(
        "who replied in a PersistIQ campaign",
        "Who replied in the Logistics VPs campaign?",
        no_seed,
        repliers_by_endpoints,
        repliers_by_outcome,
        verify_repliers,
    ),
    Task(
        "Epixel leads per owner",
        "How many Epixel leads does each owner have?",
        no_seed,
        owners_by_endpoints,
        owners_by_outcome,
        verify_owners,
    ),
    Task(
        "meeting with a new contact",
        "Log a meeting with Rita New (rita.new@example.org, +15550100200) on 1 May 2031 15:00-15:30: demo agreed",
        no_seed,
        meeting_by_endpoints,
        meeting_by_outcome,
        verify_meeting,
    ),
    Task(
        "meeting with an existing lead",
        "Log a meeting with <an existing lead's email> on 1 May 2031 15:00-15:30: demo agreed",
        seed_existing,
        meeting_by_endpoints,
        meeting_by_outcome,
        verify_meeting,
    ),
]

"""PersistIQ simulator state: records, rendering in the doc's shapes, and the deterministic seed."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

# Seeded times count back from a fixed moment so that one seed always gives the same data.
ANCHOR = datetime(2026, 11, 1, 17, 0, tzinfo=UTC).timestamp()
DAY = 86400.0
PACIFIC = timezone(timedelta(hours=-7))  # the doc's examples are in -07:00

BUILTIN_FIELDS = (
    "company_name",
    "email",
    "first_name",
    "last_name",
    "address",
    "city",
    "state",
    "phone",
    "title",
    "industry",
    "snippet",
    "snippet2",
    "snippet3",
    "snippet4",
)
CUSTOM_FIELDS = ("linkedin_url", "website")
# Weighted: most leads are active.
LEAD_STATUS_WEIGHTS = {
    "active": 40,
    "replied": 12,
    "bounced": 6,
    "optedout": 5,
    "finished": 10,
    "engaged": 9,
    "working": 10,
    "unresponsive": 8,
}
EVENT_GROUPS: dict[str, tuple[str, ...]] = {
    "campaign": (
        "campaign_created",
        "campaign_updated",
        "campaign_paused",
        "campaign_unpaused",
        "campaign_step_created",
        "campaign_step_deleted",
        "campaign_deleted",
        "campaign_step_postion_updated",
    ),
    "settings": (
        "lead_status_object_created",
        "lead_status_object_updated",
        "lead_status_object_deleted",
        "trigger_action_created",
        "trigger_action_updated",
        "trigger_created",
        "trigger_updated",
        "trigger_deleted",
        "schedule_created",
        "schedule_updated",
        "schedule_deleted",
        "lead_status",
    ),
    "lead_detail": (
        "lead_created",
        "lead_updated",
        "lead_deleted",
        "lead_status_updated",
        "lead_owner_updated",
        "lead_linked",
        "lead_tagged",
        "lead_untagged",
        "lead_unlinked",
        "campaign_lead_created",
        "message_sent",
        "message_received",
        "message_bounced",
        "message_optout",
        "message_opened",
        "message_clicked",
    ),
}
GROUP_OF = {kind: group for group, kinds in EVENT_GROUPS.items() for kind in kinds}

# Spliced rows keep one assignment per constant and the lists short to read.
FIRST = [
    *["Ava", "Ben", "Chloe", "Dario", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Keiko", "Liam", "Maya"],
    *["Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Uma", "Victor", "Wen", "Yusuf", "Zoe"],
]
LAST = [
    *["Abbott", "Baker", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ivanova", "Jensen"],
    *["Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Patel", "Rossi", "Schmidt", "Tanaka", "Varga"],
]
COMPANIES = [
    *["Acme Analytics", "Brightline Labs", "Cobalt Freight", "Delta Dental Group", "Evergreen Foods"],
    *["Foxglove Media", "Granite Robotics", "Harbor Health", "Ion Solar", "Juniper Legal", "Kestrel Air"],
    *["Lumen Retail", "Mosaic Health", "Northwind Traders", "Orbit Logistics", "Pioneer Bank"],
]
INDUSTRIES = ["Software", "Logistics", "Healthcare", "Retail", "Finance", "Manufacturing", "Legal", "Media", None]
TITLES = ["CEO", "CTO", "VP Sales", "Head of Growth", "Marketing Manager", "Operations Lead", "Founder", None]
CITIES = [("Austin", "TX"), ("Denver", "CO"), ("Portland", "OR"), ("Boston", "MA"), ("Chicago", "IL"), (None, None)]
CAMPAIGN_NAMES = [
    *["Q4 SaaS founders", "Healthcare CTOs", "Re-engage 2025 trials", "Logistics VPs", "Agency partners"],
    *["Webinar follow-up", "Retail expansion", "Fintech outreach", "Legal ops pilot", "Solar installers"],
    *["Conference leads", "Schedule Meetings with CEOs (sample campaign)"],
]
DNC_NAMES = [
    *["competitor.com", "example.com", "test.com", "bigcorp.io", "donotmail.org", "partner-agency.com"],
    *["acme-rivals.net", "lawfirm.legal", "gov.example", "oldclient.co"],
]


@dataclass
class User:
    id: str
    name: str
    email: str
    activated: bool
    default_mailbox_id: str

    def render(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "activated": self.activated,
            "default_mailbox_id": self.default_mailbox_id,
            "salesforce_id": None,
        }

    def ref(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "email": self.email}


@dataclass
class Lead:
    id: str
    status: str
    data: dict[str, Any]
    creator_id: str
    updated_at: float
    bounced: bool = False
    optedout: bool = False

    def render(self) -> dict[str, Any]:
        data = {name: self.data.get(name) for name in BUILTIN_FIELDS}
        data.update({name: self.data[name] for name in CUSTOM_FIELDS if self.data.get(name) is not None})
        return {"id": self.id, "status": self.status, "data": data}

    def brief(self) -> dict[str, Any]:
        """As events mention a lead."""
        return {k: self.data.get(k) for k in ("email", "last_name", "first_name")} | {"id": self.id}


@dataclass
class CampaignLead:
    id: str
    campaign_id: str
    mailbox_id: str
    lead_id: str


@dataclass
class Campaign:
    id: str
    name: str
    creator_id: str
    stats: dict[str, int]
    members: dict[str, CampaignLead] = field(default_factory=dict[str, CampaignLead])


@dataclass
class Event:
    at: float
    kind: str
    body: dict[str, Any]
    user_id: str
    campaign_id: str | None
    lead_id: str | None


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, PACIFIC).isoformat(timespec="milliseconds")


class Ids:
    """Vendor-looking ids (``l_2lj1Dp``), unique per prefix, drawn from the seeded generator."""

    ALPHABET = string.ascii_letters + string.digits

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def new(self, prefix: str) -> str:
        while True:
            candidate = prefix + "".join(self.rng.choices(self.ALPHABET, k=6))
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate


@dataclass
class World:
    ids: Ids
    rng: random.Random
    users: list[User] = field(default_factory=list[User])
    statuses: dict[str, str] = field(default_factory=dict[str, str])
    """Status id -> name."""
    fields: list[dict[str, str]] = field(default_factory=list[dict[str, str]])
    leads: dict[str, Lead] = field(default_factory=dict[str, Lead])
    by_email: dict[str, str] = field(default_factory=dict[str, str])
    campaigns: dict[str, Campaign] = field(default_factory=dict[str, Campaign])
    lead_campaigns: dict[str, set[str]] = field(default_factory=dict[str, set[str]])
    events: list[Event] = field(default_factory=list[Event])
    dnc: dict[str, str] = field(default_factory=dict[str, str])
    """Domain name -> id, in creation order."""

    def user(self, user_id: str) -> User:
        return next((u for u in self.users if u.id == user_id), self.users[0])

    def add_lead(self, lead: Lead) -> None:
        self.leads[lead.id] = lead
        self.by_email[str(lead.data["email"]).lower()] = lead.id

    def join(self, campaign: Campaign, lead_id: str, mailbox_id: str) -> CampaignLead:
        member = CampaignLead(self.ids.new("cl_"), campaign.id, mailbox_id, lead_id)
        campaign.members[lead_id] = member
        self.lead_campaigns.setdefault(lead_id, set()).add(campaign.id)
        return member

    def leave(self, campaign: Campaign, lead_id: str) -> None:
        del campaign.members[lead_id]
        self.lead_campaigns.get(lead_id, set()).discard(campaign.id)

    def event(
        self,
        kind: str,
        at: float,
        user_id: str,
        campaign: Campaign | None = None,
        lead: Lead | None = None,
        params: dict[str, Any] | None = None,
        diff: dict[str, Any] | None = None,
    ) -> None:
        body = {
            "id": self.ids.new("evt_"),
            "kind": kind,
            "event_at": iso(at),
            "user_id": user_id,
            "user": self.user(user_id).ref(),
            "campaign": {"id": campaign.id, "name": campaign.name} if campaign else None,
            "lead": lead.brief() if lead else None,
            "params": params,
            "diff": diff,
        }
        self.events.append(Event(at, kind, body, user_id, campaign.id if campaign else None, lead.id if lead else None))


def seed(seed_value: int, lead_count: int = 260) -> World:
    rng = random.Random(seed_value)
    world = World(Ids(rng), rng)
    _users(world)
    world.statuses = {world.ids.new("lss_"): name for name in LEAD_STATUS_WEIGHTS}
    world.fields = [{"id": world.ids.new("lcf_"), "name": n, "label": n} for n in BUILTIN_FIELDS + CUSTOM_FIELDS]
    _leads(world, lead_count)
    _campaigns(world)
    _settings_events(world)
    for name in DNC_NAMES:
        world.dnc[name] = world.ids.new("dom_")
    world.events.sort(key=lambda e: e.at)
    return world


def _users(world: World) -> None:
    people = [("Tiana", "Eichmann"), ("Brendan", "Reichert"), ("Chester", "Lind"), ("Dana", "Okoro"), ("Eli", "Marsh")]
    for i, (first, last) in enumerate(people):
        world.users.append(
            User(
                id=world.ids.new("u_"),
                name=f"{first} {last}",
                email=f"{first.lower()}@sandbox-outbound.example",
                activated=i not in (2, 4),
                default_mailbox_id=world.ids.new("mbox_"),
            )
        )


def _leads(world: World, count: int) -> None:
    rng = world.rng
    names, weights = list(LEAD_STATUS_WEIGHTS), list(LEAD_STATUS_WEIGHTS.values())
    active_users = [u for u in world.users if u.activated]
    for i in range(count):
        first, last, company = rng.choice(FIRST), rng.choice(LAST), rng.choice(COMPANIES)
        domain = company.lower().replace(" ", "") + ".com"
        city, state = rng.choice(CITIES)
        created = ANCHOR - rng.uniform(2, 540) * DAY
        updated = created + rng.uniform(0, ANCHOR - created)
        status = rng.choices(names, weights)[0]
        data: dict[str, Any] = {
            "email": f"{first.lower()}.{last.lower()}{i}@{domain}",
            "first_name": first,
            "last_name": last,
            "company_name": company,
            "title": rng.choice(TITLES),
            "industry": rng.choice(INDUSTRIES),
            "city": city,
            "state": state,
            "phone": f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}" if rng.random() < 0.5 else None,
            "snippet": f"Saw {company} is hiring" if rng.random() < 0.3 else None,
        }
        if rng.random() < 0.4:
            data["linkedin_url"] = f"https://www.linkedin.com/in/{first.lower()}-{last.lower()}-{i}"
        user = rng.choice(active_users)
        lead = Lead(
            world.ids.new("l_"),
            status,
            data,
            user.id,
            updated,
            bounced=status == "bounced",
            optedout=status == "optedout",
        )
        world.add_lead(lead)
        params = {k: data[k] for k in ("email", "last_name", "first_name")}
        world.event("lead_created", created, user.id, lead=lead, params=params)
        if status not in ("active", "bounced", "optedout"):
            world.event("lead_status_updated", updated, user.id, lead=lead, diff={"status": ["active", status]})


def _campaigns(world: World) -> None:
    rng = world.rng
    active_users = [u for u in world.users if u.activated]
    leads = list(world.leads.values())
    for name in CAMPAIGN_NAMES:
        creator = rng.choice(active_users)
        campaign = Campaign(world.ids.new("c_"), name, creator.id, {})
        world.campaigns[campaign.id] = campaign
        started = ANCHOR - rng.uniform(100, 600) * DAY
        world.event("campaign_created", started, creator.id, campaign=campaign, params={"name": name})
        for step in range(rng.randint(1, 3)):
            world.event("campaign_step_created", started + (step + 1) * 60, creator.id, campaign=campaign)
        members = rng.sample(leads, rng.randint(0, 40)) if name != "Conference leads" else []
        for lead in members:
            world.join(campaign, lead.id, creator.default_mailbox_id)
            at = min(ANCHOR - DAY, max(started, lead.updated_at - rng.uniform(1, 30) * DAY))
            world.event("campaign_lead_created", at, creator.id, campaign=campaign, lead=lead)
            _message_events(world, campaign, lead, at, creator.id)
        campaign.stats = _stats(world, campaign)


def _message_events(world: World, campaign: Campaign, lead: Lead, at: float, user_id: str) -> None:
    if lead.status == "active" and world.rng.random() < 0.5:
        return
    sent = at + world.rng.uniform(0.1, 2) * DAY
    world.event("message_sent", sent, user_id, campaign=campaign, lead=lead)
    follow = {"bounced": "message_bounced", "optedout": "message_optout", "replied": "message_received"}
    kind = follow.get(lead.status) or ("message_opened" if world.rng.random() < 0.6 else None)
    if kind:
        world.event(kind, sent + world.rng.uniform(0.01, 3) * DAY, user_id, campaign=campaign, lead=lead)


def _stats(world: World, campaign: Campaign) -> dict[str, int]:
    statuses = [world.leads[lead_id].status for lead_id in campaign.members]
    contacted = sum(s != "active" for s in statuses)
    replied = statuses.count("replied")
    return {
        "prospects_contacted": contacted,
        "prospects_reached": contacted - statuses.count("bounced"),
        "prospects_opened": replied + round((contacted - replied) * 0.4),
        "prospects_replied": replied,
        "prospects_bounced": statuses.count("bounced"),
        "prospects_optedout": statuses.count("optedout"),
    }


def _settings_events(world: World) -> None:
    admin = world.users[0].id
    kinds = ["schedule_created", "trigger_created", "trigger_action_created", "lead_status_object_created"]
    kinds += ["trigger_updated", "schedule_updated", "lead_status_object_updated"]
    for i in range(24):
        world.event(kinds[i % len(kinds)], ANCHOR - world.rng.uniform(1, 600) * DAY, admin)

"""Epixel Leads & CRM simulator state: users, leads, appointments and lead notes, seeded from the seed.

Seeded identifiers (the same for every seed; names, emails and statuses vary with it):

* ``lead1`` .. ``lead64`` (ids 1..64): owned by ``demo``; ``lead1`` .. ``lead6`` are assigned to ``alice``.
* ``binuser1`` .. ``binuser8`` (ids 101..108): owned by ``binuser``, assigned to ``demo`` (``list_type=assigned``).
* ``alice1`` .. ``alice3`` (ids 201..203): owned by ``alice``, not shared with ``demo``.
* Appointments 1001..1024 by ``demo`` on ``lead1`` .. ``lead12``, spread from 20 days ago to 90 days ahead
  (relative to the reset time, see ``APPOINTMENT_OFFSETS``); 1101..1102 by ``binuser`` on ``binuser1``;
  1201 by ``alice`` on ``alice1``.
* Lead notes 5001..5030 by ``demo`` on ``lead1`` .. ``lead10``; 5101..5102 by ``binuser`` on ``binuser1``.

Times are UTC, appointment times ``YYYY-MM-DD HH:MM``.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

USER = "demo"
USERS = ("demo", "binuser", "alice", "bob")
LEAD_STATUSES = ("prospect", "tentative", "potential", "closed", "contact", "customer")
LEAD_SOURCES = ("website", "referral", "social_media", "email", "phone", "event", "other")
APPOINTMENT_STATUSES = ("pending", "rescheduled", "cancelled", "fullfilled", "confirmed")
OVERVIEW_FILTERS = ("upcoming", "today", "week", "month")
DATE_FORMAT = "%Y-%m-%d %H:%M"
OWNED_LEADS = 64
ASSIGNED_LEADS = 8
# (days from today, hour, minute) of demo's seeded appointments; the first four are in the past.
APPOINTMENT_OFFSETS: tuple[tuple[int, int, int], ...] = (
    (-20, 9, 0), (-7, 10, 0), (-2, 14, 30), (-1, 16, 0), (1, 9, 30), (2, 11, 0), (3, 15, 0), (4, 10, 30),
    (5, 13, 0), (6, 9, 0), (8, 10, 0), (10, 14, 0), (12, 11, 30), (15, 16, 0), (18, 9, 0), (21, 10, 0),
    (25, 15, 30), (30, 11, 0), (40, 10, 0), (55, 14, 0), (70, 9, 30), (90, 10, 0),
)  # fmt: skip

FIRST = ("Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Lena", "Omar", "Iris", "Hugo", "Nina", "Ravi", "Sara", "Tom")
LAST = ("Lopez", "Kim", "Patel", "Novak", "Berg", "Silva", "Okafor", "Rossi", "Tanaka", "Meyer", "Haddad", "Clark")
CITIES = ("Berlin", "Lisbon", "Austin", "Toronto", "Pune", "Nairobi", "Osaka", "Lyon", "Denver", "Dublin")
DOMAINS = ("example.com", "example.org", "mail.example.net")
NOTE_TEXTS = (
    "Called, asked for a follow-up next week.",
    "Interested in the premium plan.",
    "Sent the brochure by email.",
    "Prefers calls in the morning.",
    "Wants a demo with their team.",
)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def fmt(moment: datetime) -> str:
    return moment.strftime(DATE_FORMAT)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Lead:
    id: int
    slug: str
    first_name: str
    last_name: str
    email: str
    phone: str
    status: str
    source: str
    location: str
    message: str
    owner: str
    assignee: str | None
    created_at: datetime
    updated_at: datetime
    deleted: bool = False

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "slug": self.slug,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "phone": self.phone,
            "status": self.status,
            "source": self.source,
            "location": self.location,
            "message": self.message,
            "owner": self.owner,
            "assignee": self.assignee,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
        }


@dataclass
class Appointment:
    id: int
    lead: Lead
    start: datetime
    end: datetime
    note: str
    status: str
    created_by: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "slug": self.lead.slug,
            "lead_name": f"{self.lead.first_name} {self.lead.last_name}",
            "appointment_date": fmt(self.start),
            "appointment_to": fmt(self.end),
            "appointment_note": self.note,
            "appointment_status": self.status,
            "created_by": self.created_by,
            "created_at": iso(self.created_at),
        }


@dataclass
class Note:
    id: int
    lead: Lead
    note: str
    created_by: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "slug": self.lead.slug,
            "note": self.note,
            "created_by": self.created_by,
            "created_at": iso(self.created_at),
        }


def in_filter(moment: datetime, name: str, now: datetime) -> bool:
    """The overview's ``appointment`` filter: upcoming (from now on), today, this week (Mon-Sun), this month."""
    if name == "upcoming":
        return moment >= now
    if name == "today":
        return moment.date() == now.date()
    if name == "week":
        monday = (now - timedelta(days=now.weekday())).date()
        return monday <= moment.date() < monday + timedelta(days=7)
    return (moment.year, moment.month) == (now.year, now.month)


@dataclass
class EpixelStore:
    leads: dict[str, Lead] = field(default_factory=dict[str, Lead])
    appointments: dict[int, Appointment] = field(default_factory=dict[int, Appointment])
    notes: dict[int, Note] = field(default_factory=dict[int, Note])
    next_lead: int = 1000
    next_appointment: int = 2000
    next_note: int = 6000

    # ---- visibility
    def lead(self, slug: str) -> Lead | None:
        return self.leads.get(slug)

    def visible(self, lead: Lead, user: str = USER) -> bool:
        return not lead.deleted and user in (lead.owner, lead.assignee)

    def owned(self, user: str = USER) -> list[Lead]:
        return [x for x in self.leads.values() if not x.deleted and x.owner == user]

    def assigned(self, user: str = USER) -> list[Lead]:
        return [x for x in self.leads.values() if not x.deleted and x.assignee == user and x.owner != user]

    def user_appointments(self, user: str = USER) -> list[Appointment]:
        """Appointments on the user's visible leads, by start time."""
        found = [a for a in self.appointments.values() if self.visible(a.lead, user)]
        return sorted(found, key=lambda a: (a.start, a.id))

    def lead_detail(self, lead: Lead) -> dict[str, Any]:
        out = lead.summary()
        out["appointments"] = [a.to_json() for a in sorted(self.appointments.values(), key=lambda a: a.start)
                               if a.lead is lead]  # fmt: skip
        out["notes"] = [n.to_json() for n in self.notes.values() if n.lead is lead]
        return out

    def clash(self, user: str, start: datetime, end: datetime, exclude: int | None = None) -> bool:
        """True when another live appointment of ``user`` overlaps [start, end]."""
        for a in self.appointments.values():
            if a.id == exclude or a.created_by != user or a.status == "cancelled" or a.lead.deleted:
                continue
            if start < max(a.end, a.start + timedelta(minutes=1)) and a.start < max(end, start + timedelta(minutes=1)):
                return True
        return False

    # ---- writes
    def new_slug(self, first: str, last: str) -> str:
        self.next_lead += 1
        base = re.sub(r"[^a-z0-9]+", "", f"{first}{last}".lower()) or "lead"
        return f"{base[:240]}{self.next_lead}"

    def new_appointment_id(self) -> int:
        self.next_appointment += 1
        return self.next_appointment

    def new_note_id(self) -> int:
        self.next_note += 1
        return self.next_note


def _person(rng: random.Random, n: int) -> tuple[str, str, str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    email = f"{first}.{last}{n}@{rng.choice(DOMAINS)}".lower()
    phone = "".join(str(rng.randint(0, 9)) for _ in range(rng.randint(9, 12)))
    return first, last, email, phone


def _lead(rng: random.Random, lead_id: int, slug: str, owner: str, assignee: str | None, at: datetime) -> Lead:
    first, last, email, phone = _person(rng, lead_id)
    return Lead(
        id=lead_id,
        slug=slug,
        first_name=first,
        last_name=last,
        email=email,
        phone=phone,
        status=rng.choice(LEAD_STATUSES),
        source=rng.choice(LEAD_SOURCES),
        location=rng.choice(CITIES),
        message=rng.choice(("", "Asked about pricing.", "Met at the spring fair.", "Came from the newsletter.")),
        owner=owner,
        assignee=assignee,
        created_at=at,
        updated_at=at,
    )


def seed_store(seed: int, now: datetime | None = None) -> EpixelStore:
    rng = random.Random(f"epixel:{seed}")
    now = (now or now_utc()).replace(second=0, microsecond=0)
    start = now.replace(hour=0, minute=0) - timedelta(days=120)  # leads: stable within a day
    store = EpixelStore()
    for n in range(1, OWNED_LEADS + 1):
        lead = _lead(rng, n, f"lead{n}", USER, "alice" if n <= 6 else None, start + timedelta(hours=30 * n))
        store.leads[lead.slug] = lead
    for n in range(1, ASSIGNED_LEADS + 1):
        lead = _lead(rng, 100 + n, f"binuser{n}", "binuser", USER, start + timedelta(hours=40 * n + 7))
        store.leads[lead.slug] = lead
    for n in range(1, 4):
        lead = _lead(rng, 200 + n, f"alice{n}", "alice", None, start + timedelta(hours=50 * n + 3))
        store.leads[lead.slug] = lead

    today = now.replace(hour=0, minute=0)
    slots = [today + timedelta(days=d, hours=h, minutes=m) for d, h, m in APPOINTMENT_OFFSETS]
    # Two today: one already over, one still to come (or both earlier today late at night).
    late = (now + timedelta(minutes=90)).date() != now.date()
    first = now - timedelta(hours=2) if now.hour >= 2 else now + timedelta(hours=3)
    slots[4:4] = [first, now - timedelta(hours=3) if late else now + timedelta(minutes=30)]
    for i, moment in enumerate(sorted(slots)):
        past = moment < now
        status = (
            rng.choice(("fullfilled", "cancelled", "fullfilled"))
            if past
            else rng.choice(("pending", "confirmed", "rescheduled", "pending"))
        )
        lead = store.leads[f"lead{i % 12 + 1}"]
        note = f"Call #{i + 1} with {lead.first_name}"
        end = moment + timedelta(minutes=30)
        store.appointments[1001 + i] = Appointment(
            1001 + i, lead, moment, end, note, status, USER, moment - timedelta(days=3)
        )
    others = ((1101, "binuser", "binuser1", 3), (1102, "binuser", "binuser1", 9), (1201, "alice", "alice1", 4))
    for appt_id, who, slug, day in others:
        moment = today + timedelta(days=day, hours=17)
        lead = store.leads[slug]
        store.appointments[appt_id] = Appointment(appt_id, lead, moment, moment + timedelta(hours=1),
                                                  "Intro call", "confirmed", who, now - timedelta(days=1))  # fmt: skip

    for i in range(30):
        lead = store.leads[f"lead{i % 10 + 1}"]
        store.notes[5001 + i] = Note(5001 + i, lead, NOTE_TEXTS[rng.randrange(len(NOTE_TEXTS))], USER,
                                     lead.created_at + timedelta(days=1 + i // 10))  # fmt: skip
    for i in range(2):
        lead = store.leads["binuser1"]
        store.notes[5101 + i] = Note(5101 + i, lead, "Handed over to demo.", "binuser", lead.created_at)
    return store

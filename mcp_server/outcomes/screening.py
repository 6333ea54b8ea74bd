"""Who a prospecting run must not add, and why: already a lead, a do-not-contact domain, an email that is
not known deliverable. Read from PersistIQ once per call (free), never streamed to the model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mcp_server.outcomes.common import read_all
from mcp_server.providers.persistiq.client import Lists as PersistIQLists

LEADS_CAP = 100_000
SNOV_DNE_NOTE = (
    "Snov.io's do-not-email lists were not checked: its API names the lists but never lists their entries "
    "(check them in the Snov.io app if the campaign must honour them)."
)


@dataclass
class Screen:
    """What PersistIQ already holds: lead emails (lowercase) to lead ids, names at each domain, blocked domains."""

    leads: dict[str, str] = field(default_factory=dict[str, str])
    names: dict[tuple[str, str, str], str] = field(default_factory=dict[tuple[str, str, str], str])
    """(first, last, email domain) -> lead id: a person already a lead is skipped before their email is paid for."""
    dnc: set[str] = field(default_factory=set[str])
    cut: bool = False

    def blocked(self, email_or_domain: str) -> bool:
        domain = email_or_domain.rpartition("@")[2].lower()
        return any(domain == d or domain.endswith("." + d) for d in self.dnc)

    def lead_of(self, email: str) -> str | None:
        return self.leads.get(email.strip().lower())

    def lead_named(self, first: str | None, last: str | None, domain: str) -> str | None:
        return self.names.get(((first or "").lower(), (last or "").lower(), domain.lower()))

    def reason(self, email: str, verdict: str | None) -> str | None:
        """Why this email is skipped, or None to add it."""
        lead = self.lead_of(email)
        if lead:
            return f"already a lead ({lead})"
        if self.blocked(email):
            return "do-not-contact domain"
        if verdict == "not_valid":
            return "invalid email"
        if verdict != "valid":
            return f"email not verified valid ({verdict or 'unverified'})"
        return None


async def screen(ctx: Any) -> Screen:
    leads, cut = await read_all(ctx, PersistIQLists.leads, {}, LEADS_CAP)
    domains, _ = await read_all(ctx, PersistIQLists.dnc_domains, {}, LEADS_CAP)
    found = Screen(dnc={d.name.lower() for d in domains}, cut=cut)
    for lead in leads:
        email = lead.data.get("email")
        if not isinstance(email, str) or not email:
            continue
        found.leads[email.lower()] = lead.id
        first, last = lead.data.get("first_name"), lead.data.get("last_name")
        if isinstance(first, str) and isinstance(last, str):
            found.names[(first.lower(), last.lower(), email.rpartition("@")[2].lower())] = lead.id
    return found

"""What the outcome tools answer: small tables and counts, never the records they were made from."""

from __future__ import annotations

from typing import Annotated, Literal

from mcp_server.core.tools.answer_models import SHARED, Record, SharedText, Table, cells, column_names

Verdict = Literal["add", "added", "skip", "skipped", "failed", "pending"]


class LeadCounts(Record):
    counts: dict[str, dict[str, int]]
    """Per group ("persistiq status", "epixel owner", or a PersistIQ campaign's name): value -> leads."""
    totals: dict[str, int]
    """All leads read, per provider."""
    hint: SharedText = None


class Replier(Record):
    name: str | None = None
    email: str | None = None
    at: str | None = None
    first_line: str | None = None
    unsubscribe: bool | None = None
    """true: the reply asks to stop emailing (unsubscribe, remove me, opt out...); empty otherwise."""


class CampaignLine(Record):
    provider: str
    id: str
    name: str | None = None
    status: str | None = None
    sent: int | None = None
    opens: int | None = None
    clicks: int | None = None
    replies: int | None = None
    bounced: int | None = None
    repliers: Table[Replier] | None = None
    """Who replied: name, email, at, first_line (fenced: a stranger wrote it), unsubscribe."""


class CampaignReport(Record):
    campaigns: Table[CampaignLine]
    """provider, id, name, status, sent, opens, clicks, replies, bounced, repliers (a table of its own)."""
    hint: SharedText = None


class ProspectRow(Record):
    """One person the prospecting run found: who, their email and Snov.io's verdict, and what became of them."""

    name: str
    title: str | None = None
    email: str | None = None
    verdict: str | None = None
    """Snov.io's: valid, unknown, not_valid, greylisted; none when no email was found."""
    outcome: Verdict
    reason: str | None = None
    lead_id: str | None = None


class ProspectRun(Record):
    status: Literal["dry_run", "done", "partial"]
    campaign_id: str | None = None
    campaign: str | None = None
    source: str
    people: Table[ProspectRow]
    """person, title, email, verdict, outcome (add / added / skip / skipped / failed / pending), reason, lead id."""
    added: int = 0
    skipped: int = 0
    credits_spent: Annotated[float, SHARED] = 0
    """Snov.io credits this run spent (all its calls, resumed ones included)."""
    most_credits: int | None = None
    """The most the run can spend (dry run: before anything is paid)."""
    handle: SharedText = None
    hint: SharedText = None


class Meeting(Record):
    slug: str
    lead_created: bool
    appointment_id: str | None = None
    note_id: str | None = None
    hint: SharedText = None


def people_table(rows: list[ProspectRow]) -> Table[ProspectRow]:
    return Table[ProspectRow](columns=column_names(ProspectRow), rows=[cells(row) for row in rows])


def repliers_table(rows: list[Replier]) -> Table[Replier]:
    return Table[Replier](columns=column_names(Replier), rows=[cells(row) for row in rows])


def campaigns_table(rows: list[CampaignLine]) -> Table[CampaignLine]:
    return Table[CampaignLine](columns=column_names(CampaignLine), rows=[cells(row) for row in rows])

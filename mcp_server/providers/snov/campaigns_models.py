"""Snov.io campaign records as the tools return them, and the lean-schema bits the other Snov.io models share."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from mcp_server.core.tools.answer_models import Collected, Maybe, Record, SharedText, Table, cells, column_names
from mcp_server.core.tools.answers import untrusted
from mcp_server.core.upstream.values import is_obj, obj, objs
from mcp_server.providers.snov.reading import (
    Count,
    LooseText,
    PhpTime,
    StrangerText,
    Text,
    UnixTime,
    Upstream,
    read,
)

SUBJECT_CHARS = 300


CampaignId = Annotated[int, Field(ge=1)]
Limit = Annotated[int, Field(ge=1, le=1000)]
# Undescribed: an answer with next_cursor says how to pass it (core.lists.pages), so no call need pay for it.
Cursor = Annotated[Maybe[str], Field(max_length=4096)]
Email = Annotated[str, Field(max_length=254, pattern=r"^\S+@\S+\.\S+$")]


def body_of(data: Any) -> dict[str, Any]:
    """A body (or part of one) that should be an object; anything else reads as empty."""
    return obj(data)


def as_list(data: Any) -> list[dict[str, Any]]:
    """The rows of a body that is a bare list, or ``{"data": [...]}``."""
    return objs(obj(data).get("data") if is_obj(data) else data)


class Campaign(Upstream):
    upstream = {"name": ("campaign", "name"), "list_id": ("list_id", "listId")}

    id: int
    name: Text = None
    status: Text = None
    list_id: Count = None
    created_at: UnixTime = None
    started_at: UnixTime = None
    updated_at: UnixTime = None
    hash: LooseText = None
    """Snov.io's hash of the campaign (no method here takes it)."""


class CampaignAnalytics(Record):
    """One campaign's metrics within the same period and filters."""

    campaign_id: int
    name: str | None = None
    status: str | None = None
    stats: dict[str, Any]


class Analytics(Record):
    date_from: str | None = None
    """The period sent to Snov.io; left out for all time."""
    date_to: str | None = None
    scope: str
    """Which campaigns the totals cover, in words."""
    stats: dict[str, Any]
    """The totals, as Snov.io names them, zeros included (an all-zero LinkedIn block only on request)."""
    campaigns: list[CampaignAnalytics] | None = None
    """The same metrics, one row per campaign covered."""
    hint: SharedText = None


class Progress(Record):
    campaign_id: int
    status: str | None = None
    progress: str | None = None
    unfinished: int | None = None


class RecipientStatus(Record):
    email: str
    campaign_id: int
    status: str


def _subject(value: Any) -> str | None:
    return untrusted(value, SUBJECT_CHARS) if isinstance(value, str) else None


def _body(value: Any) -> str | None:
    return untrusted(value) if isinstance(value, str) else None


class Recipient(Upstream):
    """A campaign recipient or an email activity row (reply, open, click, sent email), one row of an
    ``Activity`` table. Subjects and bodies come from strangers' mail: fenced as data (``recipient`` drops bodies
    unless asked for). The fields most often empty come last: a row stops at its last value."""

    upstream = {
        "at": ("visitedAt", "sentDate"),
        "prospect_id": ("prospectId",),
        "name": ("prospectName", "userName"),
        "email": ("prospectEmail", "userEmail"),
        "subject": ("emailSubject",),
        "body": ("emailBody",),
        "campaign_id": ("campaignId", "campaign_id"),
    }

    at: PhpTime = None
    name: StrangerText = None
    email: Text = None
    id: LooseText = None
    """Snov.io's id of this row."""
    hash: LooseText = None
    prospect_id: Text = None
    subject: Annotated[str | None, BeforeValidator(_subject)] = None
    industry: StrangerText = None
    source: LooseText = None
    """How the prospect came into Snov.io (copy, import...)."""
    body: Annotated[str | None, BeforeValidator(_body)] = None
    campaign: StrangerText = None
    """The campaign's name; empty when the answer's ``campaign`` says it for every row."""
    campaign_id: Count = None
    """Empty when it is the campaign asked for (the answer's ``campaign_id``)."""


class Activity(Table[Recipient]):
    """A page of one campaign's rows as a table; what every row shares (the campaign) is said once here."""

    campaign_id: int
    campaign: str | None = None
    """The campaign's name, as the rows give it."""

    @classmethod
    def of_campaign(cls, got: Collected[Recipient], campaign_id: int) -> Activity:
        """The page, its rows' campaign name and id said once when every row shares them."""
        names = {row.campaign for row in got.items if row.campaign}
        shared = names.pop() if len(names) == 1 and all(row.campaign for row in got.items) else None
        rows = [
            row.model_copy(
                update={
                    "campaign": None if shared else row.campaign,
                    "campaign_id": None if row.campaign_id == campaign_id else row.campaign_id,
                }
            )
            for row in got.items
        ]
        return cls(
            columns=column_names(Recipient),
            rows=[cells(row) for row in rows],
            next_cursor=got.next_cursor,
            hint=got.hint,
            campaign_id=campaign_id,
            campaign=shared,
        )


def recipient(raw: Any, *, bodies: bool = False) -> Recipient:
    """One campaign row; its email body only when ``bodies``."""
    row = read(Recipient, raw, "campaign row")
    return row if bodies else row.model_copy(update={"body": None})

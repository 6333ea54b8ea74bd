"""Snov.io campaign records as the tools return them, and the lean-schema bits the other Snov.io models share."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from mcp_server.core.tools.answer_models import Maybe, Record
from mcp_server.core.tools.answers import untrusted
from mcp_server.core.upstream.values import is_obj, obj, objs
from mcp_server.providers.snov.reading import (
    Count,
    PhpTime,
    StrangerText,
    Text,
    UnixTime,
    Upstream,
    read,
)

SUBJECT_CHARS = 300


CampaignId = Annotated[int, Field(ge=1, description="From snov_list_campaigns")]
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
    hint: str | None = None


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
    """A campaign recipient or an email activity row (reply, open, click, sent email). Subjects and bodies come
    from strangers' mail: fenced as data (``recipient`` drops bodies unless asked for)."""

    upstream = {
        "at": ("visitedAt", "sentDate"),
        "prospect_id": ("prospectId",),
        "name": ("prospectName", "userName"),
        "email": ("prospectEmail", "userEmail"),
        "subject": ("emailSubject",),
        "body": ("emailBody",),
    }

    at: PhpTime = None
    prospect_id: Text = None
    name: StrangerText = None
    email: Text = None
    subject: Annotated[str | None, BeforeValidator(_subject)] = None
    body: Annotated[str | None, BeforeValidator(_body)] = None


def recipient(raw: Any, *, bodies: bool = False) -> Recipient:
    """One campaign row; its email body only when ``bodies``."""
    row = read(Recipient, raw, "campaign row")
    return row if bodies else row.model_copy(update={"body": None})

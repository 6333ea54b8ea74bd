"""Snov.io campaign records as the tools return them, and the lean-schema bits the other Snov.io models share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import Field

from mcp_server.core.tools.answer_models import Maybe, Record
from mcp_server.core.tools.answers import stranger, untrusted
from mcp_server.core.upstream.values import is_obj, obj, objs

SUBJECT_CHARS = 300


CampaignId = Annotated[int, Field(ge=1, description="From snov_list_campaigns")]
Limit = Annotated[int, Field(ge=1, le=1000)]
# Undescribed: an answer with next_cursor says how to pass it (core.lists.pages), so no call need pay for it.
Cursor = Annotated[Maybe[str], Field(max_length=4096)]
Email = Annotated[str, Field(max_length=254, pattern=r"^\S+@\S+\.\S+$")]


def unix_time(value: Any) -> str | None:
    """A Unix timestamp as ISO 8601 UTC."""
    if isinstance(value, int | float) and value > 0:
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


def php_time(value: Any) -> str | None:
    """``{"date": "2020-07-14 13:10:46.000000", ...}`` (or a plain string) as ``2020-07-14 13:10:46``."""
    text = obj(value).get("date") if is_obj(value) else value
    return text.split(".")[0] if isinstance(text, str) and text else None


def body_of(data: Any) -> dict[str, Any]:
    """A body (or part of one) that should be an object; anything else reads as empty."""
    return obj(data)


def as_list(data: Any) -> list[dict[str, Any]]:
    """The rows of a body that is a bare list, or ``{"data": [...]}``."""
    return objs(obj(data).get("data") if is_obj(data) else data)


class Campaign(Record):
    id: int
    name: str | None = None
    status: str | None = None
    list_id: int | None = None
    created_at: str | None = None
    started_at: str | None = None
    updated_at: str | None = None

    @classmethod
    def of(cls, row: dict[str, Any]) -> Campaign:
        return cls(
            id=row["id"],
            name=row.get("campaign"),
            status=row.get("status"),
            list_id=row.get("list_id"),
            created_at=unix_time(row.get("created_at")),
            started_at=unix_time(row.get("started_at")),
            updated_at=unix_time(row.get("updated_at")),
        )


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


class Recipient(Record):
    """A campaign recipient or an email activity row (reply, open, click, sent email)."""

    at: str | None = None
    prospect_id: str | None = None
    name: str | None = None
    email: str | None = None
    subject: str | None = None
    body: str | None = None

    @classmethod
    def of(cls, row: dict[str, Any], *, bodies: bool = False) -> Recipient:
        # Subjects and bodies come from strangers' mail: fenced as data, bodies only on request.
        subject, body = row.get("emailSubject"), row.get("emailBody")
        return cls(
            at=php_time(row.get("visitedAt") or row.get("sentDate")),
            prospect_id=row.get("prospectId"),
            name=stranger(row.get("prospectName") or row.get("userName")),
            email=row.get("prospectEmail") or row.get("userEmail"),
            subject=untrusted(subject, SUBJECT_CHARS) if isinstance(subject, str) else None,
            body=untrusted(body) if bodies and isinstance(body, str) else None,
        )

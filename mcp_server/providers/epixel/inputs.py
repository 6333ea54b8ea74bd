"""What the tools accept, declared once: the doc's field rules as types, and the schedule rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import Field

from mcp_server.core.errors import InvalidInput
from mcp_server.core.tools.answer_models import Maybe

SENT_FORMAT = "%Y-%m-%d %H:%M"


LeadStatus = Literal["prospect", "tentative", "potential", "closed", "contact", "customer"]
AppointmentStatus = Literal["pending", "rescheduled", "cancelled", "fullfilled", "confirmed"]
Period = Literal["upcoming", "today", "week", "month"]

Slug = Annotated[str, Field(min_length=1, max_length=258)]
Name = Annotated[str, Field(min_length=1, max_length=255)]
Email = Annotated[str, Field(max_length=255, pattern=r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")]
# The document's message is the common phone validator's: 9 to 15 digits, an optional leading +.
# [0-9], not \d: pydantic's regex reads \d as any script's digits (Arabic-Indic, fullwidth...).
Phone = Annotated[str, Field(pattern=r"^\+?[0-9]{9,15}$", max_length=16)]
Text = Annotated[str, Field(max_length=255)]
Source = Annotated[str, Field(min_length=1, max_length=255, description="One the instance accepts, e.g. website")]
Assignee = Annotated[str, Field(min_length=1, max_length=255, description="A username")]
AppointmentId = Annotated[int, Field(ge=1, description="From epixel_list_appointments")]
AppointmentNote = Annotated[str, Field(max_length=200)]
LeadNote = Annotated[str, Field(min_length=1, max_length=499)]
When = Annotated[
    datetime,
    Field(description="CRM wall clock, e.g. 2031-05-01T15:00 (an offset is dropped)"),
]
Limit = Annotated[int, Field(ge=1, le=1000)]
# Undescribed: an answer with next_cursor says how to pass it (core.lists.pages), so no call need pay for it.
Cursor = Annotated[Maybe[str], Field(max_length=4096)]


def wall_clock(moment: datetime) -> datetime:
    """What ``YYYY-MM-DD HH:MM`` can carry: the clock reading to the minute; an offset is dropped, not applied."""
    return moment.replace(tzinfo=None, second=0, microsecond=0)


def _past(moment: datetime, now: datetime) -> str | None:
    """Why a start is certainly not in the future, or None. With an offset the instant is known; without one the
    CRM's zone is not, and the start is in the past only if it is so in every zone (from UTC-12)."""
    if moment.tzinfo is not None:
        return (
            f"{moment.isoformat(timespec='minutes')} is before now ({now:%Y-%m-%d %H:%M} UTC)"
            if moment <= now
            else None
        )
    earliest = now.replace(tzinfo=None) - timedelta(hours=12)
    return f"{moment:%Y-%m-%d %H:%M} is in the past in every time zone" if moment <= earliest else None


def schedule(start: datetime | None, end: datetime | None, *, now: datetime | None = None) -> dict[str, str]:
    """The form fields for a start and end, refused before any request when the doc's rules surely fail.

    The document's times have no zone: the wall-clock time the user gave is sent as it is (15:00+05:30 goes as
    15:00), in the zone the CRM keeps its appointments in; the CRM itself judges "in the future".
    """
    current = now or datetime.now(UTC)
    late = _past(start, current) if start is not None else None
    if late:
        raise InvalidInput(
            f"appointment_date {late}",
            field="appointment_date",
            hint="Give a start in the future, as a wall-clock time in the CRM's time zone.",
        )
    begin = wall_clock(start) if start is not None else None
    finish = wall_clock(end) if end is not None else None
    if begin is not None and finish is not None and finish < begin:
        raise InvalidInput(
            f"appointment_to {finish:%Y-%m-%d %H:%M} is before appointment_date {begin:%Y-%m-%d %H:%M}",
            field="appointment_to",
            hint="The end must be at or after the start.",
        )
    fields = {"appointment_date": begin, "appointment_to": finish}
    return {name: value.strftime(SENT_FORMAT) for name, value in fields.items() if value is not None}


def form(**values: object) -> dict[str, str]:
    """Form fields with a value; numbers as text."""
    return {name: str(value) for name, value in values.items() if value is not None}

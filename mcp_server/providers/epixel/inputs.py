"""What the tools accept, declared once: the doc's field rules as types, and the schedule rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal, TypeVar

from pydantic import Field

from mcp_server.core.errors import InvalidInput

T = TypeVar("T")
SENT_FORMAT = "%Y-%m-%d %H:%M"

# An optional argument: leaving it out, null and "" all mean "not given".
Maybe = T | None


LeadStatus = Literal["prospect", "tentative", "potential", "closed", "contact", "customer"]
AppointmentStatus = Literal["pending", "rescheduled", "cancelled", "fullfilled", "confirmed"]
Period = Literal["upcoming", "today", "week", "month"]

Slug = Annotated[str, Field(min_length=1, max_length=258, description="Lead slug (epixel_list_leads)")]
Name = Annotated[str, Field(min_length=1, max_length=255)]
Email = Annotated[str, Field(max_length=255, pattern=r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")]
Phone = Annotated[str, Field(pattern=r"^\d{1,15}$", max_length=15, description="Digits only, up to 15")]
Text = Annotated[str, Field(max_length=255)]
Source = Annotated[str, Field(min_length=1, max_length=255, description="One the instance accepts, e.g. website")]
Assignee = Annotated[str, Field(min_length=1, max_length=255, description="Username to assign the lead to")]
AppointmentId = Annotated[int, Field(ge=1, description="From epixel_list_appointments or epixel_get_lead")]
AppointmentNote = Annotated[str, Field(max_length=200)]
LeadNote = Annotated[str, Field(min_length=1, max_length=499)]
When = Annotated[datetime, Field(description="ISO 8601; UTC unless it has an offset; minutes kept")]
Limit = Annotated[int, Field(ge=1, le=1000)]
Cursor = Annotated[Maybe[str], Field(max_length=4096, description="next_cursor of the last call, same filters")]


def minute_utc(moment: datetime) -> datetime:
    """Naive UTC to the minute: what ``YYYY-MM-DD HH:MM`` can carry (a naive input is taken as UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(second=0, microsecond=0)


def schedule(start: datetime | None, end: datetime | None, *, now: datetime | None = None) -> dict[str, str]:
    """The form fields for a start and end, refused before any request when the doc's rules fail."""
    current = minute_utc(now or datetime.now(UTC))
    begin = minute_utc(start) if start is not None else None
    finish = minute_utc(end) if end is not None else None
    if begin is not None and begin <= current:
        raise InvalidInput(
            f"appointment_date {begin:%Y-%m-%d %H:%M} UTC is not in the future",
            field="appointment_date",
            hint=f"Give a start after {current:%Y-%m-%d %H:%M} UTC.",
        )
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

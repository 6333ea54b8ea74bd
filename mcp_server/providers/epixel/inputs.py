"""What the tools accept, declared once: the doc's field rules as types, and the schedule rules."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, Field

from mcp_server.core.errors import InvalidInput
from mcp_server.providers.epixel.models import no_null

T = TypeVar("T")
SENT_FORMAT = "%Y-%m-%d %H:%M"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


# An optional argument: leaving it out is the way, so its schema need not spell out null.
Maybe = Annotated[T | None, Field(json_schema_extra=no_null)]


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("not a valid email address")
    return value


LeadStatus = Literal["prospect", "tentative", "potential", "closed", "contact", "customer"]
AppointmentStatus = Literal["pending", "rescheduled", "cancelled", "fullfilled", "confirmed"]
Period = Literal["upcoming", "today", "week", "month"]

Slug = Annotated[str, Field(min_length=1, max_length=258, description="Lead slug (epixel_list_leads)")]
Name = Annotated[str, Field(min_length=1, max_length=255)]
Email = Annotated[str, Field(max_length=255), AfterValidator(_email)]
Phone = Annotated[str, Field(pattern=r"^\d{1,15}$", description="Digits only, up to 15")]
Text = Annotated[str, Field(max_length=255)]
Source = Annotated[str, Field(min_length=1, max_length=255, description="One the instance accepts, e.g. website")]
Assignee = Annotated[str, Field(min_length=1, max_length=255, description="Username to assign the lead to")]
AppointmentId = Annotated[int, Field(ge=1, description="From epixel_list_appointments or epixel_get_lead")]
AppointmentNote = Annotated[str, Field(max_length=200)]
LeadNote = Annotated[str, Field(min_length=1, max_length=499)]
When = Annotated[datetime, Field(description="ISO 8601; UTC unless it has an offset; minutes kept")]
Limit = Annotated[int, Field(ge=1, le=1000)]
Cursor = Annotated[Maybe[str], Field(description="next_cursor of the last call, same filters")]


def minute_utc(moment: datetime, field: str = "appointment_date") -> datetime:
    """Naive UTC to the minute: what ``YYYY-MM-DD HH:MM`` can carry (a naive input is taken as UTC)."""
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # 9999-12-31T23:59-05:00 is in the year 10000 in UTC
            raise InvalidInput(
                f"{field} {moment.isoformat()} is past the last date a calendar can hold",
                field=field,
                hint="Give a date before the year 9999.",
            ) from None
    return moment.replace(second=0, microsecond=0)


def schedule(start: datetime | None, end: datetime | None, *, now: datetime | None = None) -> dict[str, str]:
    """The form fields for a start and end, refused before any request when the doc's rules fail."""
    current = minute_utc(now or datetime.now(UTC))
    begin = minute_utc(start) if start is not None else None
    finish = minute_utc(end, "appointment_to") if end is not None else None
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

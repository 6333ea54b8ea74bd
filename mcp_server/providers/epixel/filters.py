"""The list filters, checked again on the records: Epixel's document names no parameter for either list.

A server that honours ``status``, ``list_type``, ``appointment``, ``appointment_status`` and ``slug`` answers
records that pass these checks anyway; one that ignores them answers everything, and the checks keep the answer
true. A record without the field a check needs is kept (nothing says it does not match).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from mcp_server.core.upstream.values import is_obj
from mcp_server.providers.epixel.inputs import SENT_FORMAT
from mcp_server.providers.epixel.models import username_of

Check = Callable[[Mapping[str, Any]], bool]
# Wall clocks run from UTC-12 to UTC+14: the CRM's own "now" lies somewhere in this band around UTC.
BEHIND, AHEAD = timedelta(hours=12), timedelta(hours=14)


@dataclass(frozen=True)
class Filter:
    name: str
    check: Check


def _field(record: Mapping[str, Any], *names: str) -> Any:
    return next((record[name] for name in names if record.get(name) is not None), None)


def equals(name: str, value: str, *fields: str) -> Filter:
    """``fields``: where the record may carry the value (default: ``name``)."""

    def check(record: Mapping[str, Any]) -> bool:
        found = _field(record, *(fields or (name,)))
        return found is None or found == value

    return Filter(name, check)


def lead_list(list_type: str, username: str | None) -> Filter | None:
    """Owned: the signed-in user owns it; assigned: it is assigned to them and someone else owns it.

    Without a username (a fixed access token) only an assigned lead with no assignee can be ruled out.
    """

    def check(record: Mapping[str, Any]) -> bool:
        # A nested user counts by its username; a bare user id cannot be told apart, so it counts as absent.
        owner, assignee = username_of(record.get("owner")), username_of(record.get("assignee"))
        if list_type == "owned":
            return owner is None or owner == username
        if "assignee" in record and not record.get("assignee"):
            return False
        return username is None or ((assignee is None or assignee == username) and owner != username)

    if list_type == "owned" and username is None:
        return None
    return Filter("list_type", check)


def _dates(now: datetime) -> list[date]:
    first, last = (now - BEHIND).date(), (now + AHEAD).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _in_period(moment: datetime, period: str, today: date) -> bool:
    if period == "today":
        return moment.date() == today
    if period == "week":
        monday = today - timedelta(days=today.weekday())
        return monday <= moment.date() < monday + timedelta(days=7)
    return (moment.year, moment.month) == (today.year, today.month)


def period(name: str, *, now: datetime | None = None) -> Filter:
    """The overview's periods (upcoming, today, this week, this month) in a zone the tool does not know: an
    appointment is dropped only when it falls outside the period in every zone."""
    current = (now or datetime.now(UTC)).replace(tzinfo=None)

    def check(record: Mapping[str, Any]) -> bool:
        raw = _field(record, "appointment_date", "start")
        try:
            moment = datetime.strptime(str(raw), SENT_FORMAT) if raw is not None else None
        except ValueError:
            return True
        if moment is None:
            return True
        if name == "upcoming":
            return moment >= current - BEHIND
        return any(_in_period(moment, name, day) for day in _dates(current))

    return Filter("period", check)


def kept(records: list[Any], filters: list[Filter], dropped: set[str]) -> list[Any]:
    """The records every filter keeps; the names of the filters that dropped one go into ``dropped``."""
    out: list[Any] = []
    for record in records:
        failing = [f.name for f in filters if is_obj(record) and not f.check(record)]
        dropped.update(failing)
        if not failing:
            out.append(record)
    return out

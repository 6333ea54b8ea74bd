"""Credit periods (``SNOV_CREDIT_PERIOD``): day, week (from Monday) or month in UTC, or a number of seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

NAMED = ("day", "week", "month")


def check_period(value: str) -> str:
    spec = value.strip().lower()
    if spec in NAMED:
        return spec
    try:
        seconds = float(spec)
    except ValueError:
        seconds = 0.0
    if seconds <= 0:
        raise ValueError("must be day, week, month or a number of seconds greater than 0")
    return spec


def period_bounds(spec: str, now: float) -> tuple[float, float]:
    """The start and end (epoch seconds) of the period ``now`` falls in."""
    if spec not in NAMED:
        length = float(spec)
        start = (now // length) * length
        return start, start + length
    day = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if spec == "day":
        begin, end = day, day + timedelta(days=1)
    elif spec == "week":
        begin = day - timedelta(days=day.weekday())
        end = begin + timedelta(weeks=1)
    else:
        begin = day.replace(day=1)
        end = (begin + timedelta(days=32)).replace(day=1)
    return begin.timestamp(), end.timestamp()

"""Credit periods: SNOV_MAX_CREDITS applies per UTC day, week (from Monday), month, or N seconds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mcp_server.core.errors import ConfigError
from mcp_server.core.state.periods import period_bounds
from mcp_server.settings import load_settings

# Wednesday 2026-12-02 15:30:00 UTC
NOW = datetime(2026, 12, 2, 15, 30, tzinfo=UTC).timestamp()


def utc(year: int, month: int, day: int, hour: int = 0) -> float:
    return datetime(year, month, day, hour, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("day", utc(2026, 12, 2), utc(2026, 12, 3)),
        ("week", utc(2026, 11, 30), utc(2026, 12, 7)),
        ("month", utc(2026, 12, 1), utc(2027, 1, 1)),
        ("3600", utc(2026, 12, 2, 15), utc(2026, 12, 2, 16)),
    ],
)
def test_each_credit_period_starts_and_ends_where_the_readme_says(period: str, start: float, end: float):
    assert period_bounds(period, NOW) == (start, end)


@pytest.mark.parametrize("bad", ["fortnight", "0", "-60", ""])
def test_an_unknown_credit_period_is_refused_naming_the_variable(bad: str):
    with pytest.raises(ConfigError) as refused:
        load_settings(snov_credit_period=bad)
    assert "SNOV_CREDIT_PERIOD" in refused.value.message

"""Credits counted per tool call: the Snov.io service is shared by concurrent calls, so what one call spent is
kept in a context variable the ledger's every change (charge, refund, settle) adds to."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class Meter:
    credits: float = 0.0


_meter: ContextVar[Meter | None] = ContextVar("outbound_mcp_snov_meter", default=None)


def count(credits: float) -> None:
    """Add a change of the ledger to the running call's meter (none outside a metered call)."""
    meter = _meter.get()
    if meter is not None:
        meter.credits += credits


@contextmanager
def metered() -> Generator[Meter, None, None]:
    meter = Meter()
    token = _meter.set(meter)
    try:
        yield meter
    finally:
        _meter.reset(token)

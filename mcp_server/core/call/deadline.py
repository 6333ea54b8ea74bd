"""One time budget per tool call (``OUTBOUND_MCP_MAX_WAIT``), shared by everything the call waits for.

The tool wrapper opens it; ``ApiClient.deadline``, the poller and the paginator read what is left, so
job polls, rate-budget waits, token renewals and slow pages together stay inside it. Outside a tool
call (tests of the core, the CLI) nothing is bounded here.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from contextlib import contextmanager
from contextvars import ContextVar

_ends_at: ContextVar[float | None] = ContextVar("outbound_mcp_call_ends_at", default=None)
OVERRUN = 2.0
"""Seconds past its budget a call is cut off at the latest (the tool wrapper's hard stop), and the most a
store operation in flight then may still take: under load a call ends by its budget plus this."""


@contextmanager
def call_budget(seconds: float) -> Generator[None, None, None]:
    """Bound the code inside to ``seconds`` from now (a nested budget never extends an outer one)."""
    ends = time.monotonic() + seconds
    outer = _ends_at.get()
    token = _ends_at.set(ends if outer is None else min(outer, ends))
    try:
        yield
    finally:
        _ends_at.reset(token)


def remaining() -> float | None:
    """Seconds left in this call's budget (never negative); None outside a budgeted call."""
    ends = _ends_at.get()
    return None if ends is None else max(0.0, ends - time.monotonic())


def cutoff_left() -> float | None:
    """Seconds until this call is cut off (its budget plus ``OVERRUN``); None outside a budgeted call."""
    ends = _ends_at.get()
    return None if ends is None else max(0.0, ends + OVERRUN - time.monotonic())


def bounded(seconds: float) -> float:
    """``seconds``, or less when the call's budget ends sooner."""
    left = remaining()
    return seconds if left is None else min(seconds, left)

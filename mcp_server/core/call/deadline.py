"""One time budget per tool call (``OUTBOUND_MCP_MAX_WAIT``), shared by everything the call waits for.

The tool wrapper opens it (the call context's ``ends_at``); ``ApiClient.deadline``, the poller and the
paginator read what is left, so
job polls, rate-budget waits, token renewals and slow pages together stay inside it. Outside a tool
call (tests of the core, the CLI) nothing is bounded here.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import replace

from mcp_server.core.call.context import current, entered

OVERRUN = 2.0
"""Seconds past its budget a call is cut off at the latest (the tool wrapper's hard stop), and the most a
store operation in flight then may still take: under load a call ends by its budget plus this."""


@contextmanager
def call_budget(seconds: float) -> Generator[None, None, None]:
    """Bound the code inside to ``seconds`` from now (a nested budget never extends an outer one)."""
    ends = time.monotonic() + seconds
    call = current()
    if call.ends_at is not None and call.ends_at <= ends:
        yield  # the outer budget ends first (the wrapper's own, opened with the call): nothing to narrow
        return
    with entered(replace(call, ends_at=ends)):
        yield


def remaining() -> float | None:
    """Seconds left in this call's budget (never negative); None outside a budgeted call."""
    ends = current().ends_at
    return None if ends is None else max(0.0, ends - time.monotonic())


def cutoff_left() -> float | None:
    """Seconds until this call is cut off (its budget plus ``OVERRUN``); None outside a budgeted call."""
    ends = current().ends_at
    return None if ends is None else max(0.0, ends + OVERRUN - time.monotonic())


def bounded(seconds: float) -> float:
    """``seconds``, or less when the call's budget ends sooner."""
    left = remaining()
    return seconds if left is None else min(seconds, left)

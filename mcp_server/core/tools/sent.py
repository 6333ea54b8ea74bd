"""Whether a tool call has sent a write upstream yet: "nothing was sent" is said only when provably true.

A state-store failure says "Nothing was sent" (it is usually met before any request). Met after a write of the
same call went out, that would be false: ``honest`` then says what is true instead."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from contextvars import ContextVar

from mcp_server.core.errors import CHECK_FIRST, OutboundError
from mcp_server.core.state import StateUnavailable

_sent: ContextVar[list[bool] | None] = ContextVar("outbound_mcp_write_sent", default=None)
AFTER_A_WRITE = (
    "A write of this call had already been sent when the state store failed, so it may have been applied: "
    + CHECK_FIRST
)


@contextmanager
def watching() -> Generator[None, None, None]:
    """One tool call: writes sent inside are noted."""
    token = _sent.set([False])
    try:
        yield
    finally:
        _sent.reset(token)


def note_write() -> None:
    flag = _sent.get()
    if flag is not None:
        flag[0] = True


def honest(error: OutboundError) -> OutboundError:
    """``error``, its "Nothing was sent" replaced when a write of this call had gone out."""
    flag = _sent.get()
    if isinstance(error, StateUnavailable) and flag is not None and flag[0]:
        error.hint = AFTER_A_WRITE
        error.maybe_applied = True
    return error

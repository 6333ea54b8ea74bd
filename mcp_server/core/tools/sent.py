"""Whether a tool call has sent a write upstream yet: "nothing was sent" is said only when provably true.

A state-store failure says "Nothing was sent" (it is usually met before any request). Met after a write of the
same call went out, that would be false: ``honest`` then says what is true instead. The upstream client raises
the call context's ``sent`` flag as a write goes out; the tool wrapper gives each call its own."""

from __future__ import annotations

from mcp_server.core.call.context import current
from mcp_server.core.errors import CHECK_FIRST, OutboundError
from mcp_server.core.state import StateUnavailable

AFTER_A_WRITE = (
    "A write of this call had already been sent when the state store failed, so it may have been applied: "
    + CHECK_FIRST
)


def honest(error: OutboundError) -> OutboundError:
    """``error``, its "Nothing was sent" replaced when a write of this call had gone out."""
    flag = current().sent
    if isinstance(error, StateUnavailable) and flag is not None and flag.raised:
        error.hint = AFTER_A_WRITE
        error.maybe_applied = True
    return error

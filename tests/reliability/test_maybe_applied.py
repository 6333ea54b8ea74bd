"""``errors.mark_maybe_applied`` and ``errors.may_be_applied``: the one say on whether a failed write landed."""

from __future__ import annotations

import pytest

from mcp_server.core.errors import (
    ApiError,
    BadResponse,
    InvalidInput,
    OutboundError,
    RateLimited,
    TransportError,
    mark_maybe_applied,
    may_be_applied,
)

CHECK_FIRST = "check with the matching list/get tool before sending it again."


@pytest.mark.parametrize("error", [TransportError("cut off"), BadResponse("unreadable")])
def test_marking_a_transport_error_or_an_unreadable_answer_flags_it_and_says_to_check_first(
    error: TransportError | BadResponse,
):
    marked = mark_maybe_applied(error, "It may have landed")
    assert marked is error
    assert (error.maybe_applied, error.hint) == (True, f"It may have landed: {CHECK_FIRST}")


def test_marking_an_error_status_flags_it_too_so_the_replay_guard_keeps_the_write():
    error = mark_maybe_applied(ApiError("failed", status=502), "It may have landed")
    assert (error.maybe_applied, error.hint) == (True, f"It may have landed: {CHECK_FIRST}")


@pytest.mark.parametrize(
    ("error", "applied"),
    [
        (TransportError("cut off", maybe_applied=True), True),
        (TransportError("never connected"), False),
        (BadResponse("unreadable", maybe_applied=True), True),
        (BadResponse("unreadable read"), False),
        (ApiError("failed", status=500), True),
        (ApiError("failed", status=501), True),
        (ApiError("missing", status=404), False),
        (ApiError("refused after an earlier 5xx", status=404, maybe_applied=True), True),
        (RateLimited("slow down", status=429), False),
        (InvalidInput("bad argument"), False),
        (OutboundError("other"), False),
    ],
)
def test_a_write_may_have_been_applied_when_flagged_so_or_after_a_5xx(error: OutboundError, applied: bool):
    assert may_be_applied(error) is applied

"""Split a long list into the API's per-request maximum; keep every batch's outcome, good or bad."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import anyio
import anyio.lowlevel

from mcp_server.core.call.abandon import abandoned
from mcp_server.core.call.progress import Progress
from mcp_server.core.errors import (
    ApiError,
    CreditLimit,
    OutboundError,
    RateLimited,
    describe,
    may_be_applied,
)

log = logging.getLogger("outbound_mcp.batching")
T = TypeVar("T")
R = TypeVar("R")


@dataclass
class BatchFailure(Generic[T]):
    items: list[T]
    error: str
    maybe_applied: bool = False
    """True when the request may have reached the API: these items may or may not be written."""
    sent: bool = True
    """False when the batch was not sent at all (an earlier failure made it pointless)."""


@dataclass
class BatchReport(Generic[T, R]):
    done: list[tuple[list[T], R]] = field(default_factory=list[tuple[list[T], R]])
    failed: list[BatchFailure[T]] = field(default_factory=list[BatchFailure[T]])


def _stops_the_rest(error: OutboundError) -> bool:
    """Errors that every later batch would meet too."""
    if isinstance(error, RateLimited | CreditLimit):
        return True
    return isinstance(error, ApiError) and error.status in (401, 403)


def chunks(items: Sequence[T], size: int) -> list[list[T]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


async def run_batches(
    items: Sequence[T],
    size: int,
    send: Callable[[list[T]], Awaitable[R]],
    *,
    progress: Progress | None = None,
    noun: str = "items",
) -> BatchReport[T, R]:
    """Send ``items`` ``size`` at a time, in order; a failed batch does not hide the others."""
    report: BatchReport[T, R] = BatchReport()
    batches = chunks(items, size)
    for index, batch in enumerate(batches):
        if abandoned():  # the write is seen through for the replay guard, but its client has gone
            log.warning(
                "%s cancelled after %d of %d batches: %d sent ok, %d failed, %d not sent",
                noun,
                index,
                len(batches),
                len(report.done),
                len(report.failed),
                len(batches) - index,
            )
            reason = "not sent: the call was abandoned by its client before this batch"
            report.failed.extend(BatchFailure(rest, reason, sent=False) for rest in batches[index:])
            break
        try:
            # A cancelled call (its client went away) lets the batch in flight finish, so its outcome is
            # known and logged, then sends no other: a write is never cut off with its result unknown.
            with anyio.CancelScope(shield=True):
                report.done.append((batch, await send(batch)))
            await anyio.lowlevel.checkpoint_if_cancelled()
        except anyio.get_cancelled_exc_class():
            log.warning(
                "%s cancelled after %d of %d batches: %d sent ok, %d failed, %d not sent",
                noun,
                index + 1,
                len(batches),
                len(report.done),
                len(report.failed),
                len(batches) - index - 1,
            )
            raise
        except OutboundError as error:
            report.failed.append(BatchFailure(batch, describe(error), maybe_applied=may_be_applied(error)))
            if _stops_the_rest(error):
                reason = f"not sent after the error above: {describe(error)}"
                report.failed.extend(BatchFailure(rest, reason, sent=False) for rest in batches[index + 1 :])
                break
        if progress is not None:
            done = min(len(items), (index + 1) * size)
            await progress(done, len(items), f"sent {done} of {len(items)} {noun}")
    return report

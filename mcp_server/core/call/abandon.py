"""A write seen through when its caller goes away, and told so: a batched write then stops after the batch
in flight instead of sending the rest to nobody (its outcome is still recorded for the replay guard)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TypeVar

import anyio

from mcp_server.core.call.context import Flag, current, entered

T = TypeVar("T")


def abandoned() -> bool:
    """True once the call this code runs in was cancelled (its client gave up or disconnected)."""
    flag = current().abandoned
    return flag is not None and flag.raised


async def see_through(work: Callable[[], Awaitable[T]], limit: float) -> T | None:
    """``work`` run to its end even if this call is cancelled meanwhile (for at most ``limit`` seconds);
    None when the limit cut it off. A cancellation is re-raised once ``work`` is done."""
    flag = Flag()
    outcome: list[T] = []
    failure: list[Exception] = []
    with entered(replace(current(), abandoned=flag)):  # before the tasks start: they copy this context
        async with anyio.create_task_group() as group:

            async def run() -> None:
                with anyio.CancelScope(shield=True) as shield:
                    shield.deadline = anyio.current_time() + limit
                    try:
                        outcome.append(await work())
                    except Exception as exc:  # handed to the caller below, outside the task group
                        failure.append(exc)
                group.cancel_scope.cancel()  # done: stop the watcher

            async def watch() -> None:
                try:
                    await anyio.sleep_forever()
                except anyio.get_cancelled_exc_class():
                    if not outcome and not failure:
                        flag.set()
                    raise

            group.start_soon(watch)
            group.start_soon(run)
    if failure:
        raise failure[0]
    return outcome[0] if outcome else None

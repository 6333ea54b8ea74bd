"""A write seen through when its caller goes away, and told so: a batched write then stops after the batch
in flight instead of sending the rest to nobody (its outcome is still recorded for the replay guard)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import TypeVar

import anyio

T = TypeVar("T")


class _Flag:
    gone = False


_flag: ContextVar[_Flag | None] = ContextVar("outbound_mcp_call_abandoned", default=None)


def abandoned() -> bool:
    """True once the call this code runs in was cancelled (its client gave up or disconnected)."""
    flag = _flag.get()
    return flag is not None and flag.gone


async def see_through(work: Callable[[], Awaitable[T]], limit: float) -> T | None:
    """``work`` run to its end even if this call is cancelled meanwhile (for at most ``limit`` seconds);
    None when the limit cut it off. A cancellation is re-raised once ``work`` is done."""
    flag = _Flag()
    token = _flag.set(flag)  # before the tasks start: they copy this context
    outcome: list[T] = []
    failure: list[Exception] = []
    try:
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
                    flag.gone = not outcome and not failure
                    raise

            group.start_soon(watch)
            group.start_soon(run)
    finally:
        _flag.reset(token)
    if failure:
        raise failure[0]
    return outcome[0] if outcome else None

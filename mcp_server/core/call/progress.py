"""Progress reporting as the core sees it: an async callable, so the core never needs an MCP context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Progress = Callable[[float, float | None, str], Awaitable[None]]
STEP = 0.001


def from_context(ctx: Any) -> Progress:
    """Progress notifications to the client that asked for them (a no-op when it gave no token).

    MCP requires each value to exceed the last; a call that polls and then pages mixes seconds and
    counts, so a value that would go back is nudged just past the previous one.
    """
    last = [0.0]

    async def report(done: float, total: float | None, message: str) -> None:
        value = done if done > last[0] else last[0] + STEP
        last[0] = value
        await ctx.report_progress(value, total if total is not None and total >= value else None, message)

    return report

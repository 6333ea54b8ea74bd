"""Progress reporting as the core sees it: an async callable, so the core never needs an MCP context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Progress = Callable[[float, float | None, str], Awaitable[None]]


def from_context(ctx: Any) -> Progress:
    """Progress notifications to the client that asked for them (a no-op when it gave no token)."""

    async def report(done: float, total: float | None, message: str) -> None:
        await ctx.report_progress(done, total, message)

    return report

"""One paginator for every paged endpoint: follow pages until exactly ``limit`` items, return a cursor."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from mcp_server.core import handles
from mcp_server.core.errors import InvalidInput
from mcp_server.core.progress import Progress
from mcp_server.core.records import skipped_note

T = TypeVar("T")
MAX_PAGES = 60
"""Pages one call reads at most (1,000 items at 20 a page is 50): past it the call returns a cursor, so a
server that pages one item at a time cannot spend the whole rate budget in one call."""


@dataclass
class Page(Generic[T]):
    items: list[T]
    next: Any = None
    """How to ask for the following page (a URL, a number, a token); None on the last page."""
    skipped: int = 0
    """Records of this page left out because they could not be read (``records.parse_each``)."""


class PageNotReady(Exception):
    """Raised by a fetch whose page an upstream job is still preparing; ``ref`` asks for it again later."""

    def __init__(self, ref: Any) -> None:
        super().__init__("page not ready")
        self.ref = ref


FetchPage = Callable[[Any], Awaitable[Page[T]]]
"""Fetches the page a ``Page.next`` value names; None asks for the first page."""


@dataclass
class Collected(Generic[T]):
    items: list[T]
    next_cursor: str | None
    hint: str | None


async def collect(
    fetch: FetchPage[T],
    *,
    limit: int,
    cursor: str | None,
    scope: str,
    progress: Progress | None = None,
    noun: str = "items",
) -> Collected[T]:
    """Read pages from ``cursor`` (or the start) until ``limit`` items; the cursor resumes exactly after them.

    ``scope`` ties a cursor to the tool and filters it was made for.
    """
    ref: Any = None
    skip = 0
    if cursor:
        state = handles.decode("page", cursor, "cursor")
        if state.get("s") != scope:
            raise InvalidInput(
                "cursor was made for other filters or another tool",
                field="cursor",
                hint="Repeat the call with the same filters as the call that returned the cursor, or drop the cursor.",
            )
        ref, skip = state.get("r"), state.get("o", 0)
        if not isinstance(skip, int) or isinstance(skip, bool) or skip < 0:
            raise InvalidInput("cursor is damaged", field="cursor", hint="Repeat the call without the cursor.")
    items: list[T] = []
    next_state: tuple[Any, int] | None = None
    waiting = stalled = False
    skipped = 0
    for _ in range(MAX_PAGES):
        try:
            page = await fetch(ref)
        except PageNotReady as not_ready:
            next_state, waiting = (not_ready.ref, skip), True
            break
        skipped += page.skipped
        available = page.items[skip:]
        need = limit - len(items)
        if len(available) > need:
            items.extend(available[:need])
            next_state = (ref, skip + need)
            break
        items.extend(available)
        if page.next is None:
            break
        ref, skip = page.next, 0
        # A page that brings nothing yet says more exist: stop here rather than follow it page after page.
        stalled = not page.items and not page.skipped
        if len(items) >= limit or stalled:
            next_state = (ref, 0)
            break
        if progress is not None:
            await progress(len(items), limit, f"read {len(items)} {noun}")
    else:
        next_state = (ref, skip)
    next_cursor = handles.encode("page", {"s": scope, "r": next_state[0], "o": next_state[1]}) if next_state else None
    if waiting:
        hint = (
            f"Returned {len(items)} {noun}; the next page is still being prepared upstream: call again in a few "
            "seconds with the same arguments and cursor=next_cursor (it resumes the same job)."
        )
    elif stalled:
        hint = (
            f"Returned {len(items)} {noun}; the API sent an empty page yet said more exist, so reading stopped: "
            "call again with cursor=next_cursor to try the next page, or treat the list as complete."
        )
    elif next_cursor:
        hint = f"Returned {len(items)} {noun}; more exist: call again with the same arguments and cursor=next_cursor."
    else:
        hint = None
    if skipped:
        hint = " ".join(filter(None, [skipped_note(skipped, noun), hint]))
    return Collected(items, next_cursor, hint)

"""One paginator for every paged endpoint: follow pages until exactly ``limit`` items, return a cursor."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from mcp_server.core.call import deadline as call_time
from mcp_server.core.call.progress import Progress
from mcp_server.core.errors import InvalidInput
from mcp_server.core.lists import handles
from mcp_server.core.tokens import count_tokens
from mcp_server.core.tools.answers import PAGE_BYTES, PAGE_TOKENS, answer_text
from mcp_server.core.upstream.records import skipped_note

T = TypeVar("T")
MAX_PAGES = 60
"""Pages one call reads at most (1,000 items at 20 a page is 50): past it the call returns a cursor, so a
server that pages one item at a time cannot spend the whole rate budget in one call."""
PAGE_MARGIN = 1.0
"""Seconds of the call's budget kept, beyond the slowest page so far, to fetch one more page and answer."""


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
    shown: Callable[[T], str] | None = None,
) -> Collected[T]:
    """Read pages from ``cursor`` (or the start) until ``limit`` items; the cursor resumes exactly after them.

    A call also stops early, with a cursor and a hint saying why, when its records reach ``PAGE_TOKENS``
    tokens as the answer carries them (``shown``: each record's text, its JSON by default, a table row's
    cells for a table), or when the call's time budget (``OUTBOUND_MCP_MAX_WAIT``) has no room for another page.
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
    budget = PageBudget(PAGE_TOKENS)
    next_state: tuple[Any, int] | None = None
    stop: str | None = None
    slowest = 0.0
    skipped = 0
    for _ in range(MAX_PAGES):
        left = call_time.remaining()
        if items and left is not None and left < slowest + PAGE_MARGIN:
            next_state, stop = (ref, skip), "time"
            break
        started = time.monotonic()
        try:
            page = await fetch(ref)
        except PageNotReady as not_ready:
            next_state, stop = (not_ready.ref, skip), "preparing"
            break
        skipped += page.skipped
        slowest = max(slowest, time.monotonic() - started)
        available = page.items[skip:]
        taken = _take(available, limit - len(items), budget, bool(items), shown or answer_text)
        items.extend(available[:taken])
        if taken < len(available):
            next_state = (ref, skip + taken)
            stop = "size" if len(items) < limit else None
            break
        if page.next is None:
            break
        ref, skip = page.next, 0
        # A page that brings nothing yet says more exist: stop here rather than follow it page after page.
        if not page.items and not page.skipped:
            next_state, stop = (ref, 0), "stalled"
            break
        if len(items) >= limit:
            next_state = (ref, 0)
            break
        if progress is not None:
            await progress(len(items), limit, f"read {len(items)} {noun}")
    else:
        next_state = (ref, skip)
    next_cursor = handles.encode("page", {"s": scope, "r": next_state[0], "o": next_state[1]}) if next_state else None
    hint = _hint(len(items), noun, stop, budget) if next_cursor else None
    if skipped:
        hint = " ".join(filter(None, [skipped_note(skipped, noun), hint]))
    return Collected(items, next_cursor, hint)


class PageBudget:
    """The tokens an answer's records take, against ``limit`` (and their bytes, against ``PAGE_BYTES``). Bytes
    bound tokens from above (no token is shorter than a byte), so records are only counted for real once
    their bytes could pass the limit: most pages never load the tokenizer."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.bytes = 0
        self.exact = False
        self._texts: list[str] = []

    def admit(self, text: str, first: bool) -> bool:
        """Whether one more record (its text as answered) fits; the first record of an answer always does."""
        length = len(text.encode())
        if self.bytes + length > PAGE_BYTES and not first:
            return False
        size = count_tokens(text) if self.exact else length
        if not self.exact and self.used + size > self.limit:
            self.exact = True  # the bound no longer proves it: count what is in, then each record
            self.used = count_tokens("".join(self._texts)) if self._texts else 0
            self._texts = []
            size = count_tokens(text)
        if self.used + size > self.limit and not first:
            return False
        self.used += size
        self.bytes += length
        if not self.exact:
            self._texts.append(text)
        return True


def _take(available: list[T], need: int, budget: PageBudget, have_some: bool, shown: Callable[[T], str]) -> int:
    """How many of ``available`` fit both ``need`` and the token ``budget`` (``shown``: a record's text in the
    answer). The first item of an answer always goes in (``to_result`` clips one record that big)."""
    taken = 0
    for item in available[:need]:
        if not budget.admit(shown(item), first=not (have_some or taken)):
            break
        taken += 1
    return taken


def _hint(count: int, noun: str, stop: str | None, budget: PageBudget) -> str:
    again = "call again with the same arguments and cursor=next_cursor"
    why = {
        "preparing": (
            "the next page is still being prepared upstream: call again in a few seconds with the same arguments "
            "and cursor=next_cursor (it resumes the same job)."
        ),
        "size": (
            f"the answer reached its size limit (at most {PAGE_TOKENS:,} tokens, counted by o200k, or {PAGE_BYTES:,} "
            f"bytes of records; these took {budget.used:,} tokens{'' if budget.exact else ' or fewer'} and "
            f"{budget.bytes:,} bytes); {again} for the rest."
        ),
        "stalled": (
            "the API sent an empty page yet said more exist, so reading stopped: call again with "
            "cursor=next_cursor to try the next page, or treat the list as complete."
        ),
        "time": f"this call's time limit (OUTBOUND_MCP_MAX_WAIT) ran out before the next page; {again}.",
    }
    return f"Returned {count} {noun}; " + why.get(stop or "", f"more exist: {again}.")

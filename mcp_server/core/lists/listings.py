"""Pagination declared, not written: a strategy says how a page is asked for and what the next one is.

A list endpoint is a ``Listing`` (where, how its pages chain, what its records are); ``read`` runs it
over the shared ``ApiClient`` and ``paging.collect``, so a provider writes no page loop of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar, cast

from mcp_server.core.call.context import current
from mcp_server.core.lists.handles import scope
from mcp_server.core.lists.pages import Collected, Page, collect
from mcp_server.core.upstream.client import ApiClient
from mcp_server.core.upstream.endpoints import Endpoint
from mcp_server.core.upstream.records import parse_each
from mcp_server.core.upstream.values import is_obj

T = TypeVar("T")
More = Callable[[Any, list[Any]], bool]
"""Whether another page follows this answer (its body, its raw records)."""


@dataclass(frozen=True)
class Ask:
    """One page's request: parameters added to the listing's own, and a link to follow instead of its path."""

    params: dict[str, Any] = field(default_factory=lambda: {})
    target: str | None = None


class Strategy(Protocol):
    def ask(self, ref: Any) -> Ask:
        """The request for the page ``ref`` names (None: the first)."""
        ...

    def read(self, ref: Any, body: Any, raw: list[Any]) -> tuple[list[Any], Any]:
        """This answer's records to keep and the ref of the page after it (None: the last)."""
        ...


@dataclass(frozen=True)
class NextLink:
    """Each answer links to the next page (``key``), unless its ``more`` flag is False; the link is
    followed only to the listing's own endpoint."""

    key: str = "next_page"
    more: str | None = "has_more"

    def ask(self, ref: Any) -> Ask:
        return Ask(target=ref if isinstance(ref, str) else None)

    def read(self, ref: Any, body: Any, raw: list[Any]) -> tuple[list[Any], Any]:
        if not is_obj(body) or (self.more and body.get(self.more) is False):
            return raw, None
        link = body.get(self.key)
        return raw, link if isinstance(link, str) and link else None


@dataclass(frozen=True)
class Offset:
    """Records counted from ``offset``; ``limit`` (when named) asks for ``size`` a page."""

    more: More
    offset: str = "offset"
    limit: str | None = None
    size: int = 0
    send_zero: bool = True
    """False: the first page goes without an offset at all."""

    def ask(self, ref: Any) -> Ask:
        at = int(ref or 0)
        params: dict[str, Any] = {self.limit: self.size} if self.limit else {}
        return Ask({**params, **({self.offset: at} if at or self.send_zero else {})})

    def read(self, ref: Any, body: Any, raw: list[Any]) -> tuple[list[Any], Any]:
        return raw, int(ref or 0) + len(raw) if raw and self.more(body, raw) else None


def full(size: int) -> More:
    """A page as long as asked for says more may follow."""
    return lambda body, raw: len(raw) >= size


@dataclass(frozen=True)
class PageNumber:
    """Pages numbered from ``first``; ``per_page`` (when named) asks for ``size`` a page."""

    param: str = "page"
    per_page: str | None = None
    size: int = 0
    more: More | None = None
    """Default: a full page (``size`` records) says more may follow."""
    first: int = 1

    def ask(self, ref: Any) -> Ask:
        params = {self.param: int(ref or self.first)}
        return Ask({**params, self.per_page: self.size} if self.per_page else params)

    def read(self, ref: Any, body: Any, raw: list[Any]) -> tuple[list[Any], Any]:
        more = self.more or full(self.size)
        return raw, int(ref or self.first) + 1 if raw and more(body, raw) else None


@dataclass(frozen=True)
class TokenChain:
    """Each answer carries the token that asks for the next page (``token`` finds it); the first asks with
    ``start``."""

    param: str
    token: Callable[[Any], Any]
    start: str = ""

    def ask(self, ref: Any) -> Ask:
        return Ask({self.param: ref if isinstance(ref, str) else self.start})

    def read(self, ref: Any, body: Any, raw: list[Any]) -> tuple[list[Any], Any]:
        token = self.token(body)
        return raw, token if isinstance(token, str) and token and raw else None


@dataclass(frozen=True)
class OnePage:
    """An endpoint that answers everything at once: paged here only for ``limit`` and the cursor."""

    def ask(self, ref: Any) -> Ask:
        return Ask()

    def read(self, ref: Any, body: Any, raw: list[Any]) -> tuple[list[Any], Any]:
        return raw, None


@dataclass(frozen=True)
class Listing(Generic[T]):
    """The paged endpoint a ``tool`` lists, through the client ``api`` finds for a call's context:
    ``rows`` finds an answer's raw records, ``record`` reads one."""

    tool: str
    api: Callable[[Any], ApiClient]
    endpoint: Endpoint
    paging: Strategy
    rows: Callable[[Any], list[Any]]
    record: Callable[[Any], T]
    noun: str
    form: bool = False
    """The parameters go as a form body, not in the query."""
    skip_unreadable: bool = True
    """A record ``record`` cannot read is left out and counted (``records.parse_each``); False: it fails."""
    shown: Callable[[T], str] | None = None
    """A record as the answer shows it, for the page's token budget (default: its JSON; ``shapes.row_text``
    for a list answered as a table, whose rows are much smaller than their records)."""


Send = Callable[[Ask, dict[str, Any]], Awaitable[Any]]
"""Sends one page's request (``Ask`` with the listing's parameters merged in) and answers its body. The
second argument is the page's own state (``{"page": ref}`` at first): what ``send`` keeps in it (say, the
job that prepares the page) goes into a cursor that stops within or before this page, so the next call
resumes that job rather than starting another; a page not ready yet is ``PageNotReady(state)``."""


async def read(
    ctx: Any,
    listing: Listing[T],
    limit: int,
    cursor: str | None,
    filters: Mapping[str, Any],
    *,
    send: Send | None = None,
    keep: Callable[[list[Any]], list[Any]] | None = None,
    seen: Callable[[Any], None] | None = None,
    local: Mapping[str, Any] | None = None,
) -> Collected[T]:
    """Read ``listing`` until ``limit`` records; the filters left unset (None) are not sent.

    ``send`` replaces the plain request (Snov.io's searches start a job per page); ``keep`` filters the raw
    records again once their page is read (for a server that ignores a filter); ``seen`` is shown each
    answer's body (for what a tool reports beside the records, such as a total); ``local`` names the filters
    ``keep`` applies here (not sent), for the cursor's scope and the empty answer's words.

    An answer with nothing in it says so, naming what was searched: an empty list is never left to be read
    as "there are none" when a filter matched nothing."""
    params = {name: value for name, value in filters.items() if value is not None}
    applied = {**params, **{name: value for name, value in (local or {}).items() if value is not None}}
    paging = listing.paging
    # Only a send of its own keeps state in a page's ref; a plain ref is the strategy's alone.
    held = send is not None
    send = send or _sender(listing.api(ctx), listing)

    async def fetch(ref: Any) -> Page[T]:
        state: dict[str, Any] = ref if held and is_obj(ref) else {"page": ref}
        page = state["page"]
        ask = paging.ask(page)
        body = await send(Ask({**params, **ask.params}, ask.target), state)
        if seen:
            seen(body)
        raw, following = paging.read(page, body, listing.rows(body))
        raw = keep(raw) if keep else raw
        following = {"page": following} if held and following is not None else following
        if not listing.skip_unreadable:
            return Page([listing.record(item) for item in raw], following)
        readable = parse_each(cast(Callable[[Any], Any], listing.record), raw)  # records of any type
        return Page(readable.items, following, skipped=readable.skipped)

    got = await collect(
        fetch,
        limit=limit,
        cursor=cursor,
        # The path carries the ids a list is of (a campaign's leads): a cursor is bound to them as to filters.
        scope=scope(path=listing.endpoint.path, **applied),
        progress=current().progress,
        noun=listing.noun,
        shown=listing.shown,
    )
    if not got.items and got.next_cursor is None:
        got.hint = " ".join(filter(None, [got.hint, nothing_matched(listing.noun, applied, bool(cursor))]))
    return got


def nothing_matched(noun: str, applied: Mapping[str, Any], resumed: bool) -> str:
    """The words of an empty answer: what was searched, and that nothing matched it."""
    if resumed:
        return f"No more {noun}: the list ended with the previous page."
    if not applied:
        return f"No {noun}: the list is empty."
    searched = ", ".join(f"{name}={value}" for name, value in applied.items())
    return f"No {noun} matched {searched}: nothing was found for these filters (loosen or drop one to see more)."


def _sender(api: ApiClient, listing: Listing[Any]) -> Send:
    endpoint = listing.endpoint

    async def send(ask: Ask, _: dict[str, Any]) -> Any:
        # A link from an answer is followed only to this same endpoint (its query is its own).
        link = endpoint.link if ask.target else None
        if listing.form:
            response = await endpoint.send(api, ask.target, data=ask.params, link=link)
        else:
            response = await endpoint.send(api, ask.target, params=ask.params or None, link=link)
        return response.data

    return send

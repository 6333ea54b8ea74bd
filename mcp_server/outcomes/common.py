"""What the outcome tools share: whole lists read without streaming them to the model, name matching,
and signed resume handles whose state lives in the state store."""

from __future__ import annotations

import difflib
import json
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from mcp_server.app.providers import state_of
from mcp_server.core.errors import InvalidInput
from mcp_server.core.guards import is_json_object
from mcp_server.core.lists import handles
from mcp_server.core.lists.listings import Listing, read
from mcp_server.core.lists.pages import Collected

T = TypeVar("T")
PAGE = 1000
"""Records asked for per read of a whole list (the paginator still pages upstream at the vendor's size)."""
RESUME_TTL = 3600.0
"""Seconds a resume handle's saved state is kept."""
HANDLE_KIND = "outcome-resume"
NAMES_SHOWN = 15


Reader = Callable[[Any, Listing[T], int, "str | None", Mapping[str, Any]], Awaitable[Collected[T]]]
"""How a provider reads one page of a list: the core's ``read``, or Epixel's ``read_list``."""


async def read_all(
    ctx: Any, listing: Listing[T], filters: Mapping[str, Any], cap: int, reader: Reader[T] | None = None
) -> tuple[list[T], bool]:
    """Every record of ``listing`` up to ``cap``, following cursors inside this one call; True when the cap
    (or the call's time) cut it short. The records stay in the server: the tools answer counts and tables."""
    items: list[T] = []
    cursor: str | None = None
    while len(items) < cap:
        got = await (reader or read)(ctx, listing, min(PAGE, cap - len(items)), cursor, filters)
        items += got.items
        cursor = got.next_cursor
        if cursor is None:
            return items, False
    return items, True


def closest(wanted: str, names: Sequence[str], n: int = 3) -> list[str]:
    """The names nearest to ``wanted`` (case-insensitive), best first: for "no campaign is named X"."""
    lowered = {name.lower(): name for name in names}
    near = difflib.get_close_matches(wanted.lower(), list(lowered), n=n, cutoff=0.3)
    contains = [name for low, name in lowered.items() if wanted.lower() in low or low in wanted.lower()]
    picked = list(dict.fromkeys([*contains, *(lowered[low] for low in near)]))
    return picked[:n]


def resolve_name(wanted: str, names: Mapping[str, str], what: str, field: str) -> str:
    """The id of the one item named ``wanted`` (exact, else case-insensitive, else the only one containing
    it); otherwise an error naming the closest names, since a guessed campaign would be a silent wrong."""
    if wanted in names:
        return names[wanted]
    folded = {name.lower(): name for name in names}
    if wanted.lower() in folded:
        return names[folded[wanted.lower()]]
    containing = [name for name in names if wanted.lower() in name.lower()]
    if len(containing) == 1:
        return names[containing[0]]
    near = containing or closest(wanted, list(names))
    # Nothing close: the names themselves (a few), so the next call can pick one without another list call.
    listed = ", ".join(f'"{name}"' for name in (near or list(names)[:NAMES_SHOWN]))
    if not near:
        listed = f"none is close; the {what} names are {listed}" + (", ..." if len(names) > NAMES_SHOWN else "")
    raise InvalidInput(
        f'no {what} is named "{wanted}"' + (" exactly (several contain it)" if len(containing) > 1 else ""),
        field=field,
        hint=f"Closest {what} names: {listed}. Call again with one of them exactly; nothing was sent or spent.",
    )


async def save_progress(ctx: Any, scope: str, progress: Mapping[str, Any]) -> str:
    """A signed handle for ``progress`` (kept in the state store, so any process on it can resume)."""
    key = secrets.token_urlsafe(12)
    await state_of(ctx).store.set(f"outcomes:resume:{key}", json.dumps(progress).encode(), ttl=RESUME_TTL)
    return handles.encode(HANDLE_KIND, {"k": key, "s": scope})


async def load_progress(ctx: Any, scope: str, handle: str) -> dict[str, Any]:
    """The progress a handle of this tool, caller and arguments (``scope``: ``handles.scope``) saved; a clear
    error otherwise."""
    payload = handles.decode(HANDLE_KIND, handle, "handle")
    if payload.get("s") != scope:
        raise InvalidInput(
            "handle belongs to a call with other arguments",
            field="handle",
            hint="Resume with exactly the arguments of the call that returned the handle, or leave handle out.",
        )
    raw = await state_of(ctx).store.get(f"outcomes:resume:{payload.get('k')}")
    if raw is None:
        raise InvalidInput(
            "handle has expired (kept an hour) or was already used to finish the run",
            field="handle",
            hint="Call again without handle: steps already paid for or written are found again and not repeated.",
        )
    loaded: object = json.loads(raw)
    return loaded if is_json_object(loaded) else {}


async def finish_progress(ctx: Any, handle: str | None) -> None:
    """Forget a finished run's saved progress."""
    if not handle:
        return
    payload = handles.decode(HANDLE_KIND, handle, "handle")
    await state_of(ctx).store.delete(f"outcomes:resume:{payload.get('k')}")

"""Finding a record a create answered without: Epixel's document gives creates no success body, and real servers
were recorded answering only a message. One read finds the record just written; if it cannot, the tool still
reports the write as done (never as an error, which would invite the same write again)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcp_server.core.errors import OutboundError
from mcp_server.core.upstream.client import ApiClient
from mcp_server.core.upstream.endpoints import Endpoint
from mcp_server.core.upstream.values import is_obj, objs
from mcp_server.providers.epixel.client import page_of


async def find_record(
    api: ApiClient, endpoint: Endpoint, params: dict[str, Any], match: Callable[[dict[str, Any]], bool]
) -> dict[str, Any] | None:
    """The first record of ``endpoint``'s answer that ``match`` accepts; None when none does or the read fails."""
    try:
        response = await endpoint.send(api, params=params)
        rows, _ = page_of(response.data, "records")
    except OutboundError:
        return None
    return next((row for row in objs(rows) if match(row)), None)


async def find_note(api: ApiClient, lead: Endpoint, slug: str, note: str) -> dict[str, Any] | None:
    """The newest note of lead ``slug`` whose text is ``note``."""
    try:
        response = await lead.send(api, params={"slug": slug})
    except OutboundError:
        return None
    data = response.data
    notes = objs(data.get("notes")) if is_obj(data) else []
    same = [n for n in notes if str(n.get("note", "")).strip() == note.strip() and n.get("id") is not None]
    return max(same, key=lambda n: str(n.get("id")).zfill(20), default=None)

"""Do-not-contact domains: list and add."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_server.core.errors import ApiError
from mcp_server.core.lists.listings import read
from mcp_server.core.tools.answer_models import Paged
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.core.upstream.values import obj
from mcp_server.providers.persistiq.client import Endpoints, Lists, parse, persistiq
from mcp_server.providers.persistiq.models import Cursor, DncAdded, DncDomain, Limit

toolset = Toolset("persistiq")
"""This module's tools, in the order the provider lists them (providers/persistiq/provider.py)."""

DOMAIN = r"^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"


@toolset.tool("List PersistIQ do-not-contact domains", Access.READ, example={"limit": 50})
async def persistiq_list_dnc_domains(
    ctx: Context,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Paged[DncDomain]:
    """The do-not-contact domains: PersistIQ emails no address at them."""
    return Paged[DncDomain].of(await read(ctx, Lists.dnc_domains, limit, cursor, {}))


@toolset.tool("Add a PersistIQ do-not-contact domain", Access.WRITE, example={"name": "competitor.io"})
async def persistiq_create_dnc_domain(
    ctx: Context,
    name: Annotated[str, Field(pattern=DOMAIN, max_length=253)],
) -> DncAdded:
    """Block a domain: PersistIQ emails no address at it. One already listed answers already_listed: true."""
    domain = name.lower()
    try:
        response = await Endpoints.add_dnc_domain.send(persistiq(ctx).api, json_body={"name": domain})
    except ApiError as error:
        if error.status not in (400, 409, 422) or ALREADY not in error.message.lower():
            raise
        found = await read(ctx, Lists.dnc_domains, 1000, None, {})
        listed = next((d for d in found.items if d.name.lower() == domain), None)
        return DncAdded(
            id=listed.id if listed else None,
            name=domain,
            already_listed=True,
            hint="Already on the do-not-contact list: nothing was changed.",
        )
    added = parse(DncDomain, obj(response.data).get("dnc_domain"), "DNC domain")
    return DncAdded(id=added.id, name=added.name)


ALREADY = "already been taken"
"""PersistIQ's words (a 400) for a domain already on the list."""

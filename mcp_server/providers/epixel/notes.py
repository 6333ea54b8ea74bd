"""Lead note tools: add and delete (epixel_get_lead lists a lead's notes)."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_server.core.errors import BadResponse
from mcp_server.core.tools.confirmations import destructive
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.core.upstream.values import obj
from mcp_server.providers.epixel.client import LABEL, Endpoints, epixel, parse
from mcp_server.providers.epixel.found import find_note
from mcp_server.providers.epixel.inputs import LeadNote, Slug
from mcp_server.providers.epixel.models import Done, SavedNote, message_only

toolset = Toolset("epixel")
"""This module's tools, in the order the provider lists them (providers/epixel/provider.py)."""

NoteId = Annotated[int, Field(ge=1)]


@toolset.tool("Add an Epixel lead note", Access.WRITE, example={"slug": "lead1", "note": "Asked for a demo next week"})
async def epixel_create_lead_note(ctx: Context, slug: Slug, note: LeadNote) -> SavedNote:
    """Add a note to a lead the user owns or is assigned; answers its id."""
    sent, api = {"slug": slug, "note": note}, epixel(ctx).api
    response = await Endpoints.create_note.send(api, data=sent)
    said = message_only(response.data)
    found = await find_note(api, Endpoints.lead, slug, note) if said is not None else None
    if found is not None:
        return parse(SavedNote, found, "note")
    if said is not None:  # a success without the record: not an error, never re-sent
        hint = f"Epixel saved the note and answered only '{said}', without its id: see it with epixel_get_lead."
        return SavedNote.model_validate({**sent, "hint": hint})
    if obj(response.data).get("id") is None:
        raise BadResponse(
            "Epixel saved the note but answered without its id",
            provider=LABEL,
            hint="See the lead's notes with epixel_get_lead before adding it again.",
        )
    return parse(SavedNote, response.data, "note")


@toolset.tool(
    "Delete an Epixel lead note",
    Access.DESTRUCTIVE,
    confirm=destructive(lambda a: f"Delete Epixel lead note {a['note_id']}"),
    example={"note_id": 1},
)
async def epixel_delete_lead_note(ctx: Context, note_id: NoteId) -> Done:
    """DESTRUCTIVE: delete a note the user wrote, for good."""
    response = await Endpoints.delete_note.send(epixel(ctx).api, data={"note_id": str(note_id)})
    return Done(deleted=str(note_id), message=obj(response.data).get("message"))

"""outreach_log_meeting: an Epixel lead found (by email) or created, an appointment and a note, in one call."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_server.core.call.progress import from_context
from mcp_server.core.errors import InvalidInput, OutboundError
from mcp_server.core.tools.answer_models import Maybe
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.outcomes.common import read_all
from mcp_server.outcomes.models import Meeting
from mcp_server.providers.epixel.appointments import epixel_create_appointment
from mcp_server.providers.epixel.client import read_list
from mcp_server.providers.epixel.inputs import AppointmentNote, Email, LeadNote, Name, Phone, When
from mcp_server.providers.epixel.leads import LEADS, epixel_create_lead
from mcp_server.providers.epixel.notes import epixel_create_lead_note

toolset = Toolset("outcomes")

LEADS_CAP = 20_000
"""Epixel leads searched for the email at most (its list has no email filter)."""


@toolset.tool(
    "Log a meeting with a lead (Epixel)",
    Access.WRITE,
    example={"email": "ann.lee@acme.com", "starts": "2031-05-01T15:00:00+00:00", "ends": "2031-05-01T15:30:00+00:00"},
)
async def outreach_log_meeting(
    ctx: Context,
    email: Email,
    starts: Annotated[When, Field(description="CRM wall clock")],
    ends: Annotated[When, Field(description="Not before starts")],
    note: Annotated[Maybe[LeadNote], Field(description="On the lead")] = None,
    agenda: Annotated[Maybe[AppointmentNote], Field(description="The appointment's note")] = None,
    first_name: Maybe[Name] = None,
    last_name: Maybe[Name] = None,
    phone: Maybe[Phone] = None,
) -> Meeting:
    """Record a meeting in Epixel: finds the lead by email among the user's (or creates it: then first_name, last_name
    and phone are needed), books the appointment, adds the note."""
    progress = from_context(ctx)
    await progress(0, 3, "finding the lead")
    slug = await _find(ctx, email)
    created = slug is None
    if slug is None:
        missing = [n for n, v in (("first_name", first_name), ("last_name", last_name), ("phone", phone)) if not v]
        if missing:
            raise InvalidInput(
                f"no Epixel lead has the email {email}, and creating one needs {', '.join(missing)}",
                field=missing[0],
                hint="Give first_name, last_name and phone (9-15 digits, an optional leading +), or the email of "
                "an existing lead. Nothing was written.",
            )
        assert first_name and last_name and phone
        lead = await epixel_create_lead(ctx, first_name=first_name, last_name=last_name, email=email, phone=phone)
        if lead.slug is None:  # Epixel answered only a message, and the read after it did not find the lead
            raise InvalidInput(
                f"the Epixel lead {email} was created, but Epixel did not say its slug",
                field="email",
                hint=f"{lead.hint or ''} Call this tool again with the same arguments: it finds the lead by its "
                "email and books the appointment. Nothing else was written.".strip(),
            )
        slug = lead.slug
    done = f"Lead {slug} was {'created' if created else 'found'}"
    try:
        await progress(1, 3, "booking the appointment")
        appointment = await epixel_create_appointment(
            ctx, slug=slug, appointment_date=starts, appointment_to=ends, appointment_note=agenda
        )
        done += f", appointment {appointment.id} booked"
        note_id = None
        if note:
            await progress(2, 3, "adding the note")
            note_id = (await epixel_create_lead_note(ctx, slug=slug, note=note)).id
    except OutboundError as error:
        # What is already written is said, so a retry repeats only the step that failed.
        error.hint = " ".join(
            part
            for part in (
                error.hint,
                f"{done}; the rest was not written. Finish with epixel_create_appointment / epixel_create_lead_note "
                f"on slug {slug} (calling this tool again finds the lead, and books the appointment again).",
            )
            if part
        )
        raise
    hints = ["A new lead was created: no lead had this email." if created else None]
    if appointment.id is None:  # Epixel answered only a message: the appointment is booked, its id unknown
        hints.append(appointment.hint)
    return Meeting(
        slug=slug,
        lead_created=created,
        appointment_id=_text(appointment.id),
        note_id=_text(note_id),
        hint=" ".join(h for h in hints if h) or None,
    )


async def _find(ctx: Context, email: str) -> str | None:
    wanted = email.strip().lower()
    for list_type in (None, "assigned"):
        leads, _ = await read_all(ctx, LEADS, {"list_type": list_type}, LEADS_CAP, read_list)
        for lead in leads:
            if (lead.email or "").strip().lower() == wanted:
                return lead.slug
    return None


def _text(value: object) -> str | None:
    return None if value is None else str(value)

"""Appointment tools: list, create, update, delete; times go upstream as the wall-clock ``YYYY-MM-DD HH:MM``."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_server.core.errors import BadResponse, InvalidInput
from mcp_server.core.tools.answer_models import Maybe, Paged
from mcp_server.core.tools.confirmations import destructive
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.core.upstream.client import ApiClient
from mcp_server.core.upstream.values import is_obj, obj
from mcp_server.providers.epixel import filters
from mcp_server.providers.epixel.client import LABEL, Endpoints, epixel, listing, parse, read_list
from mcp_server.providers.epixel.found import find_record
from mcp_server.providers.epixel.inputs import (
    AppointmentId,
    AppointmentNote,
    AppointmentStatus,
    Cursor,
    Limit,
    Period,
    Slug,
    When,
    form,
    schedule,
)
from mcp_server.providers.epixel.models import Appointment, Done, SavedAppointment, message_only

toolset = Toolset("epixel")
"""This module's tools, in the order the provider lists them (providers/epixel/provider.py)."""


async def created_appointment(api: ApiClient, data: Any, sent: dict[str, str]) -> SavedAppointment:
    """The booked appointment; an answer with only a message is a success: the appointment is then looked up."""
    said = message_only(data)
    if said is None:
        return saved_appointment(data)

    def same(row: dict[str, Any]) -> bool:
        start = row.get("appointment_date", row.get("start"))
        return row.get("id") is not None and row.get("slug") == sent["slug"] and start == sent["appointment_date"]

    found = await find_record(api, Endpoints.appointments, {"slug": sent["slug"], "limit": 100}, same)
    if found is not None:
        return parse(SavedAppointment, found, "appointment")
    # A success without the record: not an error (an error would invite the same write again).
    hint = (
        f"Epixel booked the appointment and answered only '{said}', without its id: find it with "
        "epixel_list_appointments(slug=...) before changing it. Do not book it again."
    )
    return SavedAppointment.model_validate({**sent, "hint": hint})


def saved_appointment(data: Any) -> SavedAppointment:
    if not is_obj(data) or data.get("id") is None:
        raise BadResponse(
            "Epixel saved the appointment but answered without its id",
            provider=LABEL,
            hint="Find it with epixel_list_appointments before trying again.",
        )
    return parse(SavedAppointment, data, "appointment")


APPOINTMENTS = listing("epixel_list_appointments", Endpoints.appointments, Appointment)


@toolset.tool(
    "List Epixel appointments",
    Access.READ,
    aliases={"appointment": "period", "appointment_status": "status"},
    example={"period": "month", "status": "confirmed", "limit": 20},
)
async def epixel_list_appointments(
    ctx: Context,
    period: Maybe[Period] = None,
    status: Maybe[AppointmentStatus] = None,
    slug: Annotated[Maybe[Slug], Field(description="Only this lead's")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Paged[Appointment]:
    """The user's appointments by start time. Times are the CRM's wall clock (the API gives no zone)."""
    local = [
        *([filters.period(period)] if period else []),
        *([filters.equals("status", status, "appointment_status", "status")] if status else []),
        *([filters.equals("slug", slug, "slug")] if slug else []),
    ]
    sent = {"appointment": period, "appointment_status": status, "slug": slug}
    return Paged[Appointment].of(await read_list(ctx, APPOINTMENTS, limit, cursor, sent, local))


@toolset.tool(
    "Create an Epixel appointment",
    Access.WRITE,
    example={"slug": "lead1", "appointment_date": "2031-05-01T15:00:00", "appointment_to": "2031-05-01T15:30:00"},
)
async def epixel_create_appointment(
    ctx: Context,
    slug: Slug,
    appointment_date: Annotated[When, Field(description="In the future")],
    appointment_to: Annotated[When, Field(description="Not before the start")],
    appointment_note: Maybe[AppointmentNote] = None,
    appointment_status: Maybe[AppointmentStatus] = None,
) -> SavedAppointment:
    """Book an appointment with a lead. Times are the CRM's wall clock, as given (15:00+05:30 books 15:00). Refused if
    it overlaps one of the user's."""
    times = schedule(appointment_date, appointment_to)
    data = {"slug": slug, **times, **form(appointment_note=appointment_note, appointment_status=appointment_status)}
    api = epixel(ctx).api
    response = await Endpoints.create_appointment.send(api, data=data)
    return await created_appointment(api, response.data, data)


@toolset.tool(
    "Update an Epixel appointment",
    Access.IDEMPOTENT_WRITE,
    example={"appointment_id": 1013, "appointment_note": "Agenda: pricing"},
)
async def epixel_update_appointment(
    ctx: Context,
    appointment_id: AppointmentId,
    slug: Annotated[Maybe[Slug], Field(description="Move it to this lead")] = None,
    appointment_date: Annotated[Maybe[When], Field(description="New start, in the future")] = None,
    appointment_to: Annotated[Maybe[When], Field(description="New end")] = None,
    appointment_note: Maybe[AppointmentNote] = None,
    appointment_status: Maybe[AppointmentStatus] = None,
) -> Appointment:
    """Reschedule, re-note or change the status of an appointment the user created; give only what changes. A new start
    after the current end needs appointment_to too."""
    fields = form(slug=slug, appointment_note=appointment_note, appointment_status=appointment_status)
    fields |= schedule(appointment_date, appointment_to)
    if not fields:
        raise InvalidInput(
            "nothing to change: only appointment_id was given",
            field="appointment_status",
            hint="Pass at least one of slug, appointment_date, appointment_to, appointment_note, appointment_status.",
        )
    data = {"appointment_id": str(appointment_id), **fields}
    response = await Endpoints.update_appointment.send(epixel(ctx).api, data=data)
    return saved_appointment(response.data)


@toolset.tool(
    "Delete an Epixel appointment",
    Access.DESTRUCTIVE,
    confirm=destructive(
        lambda a: f"Delete Epixel appointment {a['appointment_id']}",
        instead="To keep a record, epixel_update_appointment can set its status to cancelled.",
    ),
    example={"appointment_id": 1013},
)
async def epixel_delete_appointment(ctx: Context, appointment_id: AppointmentId) -> Done:
    """DESTRUCTIVE: delete an appointment the user created (to keep it, set status cancelled with
    epixel_update_appointment)."""
    data = {"appointment_id": str(appointment_id)}
    response = await Endpoints.delete_appointment.send(epixel(ctx).api, data=data)
    return Done(deleted=str(appointment_id), message=obj(response.data).get("message"))

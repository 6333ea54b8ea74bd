"""Every documented input rule is refused before any request, with the field named."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from outbound_sandbox.app import Sandbox
from tests.providers.epixel.helpers import NEW_LEAD, ahead, iso, refused
from tests.providers.typed import text_of

pytestmark = pytest.mark.anyio

LONG = "x" * 256
START, END = iso(ahead(30)), iso(ahead(30, hour=4))
APPOINTMENT = {"slug": "lead1", "appointment_date": START, "appointment_to": END}
CASES: list[tuple[str, dict[str, Any], str]] = [
    ("epixel_create_lead", {**NEW_LEAD, "first_name": LONG}, "first_name"),
    ("epixel_create_lead", {**NEW_LEAD, "last_name": LONG}, "last_name"),
    ("epixel_create_lead", {**NEW_LEAD, "first_name": ""}, "first_name"),
    ("epixel_create_lead", {**NEW_LEAD, "email": "a" * 250 + "@example.com"}, "email"),
    ("epixel_create_lead", {**NEW_LEAD, "email": "jane.example.com"}, "email"),
    ("epixel_create_lead", {**NEW_LEAD, "email": "jane@example"}, "email"),
    ("epixel_create_lead", {**NEW_LEAD, "location": LONG}, "location"),
    ("epixel_create_lead", {**NEW_LEAD, "message": LONG}, "message"),
    ("epixel_create_lead", {**NEW_LEAD, "phone": "+1 555 123"}, "phone"),
    ("epixel_create_lead", {**NEW_LEAD, "phone": "1234567890123456"}, "phone"),
    ("epixel_create_lead", {**NEW_LEAD, "status": "hot"}, "status"),
    ("epixel_create_lead", {k: v for k, v in NEW_LEAD.items() if k != "phone"}, "phone"),
    ("epixel_update_lead", {"slug": "lead1", "email": "not-an-email"}, "email"),
    ("epixel_update_lead", {"slug": "lead1", "phone": "555-1234"}, "phone"),
    ("epixel_update_lead", {"slug": "lead1", "status": "Customer"}, "status"),
    ("epixel_update_lead", {"slug": "lead1"}, "status"),  # nothing to change
    ("epixel_list_leads", {"status": "lost"}, "status"),
    ("epixel_list_leads", {"list_type": "shared"}, "list_type"),
    ("epixel_create_appointment", {**APPOINTMENT, "appointment_note": "n" * 201}, "appointment_note"),
    ("epixel_create_appointment", {**APPOINTMENT, "appointment_status": "fulfilled"}, "appointment_status"),
    ("epixel_create_appointment", {**APPOINTMENT, "appointment_date": "next tuesday"}, "appointment_date"),
    ("epixel_create_appointment", {**APPOINTMENT, "appointment_to": "31/12/2030 10:00"}, "appointment_to"),
    ("epixel_create_appointment", {**APPOINTMENT, "appointment_date": "2020-03-01T10:00:00Z"}, "appointment_date"),
    ("epixel_create_appointment", {**APPOINTMENT, "appointment_to": iso(ahead(29))}, "appointment_to"),
    ("epixel_update_appointment", {"appointment_id": 1013, "appointment_status": "done"}, "appointment_status"),
    ("epixel_update_appointment", {"appointment_id": 1013, "appointment_note": "n" * 201}, "appointment_note"),
    ("epixel_update_appointment", {"appointment_id": 1013, "appointment_date": iso(ahead(-1))}, "appointment_date"),
    ("epixel_update_appointment", {"appointment_id": 0, "appointment_status": "confirmed"}, "appointment_id"),
    ("epixel_update_appointment", {"appointment_id": 1013}, "appointment_status"),  # nothing to change
    ("epixel_list_appointments", {"status": "done"}, "status"),
    ("epixel_get_leads_overview", {"period": "year"}, "period"),
    ("epixel_create_lead_note", {"slug": "lead1", "note": "n" * 500}, "note"),
    ("epixel_create_lead_note", {"slug": "lead1", "note": ""}, "note"),
    ("epixel_delete_lead_note", {"note_id": "abc"}, "note_id"),
]


@pytest.mark.parametrize(("tool", "args", "field"), CASES, ids=[f"{t}-{f}-{i}" for i, (t, _, f) in enumerate(CASES)])
async def test_a_value_the_doc_forbids_is_refused_before_any_request_naming_the_field(
    mcp: Client, sandbox: Sandbox, tool: str, args: dict[str, Any], field: str
):
    text = await refused(mcp, tool, args)
    assert field in text
    assert sandbox.env.requests == []


async def test_an_appointment_that_ends_before_it_starts_is_refused_with_both_times_and_no_request(
    mcp: Client, sandbox: Sandbox
):
    text = await refused(
        mcp,
        "epixel_create_appointment",
        {"slug": "lead1", "appointment_date": "2031-05-01T10:00:00+02:00", "appointment_to": "2031-05-01T07:30:00Z"},
    )
    assert "appointment_to 2031-05-01 07:30 is before appointment_date 2031-05-01 10:00" in text  # wall clocks
    assert "The end must be at or after the start" in text
    assert sandbox.env.requests == []


async def test_the_largest_documented_values_pass_validation_and_reach_the_api(mcp: Client, sandbox: Sandbox):
    args = {**NEW_LEAD, "first_name": "f" * 255, "location": "l" * 255, "message": "m" * 255, "phone": "1" * 15}
    result = await mcp.call_tool("epixel_create_lead", args)
    assert not result.is_error, text_of(result)
    assert len(sandbox.env.handled("POST", "/epixel/api/v1/leads/create/lead/")) == 1

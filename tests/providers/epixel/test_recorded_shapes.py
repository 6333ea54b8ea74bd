"""The Epixel tools against what real servers were recorded answering (the sandbox's recorded profile): creates
answered only by a message, and the document's phone message, which is the common 9-15-digit validator's.
Sources: docs/upstream-assumptions.md."""

from __future__ import annotations

import pytest
from mcp import Client

from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault
from tests.providers.epixel.helpers import NEW_LEAD, ahead, calls, iso, ok, refused

pytestmark = pytest.mark.anyio


@pytest.fixture
def recorded(sandbox: Sandbox):
    sandbox.config.profile = "recorded"
    return sandbox


async def test_a_lead_create_answered_only_by_a_message_is_a_success_and_the_lead_is_found_by_its_email(
    mcp: Client, recorded: Sandbox
):
    before = len(recorded.epixel.store.leads)
    created = await ok(mcp, "epixel_create_lead", NEW_LEAD)

    assert len(recorded.epixel.store.leads) == before + 1
    (lead,) = [x for x in recorded.epixel.store.leads.values() if x.email == NEW_LEAD["email"]]
    assert created["slug"] == lead.slug and created["email"] == NEW_LEAD["email"]


async def test_a_message_only_create_whose_lead_cannot_be_found_is_still_a_success_that_says_how_to_find_it(
    mcp: Client, recorded: Sandbox
):
    recorded.config.add_fault("GET /epixel/api/v1/leads/list/", Fault("status", status=403))
    before = len(recorded.epixel.store.leads)
    created = await ok(mcp, "epixel_create_lead", NEW_LEAD)

    assert len(recorded.epixel.store.leads) == before + 1
    assert created["email"] == NEW_LEAD["email"] and "slug" not in created
    assert "Lead created successfully." in created["hint"] and "Do not create it again" in created["hint"]


async def test_an_appointment_and_a_note_answered_only_by_a_message_are_found_with_their_ids(
    mcp: Client, recorded: Sandbox
):
    slug = recorded.epixel.store.owned()[0].slug
    start, end = iso(ahead(30)), iso(ahead(30, hour=4))
    booked = await ok(
        mcp, "epixel_create_appointment", {"slug": slug, "appointment_date": start, "appointment_to": end}
    )
    noted = await ok(mcp, "epixel_create_lead_note", {"slug": slug, "note": "Called back"})

    assert booked["id"] in recorded.epixel.store.appointments and booked["slug"] == slug
    assert noted["id"] and noted["slug"] == slug


@pytest.mark.parametrize("phone", ["+4912345678", "123456789", "+123456789012345"])
async def test_a_phone_of_9_to_15_digits_with_an_optional_plus_is_accepted(mcp: Client, recorded: Sandbox, phone: str):
    await ok(mcp, "epixel_create_lead", {**NEW_LEAD, "phone": phone})


@pytest.mark.parametrize("phone", ["12345", "12345678"])
async def test_a_phone_of_fewer_than_9_or_more_than_15_digits_is_refused_before_any_request(
    mcp: Client, recorded: Sandbox, phone: str
):
    text = await refused(mcp, "epixel_create_lead", {**NEW_LEAD, "phone": phone})

    assert "phone" in text and calls(recorded, "POST") == []

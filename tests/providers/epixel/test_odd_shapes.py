"""Epixel answers in shapes no document shows (it gives no success bodies), read as the least helpful Django REST
framework server could send them: a phone as a number, a person as a nested object or a bare user id. Each lead
is read and listed, never skipped or filtered out for its shape."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault
from tests.providers.epixel.helpers import ok
from tests.tables import rows

pytestmark = pytest.mark.anyio


async def listed(mcp: Client, sandbox: Sandbox, **fields: Any) -> list[dict[str, Any]]:
    owner = sandbox.epixel.store.owned()[0].owner
    lead: dict[str, Any] = {"slug": "ann-1", "first_name": "Ann", "email": "ann@example.org", "owner": owner, **fields}
    body: dict[str, Any] = {"status_code": 200, "errors": {}, "data": [lead]}
    sandbox.config.add_fault("GET /epixel/api/v1/leads/list/*", Fault("body", status=200, body=body))
    return rows(await ok(mcp, "epixel_list_leads", {}))


async def test_a_phone_sent_as_a_number_is_listed_as_its_digits(mcp: Client, sandbox: Sandbox):
    (lead,) = await listed(mcp, sandbox, phone=4912345678)

    assert lead["slug"] == "ann-1" and lead["phone"] == "4912345678"


async def test_an_assignee_sent_as_an_object_is_listed_by_its_username(mcp: Client, sandbox: Sandbox):
    (lead,) = await listed(mcp, sandbox, assignee={"id": 3, "username": "bob", "email": "bob@example.org"})

    assert lead["assignee"] == "bob"


async def test_an_owned_lead_whose_owner_is_a_bare_user_id_is_kept_not_filtered_out(mcp: Client, sandbox: Sandbox):
    (lead,) = await listed(mcp, sandbox, owner=12)

    assert lead["slug"] == "ann-1" and lead["owner"] == "12"


async def test_an_appointment_by_a_nested_user_with_a_text_id_is_listed(mcp: Client, sandbox: Sandbox):
    appointment: dict[str, Any] = {
        "id": "41",
        "slug": "ann-1",
        "appointment_date": "2031-05-01 10:00",
        "appointment_status": "pending",
        "created_by": {"id": 3, "username": "bob"},
    }
    body: dict[str, Any] = {"status_code": 200, "errors": {}, "data": [appointment]}
    sandbox.config.add_fault("GET /epixel/api/v1/leads/appointments/list/*", Fault("body", status=200, body=body))
    listed = await ok(mcp, "epixel_list_appointments", {})

    assert [(a["id"], a["created_by"]) for a in listed["items"]] == [(41, "bob")]

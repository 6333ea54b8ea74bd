"""Upstream errors in each documented shape become one clear tool error naming every field."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from mcp import Client

from mcp_server.core.errors import ApiError
from mcp_server.core.upstream.client import ApiResponse
from mcp_server.providers.epixel.client import unwrap
from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault
from tests.providers.epixel.helpers import NEW_LEAD, calls, refused, stored_lead
from tests.providers.typed import text_of

pytestmark = pytest.mark.anyio
UPDATE_LEAD = "leads/update/lead/"


async def test_drf_field_errors_in_the_envelope_list_each_field_with_its_message(mcp: Client, sandbox: Sandbox):
    text = await refused(mcp, "epixel_create_lead", {**NEW_LEAD, "source": "carrier_pigeon", "assignee": "nobody"})
    assert "the API answered 400" in text
    assert "source: carrier_pigeon is not a valid choice." in text
    assert "assignee: Assignee not found." in text
    assert sandbox.epixel.store.next_lead == 1000  # nothing created


async def test_a_bare_drf_field_error_names_the_field(mcp: Client, sandbox: Sandbox):
    text = await refused(mcp, "epixel_create_lead_note", {"slug": "no-such-lead", "note": "hello"})
    assert "slug: Requested lead not found." in text


async def test_a_request_failed_message_is_the_error_itself_and_not_blamed_on_credentials(
    mcp: Client, sandbox: Sandbox
):
    text = await refused(mcp, "epixel_update_lead", {"slug": "binuser1", **NEW_LEAD})
    assert "Epixel: refused the request: You are not owner of this lead." in text
    assert "non_field_errors" not in text
    assert "not a credentials problem" in text and "EPIXEL_" not in text
    assert stored_lead(sandbox, "binuser1").email != NEW_LEAD["email"]


async def test_a_business_401_on_a_write_is_sent_once_without_renewing_the_token(mcp: Client, sandbox: Sandbox):
    await refused(mcp, "epixel_update_lead", {"slug": "binuser1", **NEW_LEAD})

    assert len(calls(sandbox, "POST", UPDATE_LEAD)) == 1
    assert len(calls(sandbox, "POST", "user/login/")) == 1


async def test_a_detail_error_is_reported_with_its_message(mcp: Client, sandbox: Sandbox):
    text = await refused(mcp, "epixel_delete_appointment", {"appointment_id": 1201})
    assert "Epixel: refused the request: You can't delete this appointment." in text
    assert 1201 in sandbox.epixel.store.appointments


async def test_a_server_error_on_a_read_is_retried_and_on_a_write_reported_without_a_resend(
    mcp: Client, sandbox: Sandbox
):
    sandbox.config.add_fault("GET /epixel/api/v1/leads/list/", Fault("status", status=503, count=1))
    result = await mcp.call_tool("epixel_list_leads", {"limit": 1})
    assert not result.is_error, text_of(result)
    sandbox.config.add_fault("POST /epixel/api/v1/leads/create/lead/", Fault("status", status=500, count=1))
    text = await refused(mcp, "epixel_create_lead", NEW_LEAD)
    assert "the API answered 500" in text and "may have been applied" in text
    assert len(calls(sandbox, "POST", "leads/create/lead/")) == 1


def envelope_response(body: object, status: int = 200) -> ApiResponse:
    return ApiResponse(status, httpx.Headers(), body, httpx.URL("https://crm.example.com/api/v1/leads/list/"))


@pytest.mark.parametrize(
    ("body", "data"),
    [
        ({"status_code": 200, "errors": {}, "data": {"slug": "a"}}, {"slug": "a"}),
        ({"status_code": 200, "errors": {}, "data": [1, 2]}, [1, 2]),
        (
            {"status_code": 200, "errors": {}, "data": {"count": 0, "next": None, "results": []}},
            {"count": 0, "next": None, "results": []},
        ),
        ({"refresh": "r", "access": "a"}, {"refresh": "r", "access": "a"}),
    ],
)
def test_a_successful_envelope_is_unwrapped_to_its_data_whatever_its_shape(body: dict[str, Any], data: dict[str, Any]):
    assert unwrap(envelope_response(body)) == data


def test_errors_inside_a_2xx_envelope_become_an_error_listing_each_field():
    body = {
        "status_code": 400,
        "errors": {"email": ["Invalid email."], "non_field_errors": ["Check the form."]},
        "data": {},
    }
    with pytest.raises(ApiError) as caught:
        unwrap(envelope_response(body))
    assert caught.value.status == 400
    assert caught.value.message == "the API answered 400: Check the form."
    assert caught.value.field_errors == {"email": ["Invalid email."]}


async def test_moving_an_appointment_s_start_past_its_end_says_what_to_give_not_a_bare_401(mcp: Client):
    args = {"appointment_id": 1001, "appointment_date": "2035-06-01T10:00:00+00:00"}
    text = await refused(mcp, "epixel_update_appointment", args)
    assert "Epixel: refused the request: End Date Can't be prior to Start Date." in text
    assert "Give appointment_to at or after the start" in text
    assert "401" not in text and "EPIXEL_" not in text

"""PersistIQ answers in shapes the document does not show, read as the least helpful real server could send them:
a reference as a bare id, a number where the document has text, a free-form field that is not an object. Each is
read (never a skipped record or a failed call), as the issue's rule asks: every field read defensively."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault
from tests.providers.persistiq.helpers import ok

pytestmark = pytest.mark.anyio


def answer(sandbox: Sandbox, pattern: str, body: dict[str, Any]) -> None:
    sandbox.config.add_fault(pattern, Fault("body", status=200, body=body, count=1))


async def test_a_campaign_naming_its_creator_by_bare_id_is_listed_with_that_id(mcp: Client, sandbox: Sandbox):
    campaign = {"id": "c_1", "name": "Bare", "creator": "u_7", "stats": None}
    answer(sandbox, "GET /persistiq/v1/campaigns", {"status": "success", "has_more": False, "campaigns": [campaign]})
    listed = ok(await mcp.call_tool("persistiq_list_campaigns", {}))

    assert listed["items"] == [{"id": "c_1", "name": "Bare", "creator": {"id": "u_7"}}]
    assert "skipped" not in listed.get("hint", "")


async def test_a_lead_with_numbers_where_the_document_has_text_is_read_as_text(mcp: Client, sandbox: Sandbox):
    lead = {"id": "l_1", "status": 3, "owner_id": 5, "data": {"first_name": "Ann", "zip": 10115}}
    answer(sandbox, "GET /persistiq/v1/leads/*", {"status": "success", "leads": [lead]})
    got = ok(await mcp.call_tool("persistiq_get_lead", {"lead_id": "l_1"}))

    assert got["status"] == "3" and got["owner_id"] == "5" and got["data"]["zip"] == 10115


async def test_numeric_ids_and_names_are_read_as_text(mcp: Client, sandbox: Sandbox):
    users = [{"id": 1, "name": 42, "email": "one@example.org", "activated": True}]
    answer(sandbox, "GET /persistiq/v1/users", {"status": "success", "users": users})
    listed = ok(await mcp.call_tool("persistiq_list_users", {}))

    assert listed["items"][0]["id"] == "1" and listed["items"][0]["name"] == "42"


async def test_an_event_naming_its_lead_and_campaign_by_bare_id_is_listed(mcp: Client, sandbox: Sandbox):
    event = {"id": "evt_1", "kind": "lead_created", "lead": "l_1", "campaign": "c_1", "params": "x", "diff": [1]}
    answer(sandbox, "GET /persistiq/v1/events", {"status": "success", "has_more": False, "events": [event]})
    listed = ok(await mcp.call_tool("persistiq_list_events", {}))

    assert listed["items"] == [
        {"id": "evt_1", "kind": "lead_created", "lead": {"id": "l_1"}, "campaign": {"id": "c_1"}}
    ]

"""The PersistIQ tools on a server that does only what the document says (the sandbox's documented profile):
skipped duplicates unreported, ``null`` in an update ignored, and no flags on a plain read."""

from __future__ import annotations

import pytest
from mcp import Client

from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault
from tests.providers.persistiq.helpers import LEADS, body, new_leads, ok, text_of
from tests.tables import rows

pytestmark = pytest.mark.anyio


@pytest.fixture
def documented(sandbox: Sandbox):
    sandbox.config.profile = "documented"
    return sandbox


async def test_clearing_a_field_sends_the_documents_empty_string_and_the_field_is_emptied(
    mcp: Client, documented: Sandbox
):
    lead = {"email": "clear@example.org", "first_name": "Ada", "company_name": "Analytical"}
    [ref] = ok(await mcp.call_tool("persistiq_create_leads", {"leads": [lead]}))["created"]
    got = ok(await mcp.call_tool("persistiq_update_lead", {"lead_id": ref["id"], "clear": ["company_name"]}))
    assert body(documented.env.handled("PUT", LEADS)[0]) == {"data": {"company_name": ""}}
    assert "company_name" not in got["data"]
    read = ok(await mcp.call_tool("persistiq_get_lead", {"lead_id": ref["id"]}))
    assert "company_name" not in read["data"]


async def test_dup_update_tells_the_existing_leads_it_updated_from_the_new_ones_it_created(
    mcp: Client, documented: Sandbox
):
    existing = rows(ok(await mcp.call_tool("persistiq_list_leads", {"limit": 2})))
    olds = [lead["email"] for lead in existing]
    leads = [{"email": olds[0], "title": "Updated"}, *new_leads(2, "fresh"), {"email": olds[1].upper(), "title": "Up"}]
    got = ok(await mcp.call_tool("persistiq_create_leads", {"leads": leads, "dup": "update"}))
    assert {ref["id"] for ref in got["updated"]} == {lead["id"] for lead in existing}
    assert {ref["email"] for ref in got["created"]} == {"fresh0@example.org", "fresh1@example.org"}
    assert got.get("skipped") is None and got.get("failed") is None
    read = ok(await mcp.call_tool("persistiq_get_lead", {"lead_id": existing[0]["id"]}))
    assert read["data"]["title"] == "Updated"
    assert len(documented.env.handled("POST", LEADS)) == 2  # the new ones first, then only the existing ones


async def test_when_updating_the_existing_leads_fails_the_created_ones_are_still_reported(
    mcp: Client, documented: Sandbox
):
    documented.config.add_fault("POST /persistiq/v1/leads", Fault("status", status=400, count=1, skip=1))
    old = rows(ok(await mcp.call_tool("persistiq_list_leads", {"limit": 1})))[0]["email"]
    leads = [{"email": old, "title": "Updated"}, *new_leads(1, "kept")]
    got = ok(await mcp.call_tool("persistiq_create_leads", {"leads": leads, "dup": "update"}))
    assert [ref["email"] for ref in got["created"]] == ["kept0@example.org"]
    [failure] = got["failed"]
    assert failure["leads"] == [old] and "400" in failure["error"]


async def test_the_get_lead_description_promises_no_flag_a_plain_read_does_not_return(mcp: Client, documented: Sandbox):
    tool = next(t for t in (await mcp.list_tools()).tools if t.name == "persistiq_get_lead")
    text = (tool.description or "").lower()
    assert "bounced" not in text and "opted" not in text
    lead = rows(ok(await mcp.call_tool("persistiq_list_leads", {"limit": 1})))[0]
    read = await mcp.call_tool("persistiq_get_lead", {"lead_id": lead["id"]})
    assert "bounced" not in ok(read) and "optedout" not in ok(read), text_of(read)

"""Snov.io webhook tools through an MCP client against the sandbox."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mcp import Client

from outbound_sandbox.app import Sandbox
from outbound_sandbox.snov.crm import Webhook
from tests.providers.snov.outreach_helpers import failed, ok
from tests.providers.typed import annotations_of

pytestmark = pytest.mark.anyio

HOOKS = "/snov/v2/webhooks"
URL = "https://hooks.example.org/snov/first-replies"


async def listed(mcp: Client) -> dict[int, dict[str, Any]]:
    result = ok(await mcp.call_tool("snov_list_webhooks", {}))
    assert result["count"] == len(result["items"])
    return {h["id"]: h for h in result["items"]}


async def test_seeded_webhooks_are_listed_with_event_url_status_and_time(mcp: Client):
    hooks = await listed(mcp)

    assert set(hooks) == {8, 14, 17}
    assert hooks[14] == {
        "id": 14,
        "event": "campaign_email.sent",
        "url": "https://hooks.example.com/snov/old",
        "status": "deactivated",
        "created_at": "2022-06-22T09:36:03Z",
    }
    assert hooks[17]["event"] == "campaign_reply.received"


async def test_a_webhook_is_created_switched_off_and_on_and_deleted(mcp: Client, sandbox: Sandbox):
    created = ok(
        await mcp.call_tool("snov_create_webhook", {"event": "campaign_reply.first_received", "endpoint_url": URL})
    )
    assert created["event"] == "campaign_reply.first_received" and created["status"] == "active"
    assert created["url"] == URL
    (post,) = sandbox.env.handled("POST", HOOKS)
    assert json.loads(post.body) == {
        "event_object": "campaign_reply",
        "event_action": "first_received",
        "endpoint_url": URL,
    }
    hook_id = created["id"]
    assert (await listed(mcp))[hook_id] == created

    off = ok(await mcp.call_tool("snov_set_webhook_status", {"webhook_id": hook_id, "status": "deactivated"}))
    assert off["status"] == "deactivated"
    assert json.loads(sandbox.env.handled("PUT", f"{HOOKS}/{hook_id}")[0].body) == {"status": "deactivated"}
    assert (await listed(mcp))[hook_id]["status"] == "deactivated"
    on = ok(await mcp.call_tool("snov_set_webhook_status", {"webhook_id": hook_id, "status": "active"}))
    assert on["status"] == "active"

    assert ok(await mcp.call_tool("snov_delete_webhook", {"webhook_id": hook_id})) == {"id": hook_id, "deleted": True}
    assert hook_id not in await listed(mcp)
    again = failed(await mcp.call_tool("snov_delete_webhook", {"webhook_id": hook_id}))
    assert f"has no webhook {hook_id}" in again and "Nothing was deleted" in again


async def test_an_event_the_doc_does_not_list_is_refused_before_any_request(mcp: Client, sandbox: Sandbox):
    failed(await mcp.call_tool("snov_create_webhook", {"event": "campaign_email.clicked", "endpoint_url": URL}))
    failed(await mcp.call_tool("snov_create_webhook", {"event": "campaign_email.sent", "endpoint_url": "ftp://x.y"}))
    failed(await mcp.call_tool("snov_set_webhook_status", {"webhook_id": 8, "status": "paused"}))

    assert sandbox.env.handled("POST", HOOKS) == [] and sandbox.env.handled("PUT", HOOKS) == []


async def test_an_unknown_webhook_id_is_an_error_that_says_so(mcp: Client):
    text = failed(await mcp.call_tool("snov_set_webhook_status", {"webhook_id": 999, "status": "active"}))
    assert "not found" in text.lower()


async def test_the_fifty_first_webhook_is_refused_with_snovs_reason(mcp: Client, sandbox: Sandbox):
    crm = sandbox.snov.crm
    for i in range(100, 147):  # 3 seeded + 47 = the plan's 50
        crm.webhooks[i] = Webhook(i, f"{URL}/{i}", "campaign_email", "opened", "active", 1700000000)

    text = failed(await mcp.call_tool("snov_create_webhook", {"event": "campaign_email.opened", "endpoint_url": URL}))

    assert "50" in text
    assert len(await listed(mcp)) == 50


async def test_webhook_tools_carry_their_access_annotations(mcp: Client):
    tools = {t.name: annotations_of(t) for t in (await mcp.list_tools()).tools if "webhook" in t.name}

    assert tools["snov_list_webhooks"].read_only_hint is True
    assert (
        tools["snov_create_webhook"].read_only_hint is False and tools["snov_create_webhook"].idempotent_hint is False
    )
    assert tools["snov_set_webhook_status"].idempotent_hint is True
    assert tools["snov_set_webhook_status"].destructive_hint is False
    assert tools["snov_delete_webhook"].destructive_hint is True

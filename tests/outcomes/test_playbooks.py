"""The playbooks as MCP prompts: listed, rendered with their arguments, pointed to by the instructions."""

from __future__ import annotations

import pytest
from mcp.types import TextContent

from mcp_server.outcomes import OUTCOMES
from outbound_sandbox.app import Sandbox
from tests.providers.typed import Connect

pytestmark = pytest.mark.anyio


async def test_the_three_playbooks_are_listed_by_prompts_list_with_their_arguments(connect: Connect, sandbox: Sandbox):
    async with connect() as client:
        listed = await client.list_prompts()

    prompts = {p.name: p for p in listed.prompts}
    assert set(prompts) == {"prospecting", "weekly_campaign_review", "list_cleanup"}
    arguments = {a.name: a.required for a in prompts["prospecting"].arguments or []}
    assert arguments == {"domain": True, "campaign": True, "titles": False}
    assert all(p.title and p.description for p in prompts.values())


async def test_a_playbook_names_only_tools_the_server_has_in_the_order_to_call_them(connect: Connect, sandbox: Sandbox):
    async with connect() as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        got = await client.get_prompt("prospecting", {"domain": "acme.com", "campaign": "Q3", "titles": "CTO, VP"})

    (message,) = got.messages
    assert isinstance(message.content, TextContent)
    text = message.content.text
    assert 'acme.com into the PersistIQ campaign "Q3" (job titles: CTO, VP)' in text
    named = [word.strip(".,:;()") for word in text.split() if word.startswith(("outreach_", "persistiq_", "snov_"))]
    assert named and set(named) <= tools
    assert text.index("dry_run=true") < text.index("dry_run=false")


async def test_the_instructions_point_to_the_playbooks_and_outcome_tools_stay_loaded(
    connect: Connect, sandbox: Sandbox
):
    async with connect() as client:
        instructions = client.instructions or ""
        tools = {t.name: t for t in (await client.list_tools()).tools}

    assert "prospecting, weekly_campaign_review, list_cleanup" in instructions
    for outcome in OUTCOMES.tools:
        assert (tools[outcome.name].meta or {}).get("anthropic/alwaysLoad") is True


async def test_a_server_without_snov_serves_no_prospecting_playbook(connect: Connect, sandbox: Sandbox):
    async with connect(snov_client_id=None, snov_client_secret=None) as client:
        names = {p.name for p in (await client.list_prompts()).prompts}
        tools = {t.name for t in (await client.list_tools()).tools}

    assert names == {"list_cleanup"} and "outreach_prospect_company" not in tools

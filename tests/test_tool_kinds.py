"""Each tool declares one kind (read, spend, write, delete); its annotations, read-only mode and the spend
switch follow from it, and a tool the mode hides answers why."""

from __future__ import annotations

import subprocess
import sys

import pytest
from mcp import Client

from mcp_server.catalogue import all_tools, kind_of
from mcp_server.server import create_server
from outbound_sandbox.app import Sandbox
from tests.confirm_helpers import agrees
from tests.core.helpers import text_of
from tests.fixture_types import SettingsFor
from tests.test_stdio_e2e import clean_env

pytestmark = pytest.mark.anyio

KINDS = {
    "read": {"readOnlyHint": True, "destructiveHint": False, "idempotentHint": True, "openWorldHint": True},
    "spend": {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False, "openWorldHint": True},
    "delete": {"readOnlyHint": False, "destructiveHint": True, "idempotentHint": True, "openWorldHint": True},
}
SPEND_TOOLS = {
    "snov_domain_search",
    "snov_list_domain_prospects",
    "snov_find_prospect_email",
    "snov_list_domain_emails",
    "snov_list_generic_contacts",
    "snov_find_email",
    "snov_verify_emails",
    "snov_find_profile_by_url",
    "snov_get_profile_by_email",
}
"""Every tool that can spend Snov.io credits, whether always or when an argument asks it to."""


def test_every_tool_s_annotations_follow_its_kind():
    for tool in all_tools():
        kind = kind_of(tool)
        assert tool.annotations is not None
        hints = tool.annotations.model_dump(by_alias=True, exclude_none=True)
        if kind == "write":  # idempotent or not, a write is never read-only and never destructive
            assert hints["readOnlyHint"] is False and hints["destructiveHint"] is False, tool.name
        else:
            assert hints == KINDS[kind], tool.name


def test_the_tools_that_spend_credits_are_exactly_the_spend_kind_and_none_claims_to_be_read_only():
    spend = {tool.name for tool in all_tools() if kind_of(tool) == "spend"}
    assert spend == SPEND_TOOLS
    for tool in all_tools():
        if tool.name in SPEND_TOOLS:
            assert tool.annotations is not None and tool.annotations.read_only_hint is False, tool.name


WRITES_THAT_SPEND = {"outreach_prospect_company"}
"""Write tools that buy credits on the way (then ask before spending), as their kind says nothing of it."""


def test_only_spend_and_delete_tools_and_writes_that_spend_take_a_confirmation_token():
    for tool in all_tools():
        takes = "confirmation_token" in tool.parameters["properties"]
        assert takes is (kind_of(tool) in ("spend", "delete") or tool.name in WRITES_THAT_SPEND), tool.name


async def listed(settings_for: SettingsFor, **overrides: object) -> dict[str, str]:
    kinds = {tool.name: kind_of(tool) for tool in all_tools()}
    async with Client(create_server(settings_for(**overrides))) as client:
        return {tool.name: kinds[tool.name] for tool in (await client.list_tools()).tools}


async def test_read_only_mode_serves_reads_only(settings_for: SettingsFor, sandbox: Sandbox):
    served = await listed(settings_for, outbound_mcp_read_only=True)
    assert set(served.values()) == {"read"}
    assert not SPEND_TOOLS & set(served)


async def test_read_only_mode_with_spending_allowed_serves_reads_and_spends_but_no_write(
    settings_for: SettingsFor, sandbox: Sandbox
):
    served = await listed(settings_for, outbound_mcp_read_only=True, outbound_mcp_allow_spend=True)
    assert set(served.values()) == {"read", "spend"}
    assert set(served) >= SPEND_TOOLS


async def test_the_spend_switch_alone_changes_nothing_outside_read_only_mode(
    settings_for: SettingsFor, sandbox: Sandbox
):
    assert await listed(settings_for, outbound_mcp_allow_spend=True) == await listed(settings_for)


@pytest.mark.parametrize(
    ("tool", "args", "says"),
    [
        ("snov_domain_search", {"domain": "octagon.io"}, "OUTBOUND_MCP_ALLOW_SPEND=true"),
        ("epixel_delete_lead", {"slug": "lead2"}, "OUTBOUND_MCP_READ_ONLY=false"),
        ("persistiq_create_dnc_domain", {"domain": "acme.com"}, "OUTBOUND_MCP_READ_ONLY=false"),
    ],
)
async def test_a_tool_hidden_by_read_only_mode_answers_why_and_sends_nothing(
    settings_for: SettingsFor, sandbox: Sandbox, tool: str, args: dict[str, object], says: str
):
    async with Client(create_server(settings_for(outbound_mcp_read_only=True)), elicitation_callback=agrees) as client:
        result = await client.call_tool(tool, args)

    text = text_of(result)
    assert result.is_error and "Unknown tool" not in text
    assert f"{tool} is a {kind_of(next(t for t in all_tools() if t.name == tool))} tool" in text
    assert "read-only mode" in text and says in text and "Nothing was sent" in text
    assert sandbox.env.requests == []


async def test_a_write_stays_hidden_when_spending_is_allowed(settings_for: SettingsFor, sandbox: Sandbox):
    settings = settings_for(outbound_mcp_read_only=True, outbound_mcp_allow_spend=True)
    async with Client(create_server(settings)) as client:
        result = await client.call_tool("snov_create_prospect_list", {"name": "x"})

    assert result.is_error and "write tool" in text_of(result) and "--no-read-only" in text_of(result)
    assert sandbox.env.requests == []


@pytest.mark.e2e
def test_outbound_mcp_tools_prints_each_tool_s_kind():
    done = subprocess.run(
        [sys.executable, "-m", "mcp_server.cli", "tools", "--sandbox", "--read-only", "--allow-spend"],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
        check=True,
    )
    kinds = {line.split()[0]: line.split()[1] for line in done.stdout.splitlines() if line.strip()}
    assert kinds["snov_domain_search"] == "spend" and kinds["snov_get_balance"] == "read"
    assert set(kinds.values()) == {"read", "spend"}

"""Every paged tool, called at its largest ``limit`` over the sandbox's biggest data, answers within the
result budget in every block, its text block is its structured content serialized, and both conform to
the tool's (typed) output schema."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import jsonschema
import pytest

from mcp_server.catalogue import all_tools
from mcp_server.core.tokens import count_tokens
from mcp_server.core.tools.answers import ANSWER_TOKENS, RESULT_BUDGET
from outbound_sandbox.app import Sandbox
from outbound_sandbox.largest_pages import LARGEST, largest_limit
from tests.confirm_helpers import agrees
from tests.fixture_types import SettingsFor
from tests.tables import rows

if TYPE_CHECKING:
    from mcp import Client

pytestmark = pytest.mark.anyio


PAGED = sorted(
    (tool.name, largest_limit(tool.parameters["properties"]["limit"]))
    for tool in all_tools()
    if {"limit", "cursor"} <= set(tool.parameters.get("properties", {}))
)


def fill_every_persistiq_field(sandbox: Sandbox) -> None:
    """Every lead with every field filled, long: the case that once made a 798 KB answer."""
    for lead in sandbox.persistiq.world.leads.values():
        for name in ("company_name", "title", "snippet", "snippet2", "snippet3", "snippet4", "address", "website"):
            lead.data[name] = f"{name} of {lead.id} " + "x" * 300


@pytest.mark.parametrize(("tool", "largest"), PAGED)
async def test_a_paged_tool_at_its_largest_limit_stays_inside_the_result_budget(
    tool: str, largest: int, sandbox: Sandbox, settings_for: SettingsFor
):
    from mcp import Client

    from mcp_server.server import create_server

    sandbox.config.job_delay = 0.05
    sandbox.config.rate_limits = False
    fill_every_persistiq_field(sandbox)
    schema = next(t.output_schema for t in all_tools() if t.name == tool)
    assert schema is not None
    required = next(t.parameters.get("required", []) for t in all_tools() if t.name == tool)
    args = {"limit": largest, **{name: LARGEST[name] for name in required}}

    async with Client(create_server(settings_for(poll_interval=0.05)), elicitation_callback=agrees) as client:
        result = await client.call_tool(tool, args)

    text = "".join(getattr(block, "text", "") for block in result.content)
    assert not result.is_error, text
    assert len(text.encode()) <= RESULT_BUDGET
    assert len(json.dumps(result.structured_content, ensure_ascii=False).encode()) <= RESULT_BUDGET
    assert count_tokens(text) <= ANSWER_TOKENS
    assert json.loads(text) == result.structured_content
    jsonschema.validate(result.structured_content, schema)


async def test_a_persistiq_page_cut_by_size_says_why_and_its_cursor_resumes_right_after_it(
    mcp: Client, sandbox: Sandbox
):
    fill_every_persistiq_field(sandbox)

    first = (await mcp.call_tool("persistiq_list_leads", {"limit": 1000})).structured_content
    rest = await mcp.call_tool("persistiq_list_leads", {"limit": 1000, "cursor": first["next_cursor"]})

    assert 0 < len(rows(first)) < 260 and "size limit" in first["hint"] and "counted by o200k" in first["hint"]
    ids = [lead["id"] for lead in rows(first) + rows(rest.structured_content)]
    assert ids[: len(rows(first)) + 1] == list(sandbox.persistiq.world.leads)[: len(rows(first)) + 1]
    assert len(ids) == len(set(ids))

"""Our tools run without the SDK's second check of their arguments (``core.tools.direct``): the function gets
the arguments the SDK's check would have made, and every answer (success, tool error, refused arguments, a
confirmation preview, an input-required question, a task-augmented call) is the one the SDK's own tool
machinery gave, block for block."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import mcp.types as t
import pytest
import respx
from mcp import Client

from mcp_server.app.listings import built
from mcp_server.core.tools import registry
from mcp_server.core.tools.direct import as_sdk_passes
from mcp_server.core.tools.registry import Toolset
from mcp_server.examples import declared
from mcp_server.server import create_server
from mcp_server.settings import load_settings
from tests.core.demo_provider import BASE, DEMO
from tests.core.test_confirm import toolset as confirming

pytestmark = pytest.mark.anyio
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("demo_get", {"item_id": "7"}),  # an answer
    ("demo_get", {"item_id": "404"}),  # the API's error, as a tool error
    ("demo_get", {"item": "7"}),  # arguments refused before anything runs
    ("demo_list", {"limit": 2, "cursor": "null"}),  # a text the SDK reads as JSON: the SDK's path
    ("demo_delete", {"item_id": "7"}),  # a confirmation: asked, or previewed with a token
]
DIRECT = 3
"""Calls of ``CALLS`` that take the direct path: not the refused one, not the ``"null"`` one."""
FIXED_NOW = 1_796_000_000.0


def test_every_tool_gets_the_arguments_the_sdk_s_check_would_have_made_of_its_example():
    compared = 0
    for tool in declared():
        sdk, entry = built(tool), tool.entry
        assert entry is not None
        ours = {info.alias or name for name, info in entry.arguments.model_fields.items()}
        assert ours == set(sdk.fn_metadata.arg_model.model_fields), tool.name
        if tool.example is None:
            continue
        cleaned = entry.checked(tool.example)
        checked = entry.arguments.model_validate(cleaned)
        assert as_sdk_passes(entry.decoded, cleaned, checked) == sdk.fn_metadata.validate_arguments(cleaned)
        compared += 1
    assert compared > 50


def test_a_text_the_sdk_would_decode_otherwise_leaves_the_call_to_the_sdk():
    entry = next(tool.entry for tool in DEMO.toolset.tools if tool.name == "demo_list" and built(tool))
    assert entry is not None
    for cursor, direct in (("null", False), ("abc", True), ("12", True), ("true", True)):
        cleaned = entry.checked({"cursor": cursor})
        passed = as_sdk_passes(entry.decoded, cleaned, entry.arguments.model_validate(cleaned))
        assert (passed is not None) is direct, cursor


@pytest.fixture
def upstream() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{BASE}/items/7").mock(return_value=httpx.Response(200, json={"id": "7", "name": "Seven"}))
        mock.get(f"{BASE}/items/404").mock(return_value=httpx.Response(404, json={"error": "no item 404"}))
        mock.get(f"{BASE}/items").mock(return_value=httpx.Response(200, json={"items": [{"id": "1"}]}))
        mock.delete(f"{BASE}/items/7").mock(return_value=httpx.Response(204))
        yield mock


def wire(result: t.CallToolResult | t.InputRequiredResult) -> str:
    """The answer as the client receives it, less what is random per answer (tokens, sealed state)."""
    text = result.model_dump_json(by_alias=True, exclude_none=True)
    text = re.sub(r'("requestState":)"[^"]*"', r'\1"sealed"', text)
    return re.sub(r"(confirmation_token[^A-Za-z0-9]+)[A-Za-z0-9_.\-]+", r"\1token", text)


async def answers(mode: str, asks: bool) -> list[str]:
    settings = load_settings(persistiq_api_key="k" * 12)
    # One fixed clock for both runs: a preview states when its token expires, to the minute.
    server = create_server(
        settings,
        providers=[replace(DEMO, toolset=Toolset.joined("persistiq", DEMO.toolset, confirming))],
        clock=lambda: FIXED_NOW,
    )
    out: list[str] = []
    async with Client(server, mode=mode, elicitation_callback=agree if asks else None) as client:
        for name, args in CALLS:
            out.append(wire(await client.session.call_tool(name, args, allow_input_required=True)))
        task = t.CallToolRequestParams(name="demo_get", arguments={"item_id": "7"}, task=t.TaskMetadata(ttl=60_000))
        out.append(wire(await client.session.send_request(t.CallToolRequest(params=task), t.CallToolResult)))
    return out


def never(*_: object) -> None:
    """``as_sdk_passes`` that sends every call down the SDK's own path."""


async def agree(context: Any, params: Any) -> t.ElicitResult:
    return t.ElicitResult(action="accept", content={"confirm": True})


@pytest.mark.parametrize(("mode", "asks"), [("legacy", True), ("legacy", False), ("2026-07-28", True)])
async def test_each_answer_is_the_one_the_sdk_s_tool_machinery_gave(
    upstream: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, mode: str, asks: bool
):
    taken: list[str] = []
    run_checked = registry.run_checked

    async def counted(tool: Any, arguments: dict[str, Any], context: Any) -> Any:
        taken.append(tool.name)
        return await run_checked(tool, arguments, context)

    monkeypatch.setattr(registry, "run_checked", counted)
    direct = await answers(mode, asks)
    monkeypatch.setattr(registry, "as_sdk_passes", never)
    through_sdk = await answers(mode, asks)

    assert direct == through_sdk
    assert len(taken) == DIRECT + 1  # and the task-augmented call
    assert '"isError":true' in direct[1] and "no item 404" in direct[1]
    assert "arguments refused" in direct[2]
    assert ("input_required" in direct[4]) is (mode == "2026-07-28")
    assert ("confirmation_required" in direct[4]) is (not asks)
    assert '"Seven"' in direct[0] and direct[-1] == direct[0]

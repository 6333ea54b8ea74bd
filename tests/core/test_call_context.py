"""One context per tool call (``core.call.context``): set once by the tool wrapper, read by everything under it
(the time budget, cursor and handle scopes and signatures, the caller), and gone when the call ends."""

from __future__ import annotations

import pytest
from mcp import Client
from mcp.server.mcpserver import Context
from pydantic import BaseModel

from mcp_server.app.providers import ProviderDef
from mcp_server.core.call.context import OUTSIDE, current
from mcp_server.core.call.deadline import remaining
from mcp_server.core.lists import handles
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.server import create_server
from mcp_server.settings import load_settings
from tests.core.demo_provider import open_demo

pytestmark = pytest.mark.anyio
toolset = Toolset("persistiq")


class Seen(BaseModel):
    tool: str
    provider: str
    kind: str
    principal: str
    budget: float | None
    scope: str
    handle: str


@toolset.tool("What a call sees", Access.WRITE)
async def demo_seen(ctx: Context, value: str) -> Seen:
    """What this call's context holds."""
    del ctx
    call = current()
    return Seen(
        tool=call.tool,
        provider=call.provider,
        kind=call.kind,
        principal=call.caller.principal(),
        budget=remaining(),
        scope=handles.scope(value=value),
        handle=handles.encode("demo", {"v": value}),
    )


@toolset.tool("Read a handle", Access.READ)
async def demo_read_handle(ctx: Context, handle: str) -> Seen:
    """Reads a handle another call made."""
    del ctx
    value = str(handles.decode("demo", handle, "handle")["v"])
    return Seen(tool=current().tool, provider="", kind="", principal="", budget=None, scope=value, handle=handle)


SEEN = ProviderDef("persistiq", "Seen", toolset, open_demo, needs="nothing")


async def test_a_tool_sees_its_own_call_and_nothing_of_it_is_left_once_the_call_ends():
    settings = load_settings(persistiq_api_key="k" * 12, outbound_mcp_max_wait=20)
    async with Client(create_server(settings, providers=[SEEN])) as client:
        seen = (await client.call_tool("demo_seen", {"value": "a"})).structured_content
    assert seen is not None
    assert (seen["tool"], seen["provider"], seen["kind"]) == ("demo_seen", "persistiq", "write")
    assert "principal" not in seen  # the one local user: "" (left out of the answer)
    assert 0 < seen["budget"] <= 20
    assert seen["scope"] == handles.fingerprint(tool="demo_seen", value="a")  # the tool's name comes from the call
    assert current() is OUTSIDE


async def test_a_handle_signed_in_one_call_is_read_in_the_next_and_refused_by_another_server():
    settings = load_settings(persistiq_api_key="k" * 12)
    async with Client(create_server(settings, providers=[SEEN])) as client:
        made = (await client.call_tool("demo_seen", {"value": "a"})).structured_content
        assert made is not None
        read = (await client.call_tool("demo_read_handle", {"handle": made["handle"]})).structured_content
    async with Client(create_server(settings, providers=[SEEN])) as other:
        refused = await other.call_tool("demo_read_handle", {"handle": made["handle"]})
    assert read is not None and read["scope"] == "a"
    assert refused.is_error

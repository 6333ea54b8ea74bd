"""The confirmation core on a small provider: the default for destructive tools, and a question that fails."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import pytest
import respx
from mcp import Client
from mcp.server.mcpserver import Context
from pydantic import BaseModel

from mcp_server.app.providers import ProviderDef
from mcp_server.core.errors import InvalidInput
from mcp_server.core.tools.confirmations import Confirmation
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.server import create_server
from mcp_server.settings import load_settings
from tests.confirm_helpers import MODES, Action, Person
from tests.core.demo_provider import BASE, demo, open_demo
from tests.core.helpers import text_of

pytestmark = pytest.mark.anyio
toolset = Toolset("persistiq")


class Gone(BaseModel):
    deleted: str


@toolset.tool("Delete demo item", Access.DESTRUCTIVE)
async def demo_delete(ctx: Context, item_id: str) -> Gone:
    """Delete an item for good; declares no confirmation, so it gets the default one."""
    await demo(ctx).api.request("DELETE", f"items/{item_id}")
    return Gone(deleted=item_id)


async def refuse_to_ask(ctx: Context, args: Mapping[str, Any]) -> str | None:
    raise InvalidInput("the amount is not a number", field="amount")


@toolset.tool("Spend demo credits", Access.SPEND, confirm=Confirmation("paid", refuse_to_ask))
async def demo_spend(ctx: Context, amount: str) -> Gone:
    """Spend credits; its question cannot be formed, and the body reports the same mistake."""
    raise InvalidInput("the amount is not a number", field="amount")


PROVIDER = ProviderDef("persistiq", "Demo", toolset, open_demo, needs="PERSISTIQ_API_KEY")


def server() -> Any:
    return create_server(load_settings(persistiq_api_key="k" * 12), providers=[PROVIDER])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("action", ["accept", "decline"])
async def test_a_destructive_tool_without_a_declaration_asks_with_its_title_and_arguments(mode: str, action: Action):
    person = Person(action)
    with respx.mock(assert_all_called=False) as mock:
        route = mock.delete(f"{BASE}/items/7").mock(return_value=httpx.Response(204))
        async with Client(server(), mode=mode, elicitation_callback=person) as client:
            result = await client.call_tool("demo_delete", {"item_id": "7"})

    assert person.asked == ["Delete demo item: item_id 7? This cannot be undone."]
    assert route.call_count == (1 if action == "accept" else 0)
    assert result.is_error is (action == "decline")


async def test_a_question_that_cannot_be_formed_asks_nothing_and_the_body_reports_the_mistake():
    person = Person("accept")
    async with Client(server(), mode="2026-07-28", elicitation_callback=person) as client:
        result = await client.call_tool("demo_spend", {"amount": "ten"})

    assert person.asked == []
    assert result.is_error and "the amount is not a number" in text_of(result)

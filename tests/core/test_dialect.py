"""A provider's one dialect (how its bodies and errors read) and the hints its endpoint table declares,
through an MCP client calling the demo provider's tools over respx."""

from __future__ import annotations

import httpx
import pytest
import respx

from tests.core.demo_provider import BASE
from tests.core.helpers import demo_client, text_of

pytestmark = pytest.mark.anyio


async def test_a_refusal_inside_a_200_is_read_by_the_dialect_as_the_error_it_is():
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/items/1").mock(
            return_value=httpx.Response(200, json={"ok": False, "why": "item locked"})
        )
        async with demo_client() as client:
            result = await client.call_tool("demo_get", {"item_id": "1"})
    assert result.is_error and "the API refused: item locked" in text_of(result)
    assert route.call_count == 1  # a refusal is not resent


async def test_an_endpoints_declared_404_hint_names_the_id_it_was_sent_with():
    with respx.mock() as mock:
        mock.get(f"{BASE}/items/i_42").mock(return_value=httpx.Response(404, json={"error": "not found"}))
        async with demo_client() as client:
            declared = await client.call_tool("demo_get_declared", {"item_id": "i_42"})
            plain = await client.call_tool("demo_get", {"item_id": "i_42"})
    assert declared.is_error and "No item i_42: take item ids from demo_list." in text_of(declared)
    assert plain.is_error and "take item ids" not in text_of(plain)  # the hint is the endpoint's, not the API's


async def test_a_401_the_dialect_says_is_not_about_the_token_is_neither_renewed_nor_resent():
    with respx.mock() as mock:
        token = mock.post(f"{BASE}/oauth/token").mock(
            return_value=httpx.Response(200, json={"access_token": "tok-abcdef-123", "expires_in": 3600})
        )
        item = mock.get(f"{BASE}/items/1").mock(return_value=httpx.Response(401, json={"detail": "not yours"}))
        async with demo_client() as client:
            result = await client.call_tool("demo_token_get", {"item_id": "1"})
    assert result.is_error and "not yours" in text_of(result)
    assert token.call_count == 1 and item.call_count == 1

import httpx
import pytest
import respx
from mcp import Client

from mcp_server.server import create_server
from mcp_server.settings import load_settings
from tests.core.demo_provider import BASE, DEMO

pytestmark = pytest.mark.anyio


async def test_a_get_through_the_core_returns_structured_content():
    server = create_server(load_settings(persistiq_api_key="canary-key-123456"), providers=[DEMO])
    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{BASE}/items/1").mock(return_value=httpx.Response(200, json={"id": "1", "name": "a"}))
        async with Client(server) as client:
            result = await client.call_tool("demo_get", {"item_id": "1"})
    print(result)
    assert result.structured_content == {"id": "1", "name": "a"}

"""Text is scrubbed once, where upstream data enters: one lone surrogate in one record of a page (a name a
stranger typed, half an emoji cut by a JavaScript server) must not break the paged list tools, whose page
budget measures each record before the answer is printed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TypeAlias

import httpx
import pytest

from mcp_server.app.providers import LazyTransport
from tests.reliability.writes import text_of

pytestmark = pytest.mark.anyio

LONE = "\ud800"
Json: TypeAlias = "dict[str, Json] | list[Json] | str | int | float | bool | None"
NAMES = {"name", "first_name", "last_name", "company_name", "title", "location", "message"}
"""Fields a stranger types: ids, statuses and owners stay whole, so filters and links still work."""


def _haunted(record: dict[str, Json]) -> dict[str, Json]:
    return {
        k: _haunted(v) if isinstance(v, dict) else v + LONE if isinstance(v, str) and k in NAMES else v
        for k, v in record.items()
    }


def _haunt_first_record(value: Json) -> tuple[Json, bool]:
    """``value`` with every string of its first listed record ending in a lone surrogate; True once done."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [_haunted(value[0]), *value[1:]], True
    if isinstance(value, dict):
        out: dict[str, Json] = {}
        done = False
        for key, item in value.items():
            if not done:
                item, done = _haunt_first_record(item)
            out[key] = item
        return out, done
    return value, False


@pytest.fixture
def one_haunted_record(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every list answer's first record carries lone surrogates, sent as JSON ``\\ud800`` escapes."""
    original = LazyTransport.handle_async_request
    haunted: list[str] = []

    async def mangled(self: LazyTransport, request: httpx.Request) -> httpx.Response:
        response = await original(self, request)
        body = await response.aread()
        await response.aclose()
        try:
            data, done = _haunt_first_record(json.loads(body)) if body.strip() else (None, False)
        except ValueError:
            data, done = None, False
        if done:
            haunted.append(request.url.path)
            body = json.dumps(data).encode()
        drop = {"content-length", "content-encoding", "transfer-encoding"}
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in drop]
        return httpx.Response(response.status_code, headers=headers, stream=httpx.ByteStream(body), request=request)

    monkeypatch.setattr(LazyTransport, "handle_async_request", mangled)
    yield haunted


@pytest.mark.parametrize("tool", ["persistiq_list_leads", "persistiq_list_events", "epixel_list_leads"])
async def test_one_lone_surrogate_in_one_record_leaves_the_page_readable(
    connect: Any, one_haunted_record: list[str], tool: str
) -> None:
    async with connect([tool]) as client:
        result = await client.call_tool(tool, {})
    text = text_of(result)
    assert one_haunted_record, "no list answer was haunted: the test would prove nothing"
    assert not result.is_error, text[:400]
    assert "\ufffd" in text
    result.model_dump_json(by_alias=True).encode("utf-8")  # what a transport writes must encode

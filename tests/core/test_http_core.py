"""The shared HTTP core, exercised through an MCP client calling the demo provider's tools."""

from __future__ import annotations

import logging

import anyio
import httpx
import pytest
import respx
from mcp.types import CallToolResult

from tests.core.demo_provider import BASE
from tests.core.helpers import CANARY, LimitedUpstream, demo_client, text_of

pytestmark = pytest.mark.anyio


async def test_calls_wait_for_budget_instead_of_meeting_a_429():
    # The budget stamps a request a 30 ms margin early, but a loaded machine may run it 300 ms late: the
    # upstream counts 1.2 s windows. A budget that did not wait, or kept a 1 s window, still meets 429s.
    upstream = LimitedUpstream(limit=4, window=1.5, slack=0.3)
    results: list[CallToolResult] = []
    with respx.mock() as mock:
        mock.get(url__regex=rf"{BASE}/items/\d+").mock(side_effect=upstream)
        async with demo_client(persistiq_rate_limit=4, rate_window=1.5) as client, anyio.create_task_group() as tg:

            async def call(i: int) -> None:
                results.append(await client.call_tool("demo_get", {"item_id": str(i)}))

            for i in range(12):
                tg.start_soon(call, i)
    assert upstream.too_many == 0
    assert upstream.ok == 12
    assert not any(r.is_error for r in results)


async def test_a_429_whose_reset_fits_the_deadline_is_waited_out():
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/items/1").mock(
            side_effect=[
                httpx.Response(429, headers={"Retry-After": "0.2"}, json={"error": {"message": "slow"}}),
                httpx.Response(200, json={"id": "1"}),
            ]
        )
        async with demo_client() as client:
            result = await client.call_tool("demo_get", {"item_id": "1"})
    assert not result.is_error
    assert route.call_count == 2


async def test_a_429_with_a_reset_beyond_the_deadline_says_when_to_retry():
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/items/1").mock(
            return_value=httpx.Response(429, headers={"Retry-After": "3600"}, json={"error": {"message": "slow"}})
        )
        async with demo_client() as client:
            result = await client.call_tool("demo_get", {"item_id": "1"})
    assert result.is_error
    assert "Retry in 3600 s" in text_of(result)
    assert route.call_count == 1


async def test_a_get_is_retried_after_a_5xx_and_succeeds():
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/items/1").mock(
            side_effect=[httpx.Response(503, text="<html>busy</html>"), httpx.Response(200, json={"id": "1"})]
        )
        async with demo_client() as client:
            result = await client.call_tool("demo_get", {"item_id": "1"})
    assert not result.is_error
    assert route.call_count == 2


async def test_a_post_that_reached_the_server_is_never_sent_twice():
    with respx.mock() as mock:
        route = mock.post(f"{BASE}/items").mock(return_value=httpx.Response(502, text="bad gateway"))
        async with demo_client() as client:
            result = await client.call_tool("demo_create", {"names": ["a"]})
    assert route.call_count == 1
    failed = result.structured_content["failed"]
    assert failed[0]["maybe_applied"] is True
    assert "may have been applied" in failed[0]["error"]


async def test_a_post_cut_off_mid_answer_is_not_retried_and_is_reported_as_maybe_applied():
    with respx.mock() as mock:
        route = mock.post(f"{BASE}/items").mock(side_effect=httpx.RemoteProtocolError("peer closed"))
        async with demo_client() as client:
            result = await client.call_tool("demo_create", {"names": ["a"]})
    assert route.call_count == 1
    assert result.structured_content["failed"][0]["maybe_applied"] is True


async def test_a_post_that_could_not_connect_is_retried():
    with respx.mock() as mock:
        route = mock.post(f"{BASE}/items").mock(
            side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json={"items": [{"id": "x"}]})]
        )
        async with demo_client() as client:
            result = await client.call_tool("demo_create", {"names": ["a"]})
    assert route.call_count == 2
    assert result.structured_content == {"created": ["x"]}  # empties are pruned from the answer


async def test_a_failed_batch_in_the_middle_does_not_hide_the_others():
    with respx.mock() as mock:
        mock.post(f"{BASE}/items").mock(
            side_effect=[
                httpx.Response(200, json={"items": [{"id": "1"}, {"id": "2"}]}),
                httpx.Response(400, json={"error": {"message": "bad name"}}),
                httpx.Response(200, json={"items": [{"id": "5"}]}),
            ]
        )
        async with demo_client() as client:
            result = await client.call_tool("demo_create", {"names": ["a", "b", "c", "d", "e"]})
    out = result.structured_content
    assert out["created"] == ["1", "2", "5"]
    assert out["failed"][0]["names"] == ["c", "d"]
    assert "bad name" in out["failed"][0]["error"]


async def test_a_malformed_json_answer_to_a_read_is_retried_then_reported():
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/items/1").mock(return_value=httpx.Response(200, text='{"id": '))
        async with demo_client() as client:
            result = await client.call_tool("demo_get", {"item_id": "1"})
    assert result.is_error
    assert "malformed JSON" in text_of(result)
    assert route.call_count == 4


async def test_an_upstream_error_reaches_the_model_with_its_words_and_what_to_do():
    with respx.mock() as mock:
        mock.get(f"{BASE}/items/9").mock(
            return_value=httpx.Response(
                404, json={"status": "error", "error": {"reason": "not_found", "message": "Lead not found"}}
            )
        )
        async with demo_client() as client:
            result = await client.call_tool("demo_get", {"item_id": "9"})
    text = text_of(result)
    assert result.is_error
    assert "Lead not found" in text
    assert "list the records first" in text


async def test_an_off_origin_next_page_is_refused_and_never_requested():
    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{BASE}/items").mock(
            return_value=httpx.Response(
                200, json={"items": [{"id": "1"}], "next_page": "https://evil.example.net/api/items?page=2"}
            )
        )
        evil = mock.get(url__regex=r"https://evil\.example\.net/.*").mock(return_value=httpx.Response(200, json={}))
        other_port = mock.get(url__regex=r"https://demo\.example\.com:8443/.*").mock(return_value=httpx.Response(200))
        async with demo_client() as client:
            result = await client.call_tool("demo_list", {"limit": 5})
    assert result.is_error
    assert "refused to follow a link" in text_of(result)
    assert evil.call_count == 0
    assert other_port.call_count == 0


async def test_a_next_page_link_keeps_its_own_query_and_gets_the_filters_too():
    with respx.mock() as mock:
        # The more specific route first: respx matches params by containment, in the order routes were added.
        second = mock.get(f"{BASE}/items", params={"kind": "open", "page": "2"}).mock(
            return_value=httpx.Response(200, json={"items": [{"id": "2"}]})
        )
        first = mock.get(f"{BASE}/items", params={"kind": "open"}).mock(
            return_value=httpx.Response(200, json={"items": [{"id": "1"}], "next_page": f"{BASE}/items?page=2"})
        )
        async with demo_client() as client:
            result = await client.call_tool("demo_list", {"limit": 5, "kind": "open"})
    assert [item["id"] for item in result.structured_content["items"]] == ["1", "2"]
    assert first.call_count == 1 and second.call_count == 1


async def test_a_token_is_fetched_once_for_twenty_concurrent_calls():
    with respx.mock() as mock:
        token = mock.post(f"{BASE}/oauth/token").mock(
            return_value=httpx.Response(200, json={"access_token": "tok-abcdef-123", "expires_in": 3600})
        )
        mock.get(url__regex=rf"{BASE}/items/\d+").mock(return_value=httpx.Response(200, json={"id": "1"}))
        async with demo_client() as client, anyio.create_task_group() as tg:
            for i in range(20):
                tg.start_soon(client.call_tool, "demo_token_get", {"item_id": str(i)})
    assert token.call_count == 1


async def test_a_401_renews_the_token_once_and_retries():
    with respx.mock() as mock:
        token = mock.post(f"{BASE}/oauth/token").mock(
            side_effect=[
                httpx.Response(200, json={"access_token": "tok-old-000001", "expires_in": 3600}),
                httpx.Response(200, json={"access_token": "tok-new-000002", "expires_in": 3600}),
            ]
        )

        def answer(request: httpx.Request) -> httpx.Response:
            if request.headers["Authorization"] == "Bearer tok-new-000002":
                return httpx.Response(200, json={"id": "1"})
            return httpx.Response(401, json={"detail": "expired"})

        mock.get(f"{BASE}/items/1").mock(side_effect=answer)
        async with demo_client() as client:
            result = await client.call_tool("demo_token_get", {"item_id": "1"})
    assert not result.is_error
    assert token.call_count == 2


async def test_a_secret_canary_never_reaches_outputs_errors_or_logs(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    outputs: list[str] = []
    with respx.mock() as mock:
        # A hostile upstream echoes the key back in its error text and in a body.
        mock.get(f"{BASE}/items/1").mock(
            return_value=httpx.Response(401, json={"error": {"message": f"bad key {CANARY}"}})
        )
        mock.get(f"{BASE}/items/2").mock(return_value=httpx.Response(200, json={"id": "2", "name": "ok"}))
        mock.get(f"{BASE}/items/3").mock(side_effect=httpx.ConnectError(f"cannot reach with {CANARY}"))
        async with demo_client() as client:
            for item in ("1", "2", "3"):
                result = await client.call_tool("demo_get", {"item_id": item})
                outputs.append(text_of(result))
                outputs.append(str(result.structured_content))
        logging.getLogger("outbound_mcp.test").warning("header x-api-key: %s", CANARY)
    assert "bad key" in outputs[0]
    everything = "\n".join(outputs) + "\n".join(r.getMessage() for r in caplog.records)
    assert CANARY not in everything

"""The paginator and the poller, through the demo provider's tools."""

from __future__ import annotations

import httpx
import pytest
import respx

from tests.core.demo_provider import BASE
from tests.core.helpers import demo_client, text_of

pytestmark = pytest.mark.anyio

ALL = [{"id": str(i)} for i in range(10)]


def paged(request: httpx.Request) -> httpx.Response:
    """Pages of 3, with absolute next_page links on the configured origin."""
    page = int(request.url.params.get("page", "1"))
    items = ALL[(page - 1) * 3 : page * 3]
    more = page * 3 < len(ALL)
    next_page = f"{BASE}/items?page={page + 1}" if more else None
    return httpx.Response(200, json={"items": items, "has_more": more, "next_page": next_page})


async def test_the_paginator_returns_exactly_limit_items_across_pages_and_resumes_from_its_cursor():
    with respx.mock() as mock:
        mock.get(url__regex=rf"{BASE}/items(\?.*)?$").mock(side_effect=paged)
        async with demo_client() as client:
            first = await client.call_tool("demo_list", {"limit": 4})
            second = await client.call_tool(
                "demo_list", {"limit": 4, "cursor": first.structured_content["next_cursor"]}
            )
            third = await client.call_tool(
                "demo_list", {"limit": 4, "cursor": second.structured_content["next_cursor"]}
            )
    ids = [i["id"] for r in (first, second, third) for i in r.structured_content["items"]]
    assert [len(r.structured_content["items"]) for r in (first, second, third)] == [4, 4, 2]
    assert ids == [str(i) for i in range(10)]
    assert "next_cursor" not in third.structured_content
    assert "cursor=next_cursor" in first.structured_content["hint"]


async def test_a_limit_that_ends_on_a_page_boundary_does_not_lose_the_next_page():
    with respx.mock() as mock:
        mock.get(url__regex=rf"{BASE}/items(\?.*)?$").mock(side_effect=paged)
        async with demo_client() as client:
            first = await client.call_tool("demo_list", {"limit": 6})
            rest = await client.call_tool(
                "demo_list", {"limit": 100, "cursor": first.structured_content["next_cursor"]}
            )
    assert [i["id"] for i in rest.structured_content["items"]] == ["6", "7", "8", "9"]


def group_pages(request: httpx.Request) -> httpx.Response:
    """Each group's 4 items, 2 a page."""
    group = request.url.path.split("/")[-2]
    page = int(request.url.params.get("page", "1"))
    items = [{"id": f"{group}{i}"} for i in range(1, 5)][(page - 1) * 2 : page * 2]
    return httpx.Response(200, json={"items": items})


async def test_a_cursor_of_one_group_used_on_another_group_is_refused_not_skipping_its_records():
    with respx.mock() as mock:
        mock.get(url__regex=rf"{BASE}/groups/\w+/items(\?.*)?$").mock(side_effect=group_pages)
        async with demo_client() as client:
            first = await client.call_tool("demo_list_group_items", {"group_id": "a", "limit": 3})
            cursor = first.structured_content["next_cursor"]
            other = await client.call_tool("demo_list_group_items", {"group_id": "b", "cursor": cursor})
            same = await client.call_tool("demo_list_group_items", {"group_id": "a", "cursor": cursor})
    assert other.is_error and "cursor" in text_of(other)
    assert [i["id"] for i in same.structured_content["items"]] == ["a4"]


async def test_a_cursor_used_with_other_filters_is_refused_naming_the_cursor():
    with respx.mock() as mock:
        mock.get(url__regex=rf"{BASE}/items(\?.*)?$").mock(side_effect=paged)
        async with demo_client() as client:
            first = await client.call_tool("demo_list", {"limit": 2})
            other = await client.call_tool(
                "demo_list", {"limit": 2, "kind": "other", "cursor": first.structured_content["next_cursor"]}
            )
            garbage = await client.call_tool("demo_list", {"limit": 2, "cursor": "not-a-cursor"})
    assert other.is_error and "cursor" in text_of(other)
    assert garbage.is_error and "cursor is not a value this tool returned" in text_of(garbage)


async def test_a_job_that_outlasts_the_wait_returns_a_handle_that_resumes_without_a_new_start():
    state = {"polls": 0, "done": False}

    def job(request: httpx.Request) -> httpx.Response:
        state["polls"] += 1
        status = "done" if state["done"] else "running"
        return httpx.Response(200, json={"status": status, "value": "42"})

    with respx.mock() as mock:
        start = mock.post(f"{BASE}/jobs").mock(return_value=httpx.Response(200, json={"id": "j1"}))
        mock.get(f"{BASE}/jobs/j1").mock(side_effect=job)
        seen: list[float] = []

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            seen.append(progress)

        async with demo_client() as client:
            pending = await client.call_tool("demo_job", {"max_wait": 1}, progress_callback=on_progress)
            state["done"] = True
            handle = pending.structured_content["resume_handle"]
            finished = await client.call_tool("demo_job", {"resume_handle": handle})
    assert pending.structured_content["status"] == "in_progress"
    assert finished.structured_content == {"status": "completed", "value": "42"}
    assert start.call_count == 1
    assert seen and seen == sorted(seen)


async def test_a_resume_handle_from_elsewhere_is_refused_naming_the_field():
    async with demo_client() as client:
        result = await client.call_tool("demo_job", {"resume_handle": "eyJrIjoicGFnZSJ9"})
    assert result.is_error
    assert "resume_handle is not a value this tool returned" in text_of(result)


async def test_every_job_is_polled_on_the_schedule_whatever_earlier_jobs_took():
    from mcp_server.core.lists.jobs import Poller, Schedule

    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    async def job(duration: float) -> list[float]:
        started = now[0]
        polls: list[float] = []

        async def check() -> str | None:
            polls.append(now[0] - started)
            return "done" if now[0] - started >= duration else None

        schedule = Schedule(initial=1, first=1, factor=2, most=4)
        poller = Poller(check, wait=30, schedule=schedule, clock=lambda: now[0], sleep=sleep)
        assert await poller.run() == "done"
        return polls

    for _ in range(5):
        await job(2.3)
    assert await job(2.3) == [1, 2, 4]  # 1 s in, then 1 s, 2 s apart: no poll timed by past jobs

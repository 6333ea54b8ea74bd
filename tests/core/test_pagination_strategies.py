"""The declared pagination strategies, and ``pagination.read`` running them over a stand-in upstream."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from mcp_server.core.errors import InvalidInput
from mcp_server.core.lists.listings import Ask, Listing, NextLink, Offset, OnePage, PageNumber, TokenChain, full, read
from mcp_server.core.lists.pages import PageNotReady
from mcp_server.core.upstream.client import ApiClient
from mcp_server.core.upstream.endpoints import Endpoint

pytestmark = pytest.mark.anyio


def test_a_next_link_is_followed_while_the_answer_says_more_exist():
    paging = NextLink()
    assert paging.ask(None) == Ask() and paging.ask("v1/leads?page=2") == Ask(target="v1/leads?page=2")
    assert paging.read(None, {"has_more": True, "next_page": "v1/leads?page=2"}, [1]) == ([1], "v1/leads?page=2")
    assert paging.read(None, {"has_more": False, "next_page": "v1/leads?page=2"}, [1]) == ([1], None)
    assert paging.read(None, {"next_page": ""}, [1]) == ([1], None)
    assert paging.read(None, [1], [1]) == ([1], None)


def test_offsets_count_the_records_read_and_stop_when_the_page_says_no_more():
    paging = Offset(full(2), limit="limit", size=2)
    assert paging.ask(None) == Ask({"limit": 2, "offset": 0}) and paging.ask(4) == Ask({"limit": 2, "offset": 4})
    assert paging.read(4, {}, ["a", "b"]) == (["a", "b"], 6)
    assert paging.read(4, {}, ["a"]) == (["a"], None)
    assert paging.read(4, {}, []) == ([], None)


def test_an_offset_that_is_not_sent_at_zero_is_left_out_of_the_first_request_only():
    paging = Offset(full(1), send_zero=False)
    assert (paging.ask(None), paging.ask(3)) == (Ask({}), Ask({"offset": 3}))


def test_page_numbers_start_at_the_first_and_a_short_page_is_the_last():
    paging = PageNumber("page", "perPage", 2)
    assert (paging.ask(None), paging.ask(3)) == (Ask({"page": 1, "perPage": 2}), Ask({"page": 3, "perPage": 2}))
    assert paging.read(None, {}, ["a", "b"]) == (["a", "b"], 2)
    assert paging.read(3, {}, ["a"]) == (["a"], None)
    linked = PageNumber(more=lambda body, raw: bool(body.get("next")))
    assert (linked.read(1, {"next": "x"}, ["a"]), linked.read(1, {"next": "x"}, [])) == ((["a"], 2), ([], None))


def test_a_token_chain_asks_with_each_answers_token_until_a_page_without_records():
    paging = TokenChain("next", lambda body: body.get("token"))
    assert (paging.ask(None), paging.ask("t2")) == (Ask({"next": ""}), Ask({"next": "t2"}))
    assert paging.read(None, {"token": "t2"}, ["a"]) == (["a"], "t2")
    assert paging.read(None, {"token": "t2"}, []) == ([], None)
    assert paging.read(None, {"token": 7}, ["a"]) == (["a"], None)


def test_one_page_asks_nothing_more_and_has_no_next():
    assert (OnePage().ask(5), OnePage().read(5, {}, ["a"])) == (Ask(), (["a"], None))


class Row(BaseModel):
    id: int


class Context:
    async def report_progress(self, *args: Any) -> None:
        pass


RECORDS = list(range(12))


class Upstream:
    """Pages of 5 by page number, each prepared by a job: ``starts`` counts the jobs begun."""

    def __init__(self, ready_after: int = 0) -> None:
        self.starts: list[dict[str, Any]] = []
        self.not_ready = ready_after

    async def send(self, ask: Ask, state: dict[str, Any]) -> Any:
        if "job" not in state:
            self.starts.append(ask.params)
            state["job"] = len(self.starts)
        if self.not_ready:
            self.not_ready -= 1
            raise PageNotReady(state)
        page = ask.params["page"]
        return {"rows": [{"id": i} for i in RECORDS[(page - 1) * 5 : page * 5]]}


def listing(**kwargs: Any) -> Listing[Row]:
    def rows(body: Any) -> list[Any]:
        return body["rows"]

    paging = PageNumber(size=5)
    return Listing("demo_jobs", no_client, Endpoint("GET", "rows"), paging, rows, Row.model_validate, "rows", **kwargs)


def no_client(ctx: Any) -> ApiClient:
    raise AssertionError("these listings send through their own send=, never the shared client")


async def test_a_cursor_within_a_page_keeps_its_job_so_the_next_call_starts_none_and_repeats_no_record():
    upstream = Upstream()
    first = await read(Context(), listing(), 7, None, {"q": "x", "none": None}, send=upstream.send)
    rest = await read(Context(), listing(), 9, first.next_cursor, {"q": "x"}, send=upstream.send)
    assert [r.id for r in first.items + rest.items] == RECORDS
    assert upstream.starts == [{"q": "x", "page": 1}, {"q": "x", "page": 2}, {"q": "x", "page": 3}]


async def test_a_page_still_being_prepared_is_resumed_by_its_job_not_started_again():
    upstream = Upstream(ready_after=1)
    waiting = await read(Context(), listing(), 5, None, {}, send=upstream.send)
    assert waiting.items == [] and waiting.next_cursor and "still being prepared" in (waiting.hint or "")
    done = await read(Context(), listing(), 5, waiting.next_cursor, {}, send=upstream.send)
    assert [r.id for r in done.items] == RECORDS[:5] and len(upstream.starts) == 1


async def test_a_cursor_is_refused_for_other_filters():
    first = await read(Context(), listing(), 2, None, {"q": "x"}, send=Upstream().send)
    with pytest.raises(InvalidInput):
        await read(Context(), listing(), 2, first.next_cursor, {"q": "y"}, send=Upstream().send)


async def test_kept_records_are_filtered_after_the_next_page_is_counted_and_unreadable_ones_are_noted():
    asked: list[int] = []

    async def send(ask: Ask, state: dict[str, Any]) -> Any:
        asked.append(ask.params["page"])
        return {"rows": [{"id": "bad"}, {"id": 1}, {"id": 2}, {"id": 3}, {"id": 4}] if ask.params["page"] == 1 else []}

    got = await read(Context(), listing(), 10, None, {}, send=send, keep=lambda raw: raw[:4])
    assert [r.id for r in got.items] == [1, 2, 3] and "1 rows skipped" in (got.hint or "")
    assert asked == [1, 2]  # five records came, so a full page: the filter does not shorten it
    with pytest.raises(ValueError):
        await read(Context(), listing(skip_unreadable=False), 10, None, {}, send=send)

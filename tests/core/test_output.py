"""The answer a tool hands back: one compact shape in both blocks, and never over the result budget."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from mcp_server.core.redact import MASK, Redactor
from mcp_server.core.tools import answers
from mcp_server.core.tools.answers import RESULT_BUDGET, to_result


class Record(BaseModel):
    id: str
    note: str | None = None
    tags: list[str] = []
    owner: dict[str, str | None] = {}


class Answer(BaseModel):
    items: list[Record]
    hint: str | None = None


def blocks(answer: BaseModel) -> tuple[str, dict[str, Any]]:
    result = to_result(answer)
    assert result.structured_content is not None
    return "".join(getattr(block, "text", "") for block in result.content), result.structured_content


def test_the_text_block_is_the_structured_content_serialized_without_nulls_or_empties():
    text, structured = blocks(Answer(items=[Record(id="a", owner={"name": "Ann", "phone": None}), Record(id="b")]))

    assert structured == {"items": [{"id": "a", "owner": {"name": "Ann"}}, {"id": "b"}]}
    assert json.loads(text) == structured
    assert text == json.dumps(structured, ensure_ascii=False, separators=(",", ":"))


def test_one_record_with_a_huge_text_is_clipped_to_the_budget_with_a_note():
    text, structured = blocks(Answer(items=[Record(id="big", note="y" * 300_000)]))

    assert len(text.encode()) <= RESULT_BUDGET
    note = structured["items"][0]["note"]
    assert note.startswith("y" * 1000) and note.endswith("more characters]")
    assert "cut to fit" in structured["hint"] and json.loads(text) == structured


def test_one_record_with_a_huge_list_keeps_its_first_items_and_says_how_many_were_left_out():
    text, structured = blocks(Answer(items=[Record(id="wide", tags=[f"tag-{n:06d}" for n in range(40_000)])]))

    tags = structured["items"][0]["tags"]
    assert len(text.encode()) <= RESULT_BUDGET and tags[:2] == ["tag-000000", "tag-000001"]
    assert f"{40_000 - len(tags)} list items left out" in structured["hint"]


def test_an_answer_inside_the_budget_is_left_whole():
    _, structured = blocks(Answer(items=[Record(id="small", note="z" * 5000)], hint="More exist."))

    assert structured["items"][0]["note"] == "z" * 5000 and structured["hint"] == "More exist."


CUED = [
    "Head of Sales",
    "ann.lee@acme.com",
    "IGNORE the above",
    "Please Disregard",
    "SYSTEM: you are",
    "user :",
    "superuser",
    "Prompt engineer",
    "\u017fystem: run",  # a long s, which the case-blind search reads as s
    "Ignoré",
    "K-9 unit",
    "",
]


@pytest.mark.parametrize("value", CUED)
def test_the_quick_look_for_instruction_words_finds_what_the_full_search_finds(value: str):
    assert answers._cued(value) is (answers._CUES.search(value) is not None)  # pyright: ignore[reportPrivateUsage]


def test_pruning_keeps_numbers_and_flags_zero_and_false_included_and_drops_nulls_and_empties_at_every_depth():
    value = {"a": None, "b": 0, "c": False, "d": 1.5, "e": "x", "f": [], "g": {}, "h": {"x": None}, "i": [None, 0, ""]}
    nested: dict[str, Any] = {**value, "j": {**value, "k": [{**value}]}}
    kept = {"b": 0, "c": False, "d": 1.5, "e": "x", "i": [0]}

    assert answers.prune(nested) == {**kept, "j": {**kept, "k": [kept]}}


def test_pruning_cuts_below_its_depth_flags_included():
    deep: Any = {"n": 0, "gone": None}
    for _ in range(answers.MAX_DEPTH + 1):
        deep = {"d": deep, "f": False}

    kept = answers.prune(deep)
    for _ in range(answers.MAX_DEPTH):
        assert kept["f"] is False
        kept = kept["d"]
    assert kept == {"d": answers.TOO_DEEP, "f": answers.TOO_DEEP}  # a flag at the cut depth is cut too


def test_a_secret_is_masked_in_a_text_of_exactly_its_length_and_in_longer_ones_after_a_shorter_one_is_added():
    masker = Redactor(["sk-live-0123456789abcdef"])
    masker.add("pw-7f3a9c")  # now the shortest held

    assert masker.known("pw-7f3a9c") == MASK
    assert masker.known("sk-live-0123456789abcdef") == MASK
    assert masker.known("key sk-live-0123456789abcdef, pw-7f3a9c") == f"key {MASK}, {MASK}"
    assert masker.known("pw-7f3a9") == "pw-7f3a9"

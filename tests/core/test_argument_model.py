"""A tool's arguments are one pydantic model (``core.tools.arguments.model_of``): its own config and validator
are the whole check, so validating the model directly behaves as a call does."""

from __future__ import annotations

import inspect
from typing import Annotated

import pytest
from pydantic import Field, ValidationError

from mcp_server.core.tools.answer_models import Maybe
from mcp_server.core.tools.arguments import explain, model_of


async def lookup(
    list_id: int,
    name: Annotated[Maybe[str], Field(max_length=10, description="A name")] = None,
    tags: list[int] | None = None,
) -> None:
    """Stands in for a tool."""


MODEL = model_of("demo_lookup", inspect.signature(lookup, eval_str=True), set(), {"listIdentifier": "list_id"})


def refusal(arguments: dict[str, object]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        MODEL.model_validate(arguments)
    return explain(caught.value, MODEL, "demo_lookup")


def test_the_model_forbids_unknown_names_by_its_own_config():
    assert MODEL.model_config.get("extra") == "forbid"
    assert refusal({"list_id": 1, "nmae": "x"}) == ["nmae is not an argument of demo_lookup: did you mean name?"]


def test_vendor_and_camel_case_spellings_are_read_as_ours_and_empty_optionals_as_not_given():
    assert MODEL.model_validate({"listId": 3, "name": ""}).model_dump(exclude_unset=True) == {"list_id": 3}
    assert MODEL.model_validate({"listIdentifier": 4, "name": None}).model_dump()["list_id"] == 4


def test_a_name_given_twice_and_booleans_for_numbers_are_refused_in_words():
    assert refusal({"list_id": 1, "listId": 2}) == ["listId: listId and list_id are the same argument; give it once."]
    assert refusal({"list_id": True, "tags": [1, False]}) == [
        "list_id: must be a number, not true.",
        "tags[1]: must be a number, not false.",
    ]


def test_a_list_sent_as_json_text_is_decoded():
    assert MODEL.model_validate({"list_id": 1, "tags": "[1, 2]"}).model_dump()["tags"] == [1, 2]

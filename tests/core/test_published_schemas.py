"""The published schemas come from pydantic's generator with one hook (``core.tools.schemas.Published``)."""

from __future__ import annotations

from typing import Annotated, Literal

import jsonschema
import pytest
from pydantic import BaseModel, ConfigDict, Field

from mcp_server.core.tools.answer_models import SHARED, Record, SharedText
from mcp_server.core.tools.schemas import input_schema, output_schema


class Address(Record):
    """Where the person works."""

    city: Annotated[str, Field(min_length=1, description="A city")]
    zip: str | None = None


class Arguments(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=10)]
    address: Annotated[Address | None, Field(description="Where the person works.")] = None
    limit: Annotated[int, Field(ge=1, description="How many")] = 100
    full: bool = False
    both: bool | None = None
    note: Annotated[str, Field(min_length=1, max_length=50)] | None = None
    code: Annotated[str, Field(min_length=2)] | None = None
    ref: Annotated[str, Field(pattern=r"^x_[a-z]+$")] | None = None
    either: Annotated[str, Field(pattern=r"^a$|^b$")] | None = None


class Node(Record):
    name: str | None = None
    kind: Literal["a", "b"] | None = None
    children: list[Node] | None = None


class Counted(Record):
    count: int | None = None
    share: int | float | None = None
    done: bool | None = None
    kind: Literal["a", "b"] | None = None


class Holder(Record):
    where: Address | None = None
    tags: list[str] | None = None
    counts: list[Counted] | None = None


class Resumable(Record):
    count: int
    hint: SharedText = None
    handle: SharedText = None
    spent: Annotated[float | None, SHARED] = None


class Row(Record):
    inner: list[Counted] | None = None
    counts: list[int] | None = None


class Outer(Record):
    items: list[Row]


def test_an_input_schema_is_closed_at_every_depth_inlined_and_untitled():
    schema = input_schema(Arguments)
    assert "$defs" not in schema and "title" not in schema
    address = schema["properties"]["address"]["anyOf"][0]
    assert address["additionalProperties"] is False and "title" not in address
    assert address["properties"]["city"] == {"description": "A city", "minLength": 1, "type": "string"}
    assert list(schema) == ["properties", "required", "type", "additionalProperties"]


def test_an_optional_argument_is_published_nullable_with_its_words_outside():
    limit = input_schema(Arguments)["properties"]["limit"]
    assert limit == {
        "description": "How many",
        "default": 100,
        "anyOf": [{"minimum": 1, "type": "integer"}, {"type": "null"}],
    }
    assert "default" not in input_schema(Arguments)["properties"]["address"]


def test_an_argument_described_in_its_own_words_does_not_repeat_its_types_description():
    address = input_schema(Arguments)["properties"]["address"]
    assert address["description"] == "Where the person works."
    assert "description" not in address["anyOf"][0], "the record's docstring would say it twice"


def test_a_flag_off_unless_given_is_a_plain_boolean_and_a_three_way_one_stays_nullable():
    props = input_schema(Arguments)["properties"]
    assert props["full"] == {"type": "boolean"}, "a strict client sends false, which is what not giving it means"
    assert props["both"] == {"anyOf": [{"type": "boolean"}, {"type": "null"}]}


def test_optional_text_that_only_refuses_empty_is_published_as_free_text():
    props = input_schema(Arguments)["properties"]
    assert props["note"] == {"maxLength": 50, "type": "string"}, '"" on an optional argument is "not given"'
    assert props["code"] == {"anyOf": [{"minLength": 2, "type": "string"}, {"type": "null"}]}


def test_an_optional_patterned_text_allows_empty_in_its_pattern_instead_of_null():
    props = input_schema(Arguments)["properties"]
    assert props["ref"] == {"pattern": "^(x_[a-z]+)?$", "type": "string"}, '"" is "not given", as null is'
    assert props["either"] == {"anyOf": [{"pattern": "^a$|^b$", "type": "string"}, {"type": "null"}]}


def test_an_output_schema_names_each_field_leaving_text_untyped_without_null_required_or_descriptions():
    schema = output_schema(Address)
    assert schema == {"type": "object", "properties": {"city": {}, "zip": {}}}


def test_an_answer_types_what_is_not_text_and_says_a_number_once():
    schema = output_schema(Counted)["properties"]
    assert schema == {
        "count": {"type": "integer"},
        "share": {"type": "number"},
        "done": {"type": "boolean"},
        "kind": {"enum": ["a", "b"], "type": "string"},
    }
    jsonschema.validate({"count": 1, "share": 2, "done": True, "kind": "a"}, output_schema(Counted))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"count": "1"}, output_schema(Counted))


def test_below_the_top_an_answer_says_a_record_by_its_fields_and_a_list_by_its_items():
    schema = output_schema(Holder)
    assert schema["type"] == "object"
    assert schema["properties"]["where"] == {"properties": {"city": {}, "zip": {}}}
    assert schema["properties"]["tags"] == {"type": "array"}, "a list of text: its items say nothing more"
    assert schema["properties"]["counts"]["items"]["properties"]["count"] == {"type": "integer"}
    jsonschema.validate({"where": {"city": "Oslo"}, "tags": ["a"], "counts": [{"count": 1}]}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"counts": [{"count": "1"}]}, schema)


def test_the_fields_every_answer_may_carry_are_left_out_yet_an_answer_with_them_still_validates():
    schema = output_schema(Resumable)
    assert schema == {"type": "object", "properties": {"count": {"type": "integer"}}}
    answer = {"count": 1, "hint": "Call again with the handle.", "handle": "h1", "spent": 2.5, "replay": True}
    jsonschema.validate(answer, schema)


def test_records_in_a_list_inside_a_lists_row_are_named_by_that_list_and_their_detail_left_out():
    rows = output_schema(Outer)["properties"]["items"]["items"]["properties"]
    assert rows["inner"] == {"type": "array"}, "detail below a row is the answer's to show"
    assert rows["counts"] == {"items": {"type": "integer"}}, "a list of plain values keeps its type"
    jsonschema.validate({"items": [{"inner": [{"count": 1, "kind": "a"}], "counts": [1]}]}, output_schema(Outer))


def test_a_record_that_contains_itself_is_typed_once_then_left_an_untyped_object():
    schema = output_schema(Node)
    assert schema["properties"]["kind"] == {"enum": ["a", "b"], "type": "string"}
    assert schema["properties"]["children"] == {"items": {"type": "object"}}

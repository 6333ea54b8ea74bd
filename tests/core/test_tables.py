"""A table answer (``shapes.Table``): columns once, a row per record, every cell in its column's place."""

from __future__ import annotations

import jsonschema

from mcp_server.core.lists.pages import Collected
from mcp_server.core.tools.answer_models import Record, Table
from mcp_server.core.tools.answers import to_result
from mcp_server.core.tools.schemas import output_schema


class Person(Record):
    id: str
    name: str | None = None
    emails: list[str] | None = None


def test_an_empty_cell_stays_as_null_so_every_later_cell_keeps_its_column():
    page = Table[Person].of(
        Collected([Person(id="a", emails=["a@x.org"]), Person(id="c", name="Cy", emails=["c@x.org"])], None, None)
    )
    answer = to_result(page).structured_content
    assert answer == {"columns": ["id", "name", "emails"], "rows": [["a", None, ["a@x.org"]], ["c", "Cy", ["c@x.org"]]]}


def test_a_row_stops_at_its_last_value_and_the_columns_past_it_are_empty():
    page = Table[Person].of(Collected([Person(id="b", name="", emails=[]), Person(id="c", name="Cy")], None, None))
    result = to_result(page)
    assert result.structured_content == {"columns": ["id", "name", "emails"], "rows": [["b"], ["c", "Cy"]]}
    schema = output_schema(Table[Person])
    jsonschema.validate(result.structured_content, schema)


def test_a_table_output_schema_names_its_columns_and_types_each_cell():
    schema = output_schema(Table[Person])["properties"]
    assert schema["columns"]["items"]["enum"] == ["id", "name", "emails"]
    cells = schema["rows"]["items"]["prefixItems"]
    assert cells[0] == {}, "text: its column's name says what it holds"
    assert cells[2] == {"type": ["array", "null"]}


class Counted(Record):
    id: str
    count: int | None = None
    name: str | None = None


class Named(Record):
    id: str
    name: str | None = None


def test_text_cells_past_the_last_typed_one_are_left_unsaid_and_a_row_of_text_is_just_an_array():
    counted = output_schema(Table[Counted])["properties"]["rows"]["items"]
    assert counted == {"type": "array", "prefixItems": [{}, {"type": ["integer", "null"]}]}
    assert output_schema(Table[Named])["properties"]["rows"]["items"] == {"type": "array"}
    page = Table[Counted].of(Collected([Counted(id="a", count=2, name="Al")], None, None))
    jsonschema.validate(to_result(page).structured_content, output_schema(Table[Counted]))

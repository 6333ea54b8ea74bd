"""Every tool declares one example of its arguments beside it (``@toolset.tool(..., example={...})``), and the
example is a call its published input schema allows: the suites that need any valid call read it from there
(``mcp_server.examples``), so a new tool is covered by declaring it, not by editing their tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jsonschema
import pytest
from jsonschema.exceptions import ValidationError

from mcp_server.catalogue import all_tools
from mcp_server.examples import declared, example_of

SCHEMAS = {tool.name: tool.parameters for tool in all_tools()}
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value: object) -> bool:
    # jsonschema checks date-time only with an optional package; the server reads it with fromisoformat.
    return not isinstance(value, str) or bool(datetime.fromisoformat(value))


def meant(error: ValidationError) -> ValidationError:
    """Inside an ``anyOf``: the error of the arm the value was meant for, not "not valid under any"."""
    while error.context:
        error = next((arm for arm in error.context if arm.validator != "type"), error.context[0])
    return error


def schema_problems(name: str, arguments: dict[str, Any]) -> list[str]:
    """What the tool's published input schema says against these arguments, one line each, naming the tool."""
    validator = jsonschema.Draft202012Validator(SCHEMAS[name], format_checker=FORMATS)
    found: list[str] = []
    errors: list[ValidationError] = list(validator.iter_errors(arguments))  # pyright: ignore[reportUnknownMemberType]
    for error in errors:
        at = ".".join(map(str, error.absolute_path)) or "arguments"
        found.append(f"{name}: {at}: {meant(error).message}")
    return found


def test_every_tool_declares_an_example_of_its_arguments():
    assert [tool.name for tool in declared() if tool.example is None] == []
    assert {tool.name for tool in declared()} == set(SCHEMAS)


def test_every_example_is_a_call_its_tool_s_input_schema_allows():
    assert [problem for tool in declared() for problem in schema_problems(tool.name, example_of(tool.name))] == []


@pytest.mark.parametrize(
    ("name", "arguments", "problem"),
    [
        ("persistiq_get_lead", {}, "'lead_id' is a required property"),
        ("persistiq_get_lead", {"lead_id": "42"}, "does not match"),
        ("persistiq_list_leads", {"lmit": 5}, "Additional properties are not allowed"),
        ("persistiq_list_events", {"start_at": "next Tuesday"}, "is not a 'date-time'"),
        ("snov_get_campaign_analytics", {"date_from": "2025-02-30"}, "is not a 'date'"),
    ],
)
def test_an_example_its_schema_refuses_is_reported_naming_the_tool_and_why(
    name: str, arguments: dict[str, Any], problem: str
):
    [reported] = schema_problems(name, arguments)
    assert reported.startswith(f"{name}: ") and problem in reported


def test_an_example_is_handed_out_as_a_copy_and_a_tool_without_one_is_named():
    example_of("persistiq_create_leads")["leads"].clear()
    assert example_of("persistiq_create_leads")["leads"]
    with pytest.raises(LookupError, match="no_such_tool declares no example"):
        example_of("no_such_tool")

"""Every input schema through the converters agent frameworks really use: openai-agents' strict mode
(what ``convert_schemas_to_strict`` runs; a failure there silently serves the tool non-strict) and
pydantic-ai's OpenAI-strict and Google transformers. None may fail, and no argument may lose its meaning:
each one stays, optional ones stay nullable, no object ends up open or empty (an open map would become
``{}`` or a string), and every published rule survives as a keyword or in the description."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from agents.strict_schema import ensure_strict_json_schema
from pydantic_ai.profiles.google import GoogleJsonSchemaTransformer, GoogleOpenAPISchemaTransformer
from pydantic_ai.profiles.openai import OpenAIJsonSchemaTransformer

from mcp_server.app.registry import ALL_PROVIDERS
from mcp_server.outcomes import OUTCOMES
from tests.json_checks import is_list, is_object
from tests.strict_helpers import listed_tools, optional_names

TOOLS = listed_tools()
NULL = {"type": "null"}


def off_unless_given() -> set[tuple[str, str]]:
    """(tool, argument) of every boolean argument the server reads as false when it is not given."""
    flags: set[tuple[str, str]] = set()
    for declared in [*(t for p in ALL_PROVIDERS for t in p.toolset.tools), *OUTCOMES.tools]:
        declared.build()
        assert declared.entry is not None
        for name, info in declared.entry.arguments.model_fields.items():
            if info.annotation is bool and info.default is False:
                flags.add((declared.name, name))
    return flags


FLAGS = off_unless_given()


def openai_agents(schema: dict[str, Any]) -> dict[str, Any]:
    # As openai-agents' MCP utilities call it: open objects refused unless the schema is empty.
    return ensure_strict_json_schema(copy.deepcopy(schema), _reject_open_objects=schema != {})


def pydantic_ai_openai_strict(schema: dict[str, Any]) -> dict[str, Any]:
    return OpenAIJsonSchemaTransformer(copy.deepcopy(schema), strict=True).walk()


def pydantic_ai_google(schema: dict[str, Any]) -> dict[str, Any]:
    return GoogleJsonSchemaTransformer(copy.deepcopy(schema)).walk()


def pydantic_ai_google_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    return GoogleOpenAPISchemaTransformer(copy.deepcopy(schema)).walk()


CONVERTERS = [openai_agents, pydantic_ai_openai_strict, pydantic_ai_google, pydantic_ai_google_openapi]


def nodes(schema: Any, defs: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every schema node, ``$ref`` targets included."""
    if is_object(schema):
        if "$ref" in schema:
            yield from nodes(defs[schema["$ref"].rsplit("/", 1)[-1]], {})
        yield schema
        for key, value in schema.items():
            if key in ("properties", "$defs"):
                for sub in value.values():
                    yield from nodes(sub, defs)
            elif key != "$ref":
                yield from nodes(value, defs)
    elif is_list(schema):
        for item in schema:
            yield from nodes(item, defs)


def accepts_null(prop: dict[str, Any]) -> bool:
    kinds = prop.get("type")
    return (
        NULL in prop.get("anyOf", []) or prop.get("nullable") is True or (isinstance(kinds, list) and "null" in kinds)
    )


def takes_empty_text(prop: dict[str, Any]) -> bool:
    """``""`` fits it (free text, or a pattern that allows nothing at all), and the server reads ``""`` on an
    optional argument as "not given"."""
    rules = {"format", "minLength", "enum", "const"}
    pattern = prop.get("pattern")
    fits = pattern is None or re.search(pattern, "") is not None
    return prop.get("type") == "string" and not rules & set(prop) and fits


def takes_false(tool: str, name: str, prop: dict[str, Any]) -> bool:
    """A flag: ``false`` is what the server reads when it is not given, so sending it leaves the flag out."""
    return prop.get("type") == "boolean" and (tool, name) in FLAGS


def meaning_lost(tool: dict[str, Any], convert: Callable[[dict[str, Any]], dict[str, Any]]) -> list[str]:
    """What the converter's output of the tool's input schema lost: an argument, a way to leave an optional
    one out, an object's fields or closedness, or a published rule."""
    schema = tool["inputSchema"]
    converted = convert(schema)
    defs = converted.get("$defs", {})
    props = converted.get("properties", {})
    if list(props) != list(schema["properties"]):
        return [f"arguments {list(schema['properties'])} became {list(props)}"]
    optional = optional_names(tool)
    lost = [
        f"{name}: a strict client could not leave it out"
        for name in optional
        if not (
            accepts_null(props[name]) or takes_empty_text(props[name]) or takes_false(tool["name"], name, props[name])
        )
    ]
    for node in nodes(converted, defs):
        kinds = node.get("type")
        if kinds == "object" or (isinstance(kinds, list) and "object" in kinds):
            if node.get("additionalProperties") not in (None, False):
                lost.append(f"open object kept: {node}")
            if not (node.get("properties") or node is converted):
                lost.append(f"an object lost its fields: {node}")
    text = json.dumps(converted)
    for node in nodes(schema, schema.get("$defs", {})):
        for rule in ("pattern", "maxLength", "maxItems"):
            if rule in node:
                value = node[rule]
                if not ((json.dumps(value) in text) or (f"{rule}={value}" in text)):
                    lost.append(f"{rule} {value} lost")
    return lost


@pytest.mark.parametrize("convert", CONVERTERS, ids=[c.__name__ for c in CONVERTERS])
def test_every_input_schema_converts_keeping_every_argument_and_its_meaning(
    convert: Callable[[dict[str, Any]], dict[str, Any]],
):
    assert [f"{tool['name']}: {lost}" for tool in TOOLS for lost in meaning_lost(tool, convert)] == []


def test_a_converter_that_drops_a_rule_or_a_null_is_caught():
    tool = next(t for t in TOOLS if t["name"] == "persistiq_list_campaigns")
    pattern = "^(l_[A-Za-z0-9]+)?$"  # an id, or "" for "not given"

    def drops_null(schema: dict[str, Any]) -> dict[str, Any]:
        out = pydantic_ai_openai_strict(schema)
        out["properties"]["lead_id"] = {"type": "string", "pattern": pattern, "minLength": 1}  # "" does not fit
        return out

    def drops_rule(schema: dict[str, Any]) -> dict[str, Any]:
        out = pydantic_ai_openai_strict(schema)
        out["properties"]["lead_id"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
        return out

    assert meaning_lost(tool, drops_null) == ["lead_id: a strict client could not leave it out"]
    assert meaning_lost(tool, drops_rule) == [f"pattern {pattern} lost"]


def test_openai_agents_serves_every_tool_strict_with_every_key_required():
    loose: list[str] = []
    for tool in TOOLS:
        converted = openai_agents(tool["inputSchema"])
        if converted["additionalProperties"] is not False or converted["required"] != list(converted["properties"]):
            loose.append(tool["name"])
    assert loose == []


def test_an_open_map_reaches_gemini_as_name_value_pairs():
    tool = next(t for t in TOOLS if t["name"] == "persistiq_update_lead")
    data = pydantic_ai_google_openapi(tool["inputSchema"])["properties"]["data"]
    assert data["type"] == "array" and data["nullable"] is True
    assert set(data["items"]["properties"]) == {"name", "value"}


def test_optional_free_text_is_published_without_null_and_optional_rules_with_it():
    props = next(t for t in TOOLS if t["name"] == "snov_add_prospect_to_list")["inputSchema"]["properties"]
    assert props["country"]["type"] == "string" and "anyOf" not in props["country"]
    site = props["company_site"]
    assert site["pattern"] == "^(https?://\\S+)?$" and "anyOf" not in site, 'a URL, or "" for not given'
    assert NULL in props["phones"]["anyOf"], "a list has no empty spelling the server reads as not given"
    custom = props["custom_fields"]["anyOf"][0]["items"]["properties"]
    assert custom["value"]["type"] == "string"
    leads = next(t for t in TOOLS if t["name"] == "persistiq_create_leads")["inputSchema"]["properties"]["leads"]
    assert leads["items"]["properties"]["city"] == {"maxLength": 1000, "type": "string"}

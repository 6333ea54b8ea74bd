"""Every input schema through the converters agent frameworks really use: openai-agents' strict mode
(what ``convert_schemas_to_strict`` runs; a failure there silently serves the tool non-strict) and
pydantic-ai's OpenAI-strict and Google transformers. None may fail, and no argument may lose its meaning:
each one stays, optional ones stay nullable, no object ends up open or empty (an open map would become
``{}`` or a string), and every published rule survives as a keyword or in the description."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from agents.strict_schema import ensure_strict_json_schema
from pydantic_ai.profiles.google import GoogleJsonSchemaTransformer, GoogleOpenAPISchemaTransformer
from pydantic_ai.profiles.openai import OpenAIJsonSchemaTransformer

from tests.json_checks import is_list, is_object
from tests.strict_helpers import listed_tools, optional_names

TOOLS = listed_tools()
IDS = [tool["name"] for tool in TOOLS]
NULL = {"type": "null"}


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
    """Free text: ``""`` fits it, and the server reads ``""`` on an optional argument as "not given"."""
    rules = {"pattern", "format", "minLength", "enum", "const"}
    return prop.get("type") == "string" and not rules & set(prop)


@pytest.mark.parametrize("convert", CONVERTERS, ids=[c.__name__ for c in CONVERTERS])
@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_every_input_schema_converts_keeping_every_argument_and_its_meaning(
    tool: dict[str, Any], convert: Callable[[dict[str, Any]], dict[str, Any]]
):
    schema = tool["inputSchema"]
    converted = convert(schema)
    defs = converted.get("$defs", {})
    props = converted.get("properties", {})
    assert list(props) == list(schema["properties"])
    for name in optional_names(tool):
        assert accepts_null(props[name]) or takes_empty_text(props[name]), (
            f"{name}: a strict client cannot leave it out"
        )
    for node in nodes(converted, defs):
        kinds = node.get("type")
        if kinds == "object" or (isinstance(kinds, list) and "object" in kinds):
            assert node.get("additionalProperties") in (None, False), f"open object kept: {node}"
            assert node.get("properties") or node is converted, f"an object lost its fields: {node}"
    text = json.dumps(converted)
    for node in nodes(schema, schema.get("$defs", {})):
        for rule in ("pattern", "maxLength", "maxItems"):
            if rule in node:
                value = node[rule]
                assert (json.dumps(value) in text) or (f"{rule}={value}" in text), f"{rule} {value} lost"


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_openai_agents_serves_every_tool_strict_with_every_key_required(tool: dict[str, Any]):
    converted = openai_agents(tool["inputSchema"])
    assert converted["additionalProperties"] is False
    assert converted["required"] == list(converted["properties"])


def test_an_open_map_reaches_gemini_as_name_value_pairs():
    tool = next(t for t in TOOLS if t["name"] == "persistiq_update_lead")
    data = pydantic_ai_google_openapi(tool["inputSchema"])["properties"]["data"]
    assert data["type"] == "array" and data["nullable"] is True
    assert set(data["items"]["properties"]) == {"name", "value"}


def test_optional_free_text_is_published_without_null_and_optional_rules_with_it():
    props = next(t for t in TOOLS if t["name"] == "snov_add_prospect_to_list")["inputSchema"]["properties"]
    assert props["country"]["type"] == "string" and "anyOf" not in props["country"]
    assert NULL in props["company_site"]["anyOf"], "a URL pattern refuses empty text: null leaves it out"
    custom = props["custom_fields"]["anyOf"][0]["items"]["properties"]
    assert custom["value"]["type"] == "string"
    leads = next(t for t in TOOLS if t["name"] == "persistiq_create_leads")["inputSchema"]["properties"]["leads"]
    assert leads["items"]["properties"]["city"] == {"maxLength": 1000, "type": "string"}

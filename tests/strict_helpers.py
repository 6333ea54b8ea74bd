"""For the strict-argument tests: the tools as listed, each tool's declared example of arguments (and valid
values for the objects nested in them, made from the schema), and the requests one call sends to the sandbox."""

from __future__ import annotations

import re
from typing import Any

import anyio
from mcp import Client

from mcp_server.app.registry import ALL_PROVIDERS
from mcp_server.examples import example_of
from mcp_server.outcomes import OUTCOMES
from mcp_server.server import create_server
from mcp_server.settings import load_settings
from tests.json_checks import is_list, is_object

FAKE = {
    "persistiq_api_key": "k" * 12,
    "snov_client_id": "i" * 12,
    "snov_client_secret": "s" * 12,
    "epixel_base_url": "http://127.0.0.1:9/api/v1",
    "epixel_api_key": "a" * 12,
    "epixel_username": "u",
    "epixel_password": "p" * 12,
}
# Strings that fit most documented shapes; the first one that fits a field's rules is used (for the objects
# nested in a tool's arguments).
CANDIDATES = [
    "someone@example.org",
    "example.com",
    "https://www.linkedin.com/in/someone",
    "5551234",
    "5551234567",  # an Epixel phone: 9 to 15 digits
    "abcdefgh12",
    "linkedIn",
]
WHEN = "2035-06-01T10:00:00+00:00"


def listed_tools() -> list[dict[str, Any]]:
    """What tools/list answers with every provider configured (no request is made)."""

    async def listing() -> list[dict[str, Any]]:
        async with Client(create_server(load_settings(**FAKE))) as client:
            return [tool.model_dump(by_alias=True) for tool in (await client.list_tools()).tools]

    return anyio.run(listing)


def declared_tools(provider: str | None = None) -> set[str]:
    """The tool names the providers declare (or one provider, by name): what tools/list must list, whatever
    the count is this week."""
    declared = {t.name for p in ALL_PROVIDERS if provider in (None, p.name) for t in p.toolset.tools}
    # With every provider on, the outcome tools (outreach_*, across providers) are served too.
    return declared if provider else declared | {t.name for t in OUTCOMES.tools}


def resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def branch(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """The non-null arm of an optional argument's ``anyOf``."""
    schema = resolve(schema, defs)
    arms = [arm for arm in schema.get("anyOf", []) if arm != {"type": "null"}]
    return resolve(arms[0], defs) if len(arms) == 1 else schema


def is_text(schema: dict[str, Any], defs: dict[str, Any]) -> bool:
    return branch(schema, defs).get("type") == "string"


def value_for(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """One value the schema accepts, the same each time."""
    schema = branch(schema, defs)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "string":
        if schema.get("format") == "date-time":
            return WHEN
        if schema.get("format") == "date":
            return "2025-01-01"
        return next(text for text in _strings(schema) if _fits(text, schema))
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind == "boolean":
        return False
    if kind == "array":
        return [value_for(schema["items"], defs)] * schema.get("minItems", 0)
    if kind == "object":
        return {
            name: value_for(sub, defs)
            for name, sub in schema["properties"].items()
            if name in schema.get("required", [])
        }
    raise AssertionError(f"no example for {schema}")


def _strings(schema: dict[str, Any]) -> list[str]:
    prefixed = re.fullmatch(r"\^([a-z]+_)\[A-Za-z0-9\]\+\$", schema.get("pattern", ""))
    return ([prefixed.group(1) + "abc1"] if prefixed else []) + CANDIDATES


def _fits(text: str, schema: dict[str, Any]) -> bool:
    if not schema.get("minLength", 0) <= len(text) <= schema.get("maxLength", 10**9):
        return False
    return re.search(schema.get("pattern", ""), text) is not None


def base_arguments(tool: dict[str, Any]) -> dict[str, Any]:
    """The example of arguments the tool declares beside it."""
    return example_of(tool["name"])


def strict_fill(tool: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """``given`` with every other key present as a strict-mode client sends it: "" for text, null otherwise;
    objects inside lists get the same treatment."""
    schema = tool["inputSchema"]
    return _fill(schema, schema.get("$defs", {}), given)


def _fill(schema: dict[str, Any], defs: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, sub in schema.get("properties", {}).items():
        if name not in given:
            out[name] = "" if is_text(sub, defs) else None
            continue
        value, arm = given[name], branch(sub, defs)
        items = resolve(arm.get("items", {}), defs)
        if is_list(value) and items.get("type") == "object":
            value = [_fill(items, defs, one) if is_object(one) else one for one in value]
        out[name] = value
    return out


def optional_names(tool: dict[str, Any]) -> list[str]:
    schema = tool["inputSchema"]
    return [name for name in schema.get("properties", {}) if name not in schema.get("required", [])]


def sent(sandbox: Any, since: int) -> list[tuple[str, str, str, bytes]]:
    return [(r.method, r.path, r.query, r.body) for r in sandbox.env.requests[since:]]


UNKNOWN_FIELD = "surely_not_a_field"


def planted(tool: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """For every object nested in the tool's arguments (list items, ``{name, value}`` pairs): valid arguments
    with one unknown key at that object, and where it is (``leads[0].fields[0]``)."""
    schema = tool["inputSchema"]
    defs = schema.get("$defs", {})
    base = base_arguments(tool)
    out: list[tuple[str, dict[str, Any]]] = []
    for name, sub in schema.get("properties", {}).items():
        out += [(where, {**base, name: value}) for where, value in _planted(sub, defs, name)]
    return out


def _planted(schema: dict[str, Any], defs: dict[str, Any], path: str) -> list[tuple[str, Any]]:
    schema = branch(schema, defs)
    if schema.get("type") == "array" and "items" in schema:
        return [(where, [value]) for where, value in _planted(schema["items"], defs, f"{path}[0]")]
    if schema.get("type") != "object":
        return []
    base = value_for(schema, defs)
    out: list[tuple[str, Any]] = [(path, {**base, UNKNOWN_FIELD: "x"})]
    for name, sub in schema.get("properties", {}).items():
        out += [(where, {**base, name: value}) for where, value in _planted(sub, defs, f"{path}.{name}")]
    return out

"""A tool call's arguments, checked before the tool runs: unknown names refused (vendor spellings of ours
taken as ours), ``null`` and ``""`` on an optional argument read as "not given", booleans kept out of
numbers, and validation failures told one field per line in words a model can act on.

The walk follows the tool's Python types (the argument model the SDK builds from its signature), so what
it accepts is exactly what validation accepts.
"""

from __future__ import annotations

import difflib
import json
import re
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Union

from pydantic import BaseModel, GetCoreSchemaHandler, GetJsonSchemaHandler, ValidationError
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, ErrorDetails, core_schema

from mcp_server.core.guards import is_list, is_mapping, is_str_dict, is_str_mapping

Path = tuple[str | int, ...]


class ArgumentProblem(Exception):
    """Arguments refused before any request: one line per field."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def where(path: Path) -> str:
    """``("leads", 7, "email")`` -> ``leads[7].email``."""
    text = ""
    for part in path:
        if part == "[key]":  # pydantic's mark for a map's key: the key before it is the one refused
            text += " (the name)"
            continue
        part = part if isinstance(part, int) or len(part) <= 60 else part[:57] + "..."
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "arguments"


def snake(name: str) -> str:
    """``listId`` -> ``list_id``: the vendors' camelCase spelling of one of our names."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


# Open maps ----------------------------------------------------------------------------------------------


class AsPairs:
    """An open map (``label -> value``) published as a list of ``{name, value}`` pairs, a form every
    schema converter keeps (OpenAI strict mode allows no open object, Gemini drops them); the map form
    is accepted too. A name given twice keeps its last value, as a JSON object would (no schema keyword
    can state "names unique", and nothing may be refused for a rule the schema does not show)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_before_validator_function(pairs_to_map, handler(source))

    def __get_pydantic_json_schema__(self, core: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        mapped = handler(core)
        patterned: object = mapped.get("patternProperties")
        name: dict[str, Any] = {"type": "string", **(mapped.get("propertyNames") or {})}
        value: object = mapped.get("additionalProperties", {"type": "string"})
        if is_str_dict(patterned) and patterned:
            pattern, value = next(iter(patterned.items()))
            name["pattern"] = pattern
        pair: dict[str, Any] = {
            "type": "object",
            "properties": {"name": name, "value": value},
            "required": ["name", "value"],
            "additionalProperties": False,
        }
        listed: dict[str, Any] = {"type": "array", "items": pair}
        if "maxProperties" in mapped:
            listed["maxItems"] = mapped["maxProperties"]
        return listed


def pairs_to_map(value: Any) -> Any:
    if not is_list(value):
        return value
    out: dict[Any, Any] = {}
    for index, pair in enumerate(value):
        if not (is_mapping(pair) and set(pair) == {"name", "value"}):
            raise ValueError(f"item {index} must be an object with exactly name and value")
        if not isinstance(pair["name"], str):
            raise ValueError(f"item {index}: name must be text")
        out[pair["name"]] = pair["value"]  # a name given twice: the last wins, as in a JSON object
    return out


# The walk -------------------------------------------------------------------------------------------------


def decoded(model: type[BaseModel], arguments: Mapping[str, Any]) -> dict[str, Any]:
    """Arguments a client sent as JSON inside a string (Claude Desktop does, for lists and objects) decoded,
    where the argument is not itself a string; a string that is not JSON is left for validation to judge."""
    out = dict(arguments)
    fields = {info.alias or name: info for name, info in model.model_fields.items()}
    for key, value in arguments.items():
        info = fields.get(key)
        if info is None or not isinstance(value, str) or info.annotation is str:
            continue
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            continue
        if isinstance(parsed, list | dict):
            out[key] = parsed
    return out


def clean(
    model: type[BaseModel], arguments: Mapping[str, Any], tool: str, aliases: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """``arguments`` with vendor spellings renamed to ours and "not given" values left out; raises
    ``ArgumentProblem`` for an unknown name or a boolean where a number goes."""
    problems: list[str] = []
    out = _object(model, arguments, (), tool, aliases or {}, problems)
    if problems:
        raise ArgumentProblem(problems)
    return out


def _object(
    model: type[BaseModel],
    given: Mapping[str, Any],
    path: Path,
    tool: str,
    aliases: Mapping[str, str],
    problems: list[str],
) -> dict[str, Any]:
    fields = {info.alias or name: info for name, info in model.model_fields.items()}
    open_ended = model.model_config.get("extra") == "allow" and not _published_closed(model)
    out: dict[str, Any] = {}
    for key, value in given.items():
        name = key if key in fields else aliases.get(key) or (snake(key) if snake(key) in fields else None)
        if name is None:
            if open_ended:
                out[key] = value
            else:
                problems.append(_unknown(key, path, tool, list(fields)))
            continue
        if name in out:
            problems.append(f"{where((*path, key))}: {key} and {name} are the same argument; give it once.")
            continue
        info = fields[name]
        if not info.is_required() and (value is None or value == ""):
            continue  # a strict-mode client's way of leaving it out
        out[name] = _value(info.annotation, value, (*path, name), tool, problems)
    return out


def _published_closed(model: type[BaseModel]) -> bool:
    """A model that takes extra keys inside (filled by its own validator) but publishes a closed object: a
    caller's unknown key is refused as the schema says, not kept as an extra."""
    extra: object = model.model_config.get("json_schema_extra")
    return is_str_dict(extra) and extra.get("additionalProperties") is False


def _unknown(key: str, path: Path, tool: str, names: list[str]) -> str:
    owner = f"an argument of {tool}" if not path else f"a field of {where(path)}"
    said = f"{where((*path, key))} is not {owner}"
    close = difflib.get_close_matches(snake(key), names, n=1, cutoff=0.6)
    if close:
        return f"{said}: did you mean {close[0]}?"
    if not names:
        return f"{said}: it takes no arguments."
    return f"{said}; the {'arguments' if not path else 'fields'} are: {', '.join(names)}."


def _value(annotation: Any, value: Any, path: Path, tool: str, problems: list[str]) -> Any:
    if is_list(value) and _is_pairs(annotation):
        for index, pair in enumerate(value):
            if is_str_mapping(pair):
                unknown = [key for key in pair if key not in PAIR_KEYS]
                problems += [_unknown(key, (*path, index), tool, list(PAIR_KEYS)) for key in unknown]
        return value
    kinds = _arms(annotation)
    models = [k for k in kinds if isinstance(k, type) and issubclass(k, BaseModel)]
    if is_str_mapping(value) and len(models) == 1:
        return _object(models[0], value, path, tool, {}, problems)
    items = [k for k in kinds if typing.get_origin(k) in (list, tuple, set, frozenset, Sequence)]
    if is_list(value) and len(items) == 1:
        inner = typing.get_args(items[0])
        item = inner[0] if inner else Any
        return [_value(item, one, (*path, index), tool, problems) for index, one in enumerate(value)]
    if isinstance(value, bool) and bool not in kinds and any(k in (int, float) for k in kinds):
        problems.append(f"{where(path)}: must be a number, not {str(value).lower()}.")
    return value


PAIR_KEYS = ("name", "value")


def _is_pairs(annotation: Any) -> bool:
    """Whether the annotation is (or allows) an open map published as ``{name, value}`` pairs."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        head, *meta = typing.get_args(annotation)
        return any(isinstance(m, AsPairs) for m in meta) or _is_pairs(head)
    if origin in (Union, types.UnionType):
        return any(_is_pairs(part) for part in typing.get_args(annotation))
    return False


def _arms(annotation: Any) -> list[Any]:
    """The types an annotation allows, with ``Annotated`` and ``None`` peeled off."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _arms(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [arm for part in typing.get_args(annotation) if part is not type(None) for arm in _arms(part)]
    return [annotation]


# Validation errors in words ----------------------------------------------------------------------------------

_WORDS: dict[str, str] = {
    "missing": "is required",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "datetime_type": "must be an ISO 8601 date-time, e.g. 2030-01-31T09:00:00+00:00",
    "datetime_parsing": "must be an ISO 8601 date-time, e.g. 2030-01-31T09:00:00+00:00",
    "datetime_from_date_parsing": "must be an ISO 8601 date-time, e.g. 2030-01-31T09:00:00+00:00",
    "timezone_aware": "must carry a UTC offset, e.g. 2030-01-31T09:00:00+00:00",
    "date_type": "must be a date, YYYY-MM-DD",
    "date_parsing": "must be a date, YYYY-MM-DD",
    "date_from_datetime_parsing": "must be a date, YYYY-MM-DD",
    "date_from_datetime_inexact": "must be a date without a time, YYYY-MM-DD",
}


def explain(error: ValidationError, model: type[BaseModel]) -> list[str]:
    """One line per refused field: where, what is wrong, what is allowed, where a valid value comes from."""
    lines: list[str] = []
    for detail in error.errors(include_url=False):
        path = tuple(detail["loc"])
        line = f"{where(path)}: {_words(detail)}"
        hint = describe_field(model, path)
        if hint and hint.lower() not in line.lower():
            line += f" ({hint})"
        lines.append(line if line.endswith((".", "?")) else line + ".")
    return list(dict.fromkeys(lines))


def _words(detail: ErrorDetails) -> str:
    kind, ctx = detail["type"], detail.get("ctx") or {}
    if kind == "string_too_short":
        least = ctx.get("min_length", 1)
        return "must not be empty" if least == 1 else f"must be at least {least} characters"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        return f"must match {ctx.get('pattern')}"
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length')} item(s)"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} item(s)"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}[kind]
        bound = next(iter(ctx.values()), "")
        return f"must be {sign} {bound}"
    if kind in ("literal_error", "enum"):
        return f"must be one of {ctx.get('expected', '')}".rstrip()
    if kind == "value_error":
        return str(ctx.get("error") or detail["msg"]).removeprefix("Value error, ")
    return _WORDS.get(kind, str(detail["msg"]).lower())


def describe_field(model: type[BaseModel], path: Path) -> str:
    """The description of the field at ``path`` (it says where valid values come from), if any."""
    current: Any = model
    description = ""
    for part in path:
        if isinstance(part, int):
            continue
        fields = current.model_fields if isinstance(current, type) and issubclass(current, BaseModel) else {}
        info = fields.get(part)
        if info is None:
            return ""
        description = info.description or _annotated_description(info.annotation) or ""
        nested = [k for k in _arms(info.annotation) if isinstance(k, type) and issubclass(k, BaseModel)]
        items = [typing.get_args(k)[0] for k in _arms(info.annotation) if typing.get_origin(k) is list]
        current = (nested or [a for item in items for a in _arms(item)] or [None])[0]
    return description


def _annotated_description(annotation: Any) -> str | None:
    if typing.get_origin(annotation) is Annotated:
        for meta in typing.get_args(annotation)[1:]:
            found = getattr(meta, "description", None)
            if isinstance(found, str):
                return found
        return _annotated_description(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (Union, types.UnionType):
        for part in typing.get_args(annotation):
            found = _annotated_description(part)
            if found:
                return found
    return None

"""A tool call's arguments, checked by one pydantic model per tool (``Arguments``): its config forbids unknown
names at every depth, and one before-validator (``given``) reads what clients send the way the published schema
means it: vendor spellings of our names taken as ours, ``null`` and ``""`` on an optional argument as "not
given", JSON inside a string decoded, booleans kept out of numbers. Validation failures are told one field per
line in words a model can act on (``explain``).
"""

from __future__ import annotations

import difflib
import inspect
import json
import re
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, LiteralString, TypeGuard, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationError,
    ValidationInfo,
    create_model,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, ErrorDetails, InitErrorDetails, PydanticCustomError, core_schema

from mcp_server.core.guards import is_dict, is_list, is_mapping, is_str_dict, is_str_mapping

Path = tuple[str | int, ...]


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


# The model ------------------------------------------------------------------------------------------------


class Arguments(BaseModel):
    """A tool's arguments (``model_of``): unknown names refused by the config, the rest read by ``given``."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    vendor_names: ClassVar[Mapping[str, str]] = {}
    """The vendor's names for arguments that mean exactly one of ours (camelCase spellings need none)."""

    @model_validator(mode="before")
    @classmethod
    def _as_given(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(info.context, Given) and info.context.model is cls:
            return data  # the caller ran ``given`` already (``Entry.checked`` keeps what it made)
        return given(cls, data)


@dataclass(frozen=True)
class Given:
    """Validation context: the top-level arguments of ``model`` are already as ``given`` makes them (its nested
    models still read theirs)."""

    model: type[BaseModel]


def model_of(
    tool: str, signature: inspect.Signature, skip: set[str], vendor_names: Mapping[str, str]
) -> type[Arguments]:
    """The arguments a model may send to ``tool``, from its signature (``skip``: what the SDK fills)."""
    fields: dict[str, Any] = {
        name: (param.annotation, ... if param.default is inspect.Parameter.empty else param.default)
        for name, param in signature.parameters.items()
        if name not in skip
    }
    model = create_model(f"{tool}_arguments", __base__=Arguments, **fields)
    model.vendor_names = dict(vendor_names)
    return model


def given(model: type[BaseModel], data: Any) -> Any:
    """``data`` as ``model`` reads it: vendor spellings renamed to ours, "not given" values left out, JSON
    inside a string decoded (Claude Desktop sends lists and objects so); raises ``ValidationError`` for a name
    given twice, a boolean where a number goes, or an unknown name on a model open inside but closed outside."""
    if not is_str_mapping(data):
        return data
    fields = _fields_of(model)
    vendor: Mapping[str, str] = getattr(model, "vendor_names", {})
    top = issubclass(model, Arguments)
    out: dict[str, Any] = {}
    errors: list[InitErrorDetails] = []
    for key, value in data.items():
        name = key if key in fields else vendor.get(key) or (snake(key) if snake(key) in fields else None)
        if name is None:
            if _published_closed(model):
                errors.append(InitErrorDetails(type="extra_forbidden", loc=(key,), input=value))
            else:
                out[key] = value  # the config says: refused (a tool's arguments) or kept as an extra
            continue
        if name in out:
            said = "{key} and {name} are the same argument; give it once"
            errors.append(_ours(said, (key,), value, key=key, name=name))
            continue
        info = fields[name]
        if not info.is_required() and (value is None or value == ""):
            continue  # a strict-mode client's way of leaving it out
        if top and isinstance(value, str) and info.annotation is not str:
            value = _decoded(value)
        errors += _booleans(info.annotation, value, (name,))
        out[name] = value
    if errors:
        raise ValidationError.from_exception_data(model.__name__, errors)
    return out


_FIELDS: dict[type[BaseModel], dict[str, FieldInfo]] = {}


def _fields_of(model: type[BaseModel]) -> dict[str, FieldInfo]:
    """A model's fields by the name a caller sends (its alias, if it has one); read once per model."""
    fields = _FIELDS.get(model)
    if fields is None:
        fields = _FIELDS[model] = {info.alias or name: info for name, info in model.model_fields.items()}
    return fields


OURS = "argument"
"""The error type of the refusals ``given`` words itself: told as they are, with no field hint."""


def _ours(message: LiteralString, loc: Path, given: Any, **context: Any) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError(OURS, message, context), loc=loc, input=given)


def _decoded(value: str) -> Any:
    try:
        parsed: object = json.loads(value)
    except (ValueError, RecursionError):
        return value  # not JSON: left for validation to judge
    return parsed if is_list(parsed) or is_dict(parsed) else value


def _booleans(annotation: Any, value: Any, loc: Path) -> list[InitErrorDetails]:
    """A boolean where only a number goes (pydantic reads true as 1), in the value or the items of its list."""
    kinds = _arms(annotation)
    if isinstance(value, bool) and bool not in kinds and any(k in (int, float) for k in kinds):
        return [_ours("must be a number, not {json}", loc, value, json=str(value).lower())]
    items = [k for k in kinds if typing.get_origin(k) in (list, tuple, set, frozenset, Sequence)]
    if is_list(value) and len(items) == 1 and typing.get_args(items[0]):
        item = typing.get_args(items[0])[0]
        return [error for i, one in enumerate(value) for error in _booleans(item, one, (*loc, i))]
    return []


def _published_closed(model: type[BaseModel]) -> bool:
    """A model that takes extra keys inside (filled by its own validator) but publishes a closed object: a
    caller's unknown key is refused as the schema says, not kept as an extra."""
    extra: object = model.model_config.get("json_schema_extra")
    return (
        model.model_config.get("extra") == "allow" and is_str_dict(extra) and extra.get("additionalProperties") is False
    )


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
    unknown = [
        InitErrorDetails(type="extra_forbidden", loc=(index, key), input=pair[key])
        for index, pair in enumerate(value)
        if is_str_mapping(pair)
        for key in pair
        if key not in PAIR_KEYS
    ]
    if unknown:
        raise ValidationError.from_exception_data("pairs", unknown)
    out: dict[Any, Any] = {}
    for index, pair in enumerate(value):
        if not (is_mapping(pair) and set(pair) == {"name", "value"}):
            raise ValueError(f"item {index} must be an object with exactly name and value")
        if not isinstance(pair["name"], str):
            raise ValueError(f"item {index}: name must be text")
        out[pair["name"]] = pair["value"]  # a name given twice: the last wins, as in a JSON object
    return out


PAIR_KEYS = ("name", "value")


# Words --------------------------------------------------------------------------------------------------


def _unknown(key: str, path: Path, tool: str, names: list[str]) -> str:
    owner = f"an argument of {tool}" if not path else f"a field of {where(path)}"
    said = f"{where((*path, key))} is not {owner}"
    close = difflib.get_close_matches(snake(key), names, n=1, cutoff=0.6)
    if close:
        return f"{said}: did you mean {close[0]}?"
    if not names:
        return f"{said}: it takes no arguments."
    return f"{said}; the {'arguments' if not path else 'fields'} are: {', '.join(names)}."


def _is_pairs(annotation: Any) -> bool:
    """Whether the annotation is (or allows) an open map published as ``{name, value}`` pairs."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        head, *meta = typing.get_args(annotation)
        return any(isinstance(m, AsPairs) for m in meta) or _is_pairs(head)
    if origin in (Union, types.UnionType):
        return any(_is_pairs(part) for part in typing.get_args(annotation))
    return False


_ARMS: dict[int, tuple[Any, list[Any]]] = {}
"""``_arms`` by the annotation's id, the annotation kept beside it (so the id stays its own): annotations with
metadata are not all hashable."""


def _arms(annotation: Any) -> list[Any]:
    """The types an annotation allows, with ``Annotated`` and ``None`` peeled off."""
    known = _ARMS.get(id(annotation))
    if known is not None and known[0] is annotation:
        return known[1]
    arms = _peeled(annotation)
    if len(_ARMS) < ARMS_KEPT:
        _ARMS[id(annotation)] = (annotation, arms)
    return arms


ARMS_KEPT = 4096
"""Annotations whose arms are remembered: every tool's arguments and their items, with room to spare."""


def _peeled(annotation: Any) -> list[Any]:
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


def explain(error: ValidationError, model: type[BaseModel], tool: str) -> list[str]:
    """One line per refused field: where, what is wrong, what is allowed, where a valid value comes from; an
    unknown name with the closest real one."""
    lines: list[str] = []
    for detail in error.errors(include_url=False):
        path = tuple(detail["loc"])
        if detail["type"] == "extra_forbidden":
            lines.append(_unknown(str(path[-1]), path[:-1], tool, _names_at(model, path[:-1])))
            continue
        line = f"{where(path)}: {_words(detail)}"
        hint = describe_field(model, path) if detail["type"] != OURS else ""
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
    if kind == OURS:
        return detail["msg"]
    return _WORDS.get(kind, str(detail["msg"]).lower())


def describe_field(model: type[BaseModel], path: Path) -> str:
    """The description of the field at ``path`` (it says where valid values come from), if any."""
    return _field_at(model, path)[2]


def _names_at(model: type[BaseModel], path: Path) -> list[str]:
    """The names the object at ``path`` takes."""
    current, annotation, _ = _field_at(model, path)
    if annotation is not None and _is_pairs(annotation):
        return list(PAIR_KEYS)
    return [info.alias or name for name, info in current.model_fields.items()] if _is_model(current) else []


def _field_at(model: type[BaseModel], path: Path) -> tuple[Any, Any, str]:
    """What ``path`` reaches: the record it ends in (if any), the last field's annotation and description."""
    current: Any = model
    annotation: Any = None
    description = ""
    for part in path:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part) if _is_model(current) else None
        if info is None:
            return None, None, ""
        annotation = info.annotation
        description = info.description or _annotated_description(annotation) or ""
        nested = [k for k in _arms(annotation) if _is_model(k)]
        items = [typing.get_args(k)[0] for k in _arms(annotation) if typing.get_origin(k) is list]
        current = (nested or [a for item in items for a in _arms(item)] or [None])[0]
    return current, annotation, description


def _is_model(kind: Any) -> TypeGuard[type[BaseModel]]:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


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

"""The published schemas, made by pydantic's own generator with one hook (``Published``).

Inputs (mode ``validation``): all the rules, nothing hidden (nothing is refused for a rule the schema does not
show); no titles and no ``default: null``; every object closed; definitions inlined (openai-agents' strict mode
refuses a bare ``$ref``; no input type is recursive); each optional argument left out the way a strict-mode
client (which sends every key) can: ``null``, ``""`` for free text, ``false`` for a flag off unless given
(``optional``); one description per argument.

Outputs (mode ``serialization``): typed down to the records, each field's type, nested records with their
fields, lists with their items; no ``required`` (answers leave out empty fields), no null (unset fields are
pruned, ``answers.to_result``), no descriptions, constraints or defaults (the field names and the tool's
description say what they hold; google-adk shows them to the model), each type said once (below the top a
record is known by its ``properties``, a list by its ``items``). A ``Table`` publishes its column names and its
rows typed place by place.
"""

from __future__ import annotations

from typing import Any, cast

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from mcp_server.core.tools.answer_models import SHARED, Table, column_names, row_model

NULL: dict[str, Any] = {"type": "null"}
KEPT = ("description", "default")
"""An optional argument's own words, kept outside its ``anyOf [..., null]``."""


class Published(GenerateJsonSchema):
    """pydantic's generator, shaped for what tools/list publishes (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inlined: dict[str, CoreSchema] = {}
        self.open: list[str] = []  # the definitions being written, for a record that contains itself
        self.closed: set[int] = set()  # objects this hook closed: their "additionalProperties" comes last
        self.rows = 0  # how many lists' rows the answer's shape being written is inside

    def generate(self, schema: CoreSchema, mode: JsonSchemaMode = "validation") -> JsonSchemaValue:
        out = super().generate(schema, mode)
        if mode == "serialization":
            return {**out, "properties": {name: implied(sub) for name, sub in out.get("properties", {}).items()}}
        out = free_text(out)
        required = set(out.get("required", []))
        props: dict[str, Any] = out.get("properties", {})
        out["properties"] = {
            name: one_description(sub if name in required else optional(sub)) for name, sub in props.items()
        }
        return out

    def generate_inner(self, schema: Any) -> JsonSchemaValue:
        if self.mode == "serialization" and schema["type"] in PLAIN:  # an answer's value: its type, no rules
            kind = PLAIN[schema["type"]]
            return {"type": kind} if kind else {}
        if "ref" not in schema or schema["type"] == "definition-ref":
            return super().generate_inner(schema)
        # Written in place, never as a $ref: a record that contains itself stays an untyped object inside.
        ref: str = schema["ref"]
        if ref in self.open:
            return {"type": "object"}
        self.open.append(ref)
        try:
            inline: Any = {key: value for key, value in schema.items() if key != "ref"}
            return super().generate_inner(inline)
        finally:
            self.open.pop()

    def definitions_schema(self, schema: core_schema.DefinitionsSchema) -> JsonSchemaValue:
        self.inlined.update({cast(str, d.get("ref")): d for d in schema["definitions"]})
        return self.generate_inner(schema["schema"])

    def definition_ref_schema(self, schema: core_schema.DefinitionReferenceSchema) -> JsonSchemaValue:
        return self.generate_inner(self.inlined[schema["schema_ref"]])

    def sort(self, value: JsonSchemaValue, parent_key: str | None = None) -> JsonSchemaValue:
        if self.mode == "serialization":
            return value  # written in its final order
        return self._last(super().sort(value, parent_key), value)

    def _last(self, node: Any, original: Any) -> Any:
        """``node`` (sorted) with "additionalProperties" moved last wherever this hook closed the object."""
        if isinstance(node, dict):
            node = cast(dict[str, Any], node)
            sources = cast(dict[str, Any], original)
            out = {key: self._last(value, sources[key]) for key, value in node.items()}
            if id(original) in self.closed:
                out["additionalProperties"] = out.pop("additionalProperties")
            return out
        if isinstance(node, list):
            return [self._last(a, b) for a, b in zip(cast(list[Any], node), cast(list[Any], original), strict=True)]
        return node

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        if self.mode == "serialization":
            return self.generate_inner(schema["schema"])
        out = super().default_schema(schema)
        if "default" in out and out["default"] is None:
            del out["default"]
        return out

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        if self.mode == "serialization":
            return self.record(schema["cls"], cast(dict[str, Any], schema["schema"]))
        out = super().model_schema(schema)
        out.pop("title", None)
        explicit = "additionalProperties" in out and schema.get("config", {}).get("extra_fields_behavior") != "forbid"
        if not explicit and "patternProperties" not in out:
            out["additionalProperties"] = False
            self.closed.add(id(out))
        return out

    # Outputs ------------------------------------------------------------------------------------------------

    def record(self, cls: type[BaseModel], fields: dict[str, Any]) -> JsonSchemaValue:
        while fields["type"] in ("function-before", "function-after", "function-wrap"):  # a model's validators
            fields = fields["schema"]
        if fields["type"] != "model-fields" or (self.rows and issubclass(cls, Table)):  # a table in a row: below
            return {"type": "object"}
        declared = cls.model_fields
        properties = {
            (field.get("serialization_alias") or name): self.generate_inner(field["schema"])
            for name, field in fields["fields"].items()
            if not (name in declared and SHARED in declared[name].metadata)  # said once, in the instructions
        }
        out: dict[str, Any] = {"type": "object", "properties": properties}
        if issubclass(cls, Table):
            out["properties"].update(self.table(cast(type[Table[Any]], cls)))
        return out

    def table(self, cls: type[Table[Any]]) -> dict[str, Any]:
        """A table's columns as the names they are, its rows as arrays typed place by place."""
        row = row_model(cls)
        self.rows += 1
        try:
            shapes = list(self.generate_inner(row.__pydantic_core_schema__)["properties"].values())
        finally:
            self.rows -= 1
        # A cell with no value is null: the row keeps its place (answer_models.Table), so optional cells say so.
        cells = [
            shape if info.is_required() else or_null(shape)
            for shape, info in zip(shapes, row.model_fields.values(), strict=True)
        ]
        while cells and cells[-1] == {}:  # a cell past the typed ones is anything: the same rule, unsaid
            cells.pop()
        rows = {"type": "array", "prefixItems": cells} if cells else {"type": "array"}
        return {
            "columns": {"type": "array", "items": {"enum": column_names(row), "type": "string"}},
            # No "items": false after the cells: a Draft 7 validator reads it as "no cells at all".
            "rows": {"type": "array", "items": rows},
        }

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        if self.mode == "serialization":
            return self.generate_inner(schema["schema"])
        return super().nullable_schema(schema)

    def union_schema(self, schema: core_schema.UnionSchema) -> JsonSchemaValue:
        if self.mode == "validation":
            return super().union_schema(schema)
        arms: list[JsonSchemaValue] = []
        for choice in core_schema.iter_union_choices(schema):
            arm = self.generate_inner(choice)
            if arm == TEXT:  # anything at all: the other arms add nothing
                return TEXT
            if arm != NULL and arm not in arms:
                arms.append(arm)
        if NUMBER in arms:  # an integer is a number: int | float says "number" once
            arms = [arm for arm in arms if arm != INTEGER]
        return arms[0] if len(arms) == 1 else {"anyOf": arms}

    def literal_schema(self, schema: core_schema.LiteralSchema) -> JsonSchemaValue:
        if self.mode == "validation":
            return super().literal_schema(schema)
        values: list[Any] = list(schema["expected"])
        kinds: set[type[Any]] = {type(value) for value in values}
        scalar = SCALARS.get(kinds.pop()) if len(kinds) == 1 else None
        return {"enum": values, **({"type": scalar} if scalar else {})}

    def list_schema(self, schema: core_schema.ListSchema) -> JsonSchemaValue:
        if self.mode == "validation":
            return super().list_schema(schema)
        self.rows += 1
        try:
            items = self.generate_inner(schema["items_schema"]) if "items_schema" in schema else {}
        finally:
            self.rows -= 1
        if self.rows and "properties" in items:  # records in a row's list: named by the list, detail not shown
            return {"type": "array"}
        return {"type": "array", "items": items} if items else {"type": "array"}

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        if self.mode == "validation":
            return super().dict_schema(schema)
        values = self.generate_inner(schema["values_schema"]) if "values_schema" in schema else {}
        return {"type": "object", "additionalProperties": values} if values else {"type": "object"}


INTEGER: dict[str, Any] = {"type": "integer"}
NUMBER: dict[str, Any] = {"type": "number"}
SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean"}
PLAIN = {"str": None, "int": "integer", "float": "number", "bool": "boolean"}
"""An answer's scalar leaves: text published untyped (``TEXT``), the others by their type."""
TEXT: dict[str, Any] = {}
"""A text leaf in an answer: its field's name says what it holds, and ``"type": "string"`` on every one cost
about a fifth of the output schemas (google-adk shows them to the model). Anything validates against it, null
too, so an optional text cell needs no null arm."""


def optional(prop: dict[str, Any]) -> dict[str, Any]:
    """An optional argument as a strict-mode client (which sends every key) can leave it out: free text with
    ``""``, a flag that is off unless given with ``false``, anything else with ``null`` (not its default: OpenAI's
    strict mode drops defaults, and pydantic-ai with them). The server reads ``""`` and ``null`` on an optional
    argument as "not given" (``arguments.given``), so a ``minLength: 1`` there refuses nothing and goes: the text
    is then free text too; a patterned one (an id, an email) is published with ``""`` allowed by its pattern."""
    if is_flag(prop):
        return {key: value for key, value in prop.items() if key != "default"}
    text = without_null(prop, any_text=True)
    if text.get("minLength") == 1:
        text = {key: value for key, value in text.items() if key != "minLength"}
    if is_free_text(text):
        return text
    pattern = text.get("pattern")
    if (
        text is not prop
        and isinstance(pattern, str)
        and is_free_text({k: v for k, v in text.items() if k != "pattern"})
    ):
        empty = or_empty(pattern)
        if empty is not None:
            return {**text, "pattern": empty}
    return nullable(prop)


def or_empty(pattern: str) -> str | None:
    """``^X$`` as ``^(X)?$`` (the same rule, or nothing at all); None for a pattern of another form, which stays
    as it is (a top-level ``|`` would change meaning inside the group)."""
    if not (pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$")):
        return None
    inner, depth, escaped = pattern[1:-1], 0, False
    for char in inner:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            return None
    return f"^({inner})?$"


def is_flag(prop: dict[str, Any]) -> bool:
    """A boolean that is off unless given: ``false`` leaves it as it is, so it needs no ``null``."""
    return prop.get("type") == "boolean" and prop.get("default") is False


def nullable(prop: dict[str, Any]) -> dict[str, Any]:
    if NULL in prop.get("anyOf", []):
        return prop
    outer = {key: prop[key] for key in KEPT if key in prop}
    return {**outer, "anyOf": [{key: value for key, value in prop.items() if key not in outer}, NULL]}


def one_description(prop: dict[str, Any]) -> dict[str, Any]:
    """An argument described in its own words keeps those alone: its type's description (``Slug``'s "From
    epixel_list_leads" under "Only this lead's") would say it twice."""
    arms = prop.get("anyOf")
    if "description" not in prop or not isinstance(arms, list):
        return prop
    typed = cast(list[Any], arms)
    return {**prop, "anyOf": [{k: v for k, v in arm.items() if k != "description"} for arm in typed]}


FREE_TEXT_RULES = frozenset({"pattern", "format", "minLength", "enum", "const"})
"""Rules that refuse ``""``: a string without them is free text."""


def is_free_text(prop: dict[str, Any]) -> bool:
    return prop.get("type") == "string" and not FREE_TEXT_RULES & set(prop)


def free_text(node: Any) -> Any:
    """Optional free text at any depth published without ``null``: a strict-mode client leaves it out with
    ``""``, which the server reads as "not given" (``arguments.given``), so the null arm only costs tokens."""
    if isinstance(node, list):
        return [free_text(item) for item in cast(list[Any], node)]
    if not isinstance(node, dict):
        return node
    node = cast(dict[str, Any], node)
    required = set(node.get("required", []))
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            props = cast(dict[str, Any], value)
            out[key] = {
                name: free_text(sub) if name in required else without_null(free_text(sub))
                for name, sub in props.items()
            }
        else:
            out[key] = free_text(value)
    return out


def without_null(prop: dict[str, Any], *, any_text: bool = False) -> dict[str, Any]:
    """``prop`` without its null arm when the other arm is free text (any string with ``any_text``)."""
    arms = prop.get("anyOf")
    if not (isinstance(arms, list) and len(cast(list[Any], arms)) == 2 and NULL in arms):
        return prop
    text = next(arm for arm in cast(list[dict[str, Any]], arms) if arm != NULL)
    if not (is_free_text(text) or (any_text and text.get("type") == "string")):
        return prop
    return {**{key: value for key, value in prop.items() if key != "anyOf"}, **text}


def or_null(shape: dict[str, Any]) -> dict[str, Any]:
    """A cell that may be null: ``{"type": [T, "null"]}`` for a plain scalar (google-adk shows output schemas to
    the model, so the shorter spelling of the same rule), ``anyOf`` otherwise."""
    kind = shape.get("type")
    if shape == TEXT:
        return TEXT
    if set(shape) == {"type"} and isinstance(kind, str):
        return {"type": [kind, "null"]}
    return {"anyOf": [shape, NULL]}


def implied(node: Any) -> Any:
    """An answer's shape with each type said once: below the top, a record is known by its ``properties`` and a
    list by its ``items`` (google-adk shows output schemas to the model, and ``"type"`` beside them says nothing
    more; validators read the same shapes)."""
    if isinstance(node, list):
        return [implied(item) for item in cast(list[Any], node)]
    if not isinstance(node, dict):
        return node
    node = cast(dict[str, Any], node)
    out = {
        key: {n: implied(sub) for n, sub in cast(dict[str, Any], value).items()}
        if key == "properties"
        else implied(value)
        for key, value in node.items()
    }
    if (out.get("type"), "properties" in out) == ("object", True) or (out.get("type"), "items" in out) == (
        "array",
        True,
    ):
        del out["type"]
    return out


def input_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The arguments' rules as published (``Published``)."""
    return model.model_json_schema(by_alias=True, schema_generator=Published)


def output_schema(model: type[BaseModel]) -> dict[str, Any]:
    """An answer's shape as published (``Published``)."""
    return model.model_json_schema(mode="serialization", schema_generator=Published)

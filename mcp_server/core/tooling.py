"""One declaration per tool: its function (typed inputs, pydantic output, docstring) and its access kind.

Registration, annotations, error mapping and output shaping all come from here.
"""

from __future__ import annotations

import collections.abc
import functools
import inspect
import types
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Annotated, Any, Literal, TypeVar, Union

from mcp.server.mcpserver.tools.base import Tool
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, Field, TypeAdapter

from mcp_server.core import replay
from mcp_server.core.deadline import call_budget
from mcp_server.core.errors import OutboundError, to_tool_error
from mcp_server.core.output import to_result


class Access(Enum):
    """The catalogue's R / W / W (idempotent) / D."""

    READ = "read"
    WRITE = "write"
    IDEMPOTENT_WRITE = "idempotent_write"
    DESTRUCTIVE = "destructive"

    def annotations(self) -> ToolAnnotations:
        # No title here: the tool's own title says it, and every byte of tools/list is paid per session.
        return ToolAnnotations(
            read_only_hint=self is Access.READ,
            destructive_hint=self is Access.DESTRUCTIVE,
            idempotent_hint=self in (Access.READ, Access.IDEMPOTENT_WRITE, Access.DESTRUCTIVE),
            open_world_hint=True,
        )


F = TypeVar("F", bound=Callable[..., Awaitable[BaseModel]])


@dataclass
class ToolDef:
    fn: Callable[..., Awaitable[BaseModel]]
    name: str
    title: str
    access: Access
    provider: str

    def build(self) -> Tool:
        """The SDK's tool, with failures mapped to tool errors and schemas trimmed of noise."""
        fn = self.fn
        signature = inspect.signature(fn, eval_str=True)
        returned = signature.return_annotation
        if not (isinstance(returned, type) and issubclass(returned, BaseModel)):
            raise TypeError(f"tool {self.name} must return a pydantic model, not {returned!r}")

        guarded = self.access is Access.WRITE
        name, provider = self.name, self.provider

        @functools.wraps(fn)
        async def run(*args: Any, **kwargs: Any) -> Any:
            ctx = kwargs.get("ctx")
            repeat = bool(kwargs.pop(REPEAT, False))

            async def answer() -> CallToolResult:
                return to_result(await fn(*args, **kwargs))

            # One time budget for the whole call, and a write made once however often it is retried.
            with call_budget(max_wait_of(ctx)):
                try:
                    if guarded and ctx is not None:
                        arguments = {key: value for key, value in kwargs.items() if key != "ctx"}
                        return await replay.once(ctx, provider, name, arguments, answer, repeat=repeat)
                    return await answer()
                except OutboundError as error:
                    raise to_tool_error(error) from None

        if guarded:
            signature = signature.replace(parameters=[*signature.parameters.values(), REPEAT_PARAMETER])
        # The SDK reads the signature twice more: the evaluated one spares evaluating every annotation again.
        del run.__wrapped__
        run.__signature__ = signature  # type: ignore[attr-defined]
        run.__annotations__ = {name: p.annotation for name, p in signature.parameters.items()}
        # structured_output=False: the SDK would derive a full output schema (the slowest part of start-up)
        # and validate every answer against the model again; to_result dumps an already validated model.
        tool = Tool.from_function(
            run,
            name=self.name,
            title=self.title,
            description=describe(fn.__doc__),
            context_kwarg="ctx",
            annotations=self.access.annotations(),
            structured_output=False,
        )
        tool.parameters = trim_schema(tool.parameters, keep_descriptions=True)
        tool.fn_metadata.output_schema = output_schema(returned)
        if guarded:  # a replayed answer says so
            tool.fn_metadata.output_schema["properties"].update(replay={"type": "boolean"}, hint={"type": "string"})
        return tool


REPEAT = "repeat"
# Described in a few words (every session pays for them); a replayed answer's hint says more.
REPEAT_PARAMETER = inspect.Parameter(
    REPEAT,
    inspect.Parameter.KEYWORD_ONLY,
    default=None,
    annotation=Annotated[bool | None, Field(description="true: write again even if just done")],
)
DEFAULT_MAX_WAIT = 50.0


def max_wait_of(ctx: Any) -> float:
    """``OUTBOUND_MCP_MAX_WAIT`` of the server the call reached (its default outside a server)."""
    settings = getattr(getattr(getattr(ctx, "request_context", None), "lifespan_context", None), "settings", None)
    return getattr(settings, "outbound_mcp_max_wait", DEFAULT_MAX_WAIT)


def describe(doc: str | None) -> str:
    """A docstring as the model reads it: hard-wrapped lines joined, paragraphs kept."""
    paragraphs = inspect.cleandoc(doc or "").split("\n\n")
    return "\n\n".join(" ".join(part.split()) for part in paragraphs)


@dataclass
class Toolset:
    """The tools of one provider, declared with ``@toolset.tool(...)``."""

    provider: str
    tools: list[ToolDef] = field(default_factory=list)

    def tool(self, title: str, access: Access) -> Callable[[F], F]:
        def register(fn: F) -> F:
            if not fn.__doc__:
                raise ValueError(f"tool {fn.__name__} needs a docstring: it is the model's description")
            self.tools.append(ToolDef(fn, fn.__name__, title, access, self.provider))
            return fn

        return register


NULL = {"type": "null"}
SANITY_CAP = 254
"""A ``maxLength`` at least this long is a storage cap (names, emails, URLs), not something a model plans by."""


def trim_schema(schema: Any, *, keep_descriptions: bool) -> Any:
    """Drop what every client pays for and no model needs: auto-generated titles, ``anyOf [X, null]``
    with ``default: null`` (leaving a field out says the same), ``pattern``, ``minLength: 1`` and
    storage-size ``maxLength`` caps and, in output schemas, descriptions. The arguments are still
    validated against the full pydantic model; a value that breaks a dropped rule comes back as a tool
    error naming the field and the rule."""
    if isinstance(schema, dict):
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if _noise(key, value, keep_descriptions):
                continue
            if key in ("properties", "$defs", "patternProperties"):
                out[key] = {name: trim_schema(sub, keep_descriptions=keep_descriptions) for name, sub in value.items()}
            else:
                out[key] = trim_schema(value, keep_descriptions=keep_descriptions)
        branches = out.get("anyOf")
        if isinstance(branches, list) and NULL in branches and len(branches) == 2:
            del out["anyOf"]
            out.update(next(b for b in branches if b != NULL))
        return out
    if isinstance(schema, list):
        return [trim_schema(item, keep_descriptions=keep_descriptions) for item in schema]
    return schema


def _noise(key: str, value: Any, keep_descriptions: bool) -> bool:
    if key in ("title", "pattern") and isinstance(value, str):
        return True
    if key == "description" and isinstance(value, str):
        return not keep_descriptions
    if key == "default":
        return value is None
    if key == "minLength":
        return value == 1
    return key == "maxLength" and isinstance(value, int) and value >= SANITY_CAP


SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
}


def output_schema(model: type[BaseModel]) -> dict[str, Any]:
    """An output schema typed down to the records: each field's type, nested records with their fields,
    lists with their items. No ``required``: answers leave out empty fields. No descriptions: the field
    names and the tool's description say what they hold, and only frameworks that type outputs read it."""
    return _record(model, set())


def _record(model: type[BaseModel], seen: set[type[BaseModel]]) -> dict[str, Any]:
    if model in seen:  # a record that contains itself: its inner copies stay untyped objects
        return {"type": "object"}
    inner = seen | {model}
    properties = {
        (info.serialization_alias or name): _shape(info.annotation, inner) for name, info in model.model_fields.items()
    }
    return {"type": "object", "properties": properties}


def _shape(annotation: Any, seen: set[type[BaseModel]]) -> dict[str, Any]:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Annotated:
        return _shape(args[0], seen)
    if origin in (Union, types.UnionType):
        arms = [_shape(arm, seen) for arm in args if arm is not type(None)]
        unique = [arm for i, arm in enumerate(arms) if arm not in arms[:i]]
        return unique[0] if len(unique) == 1 else {"anyOf": unique}
    if origin is Literal:
        values = list(args)
        kinds = {type(value) for value in values}
        return {"enum": values, **(SCALARS.get(kinds.pop(), {}) if len(kinds) == 1 else {})}
    if annotation in SCALARS:
        return dict(SCALARS[annotation])
    if annotation is Any:
        return {}
    if origin in (list, tuple, set, frozenset, collections.abc.Sequence):
        items = _shape(args[0], seen) if args else {}
        return {"type": "array", "items": items} if items else {"type": "array"}
    if origin is dict or annotation is dict:
        values = _shape(args[1], seen) if len(args) == 2 else {}
        return {"type": "object", "additionalProperties": values} if values else {"type": "object"}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _record(annotation, seen)
    return trim_schema(TypeAdapter(annotation).json_schema(), keep_descriptions=False)

"""One declaration per tool: its function (typed inputs, pydantic output, docstring) and its access kind.

Registration, annotations, error mapping and output shaping all come from here.
"""

from __future__ import annotations

import collections.abc
import functools
import inspect
import logging
import types
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Annotated, Any, Literal, TypeGuard, TypeVar, Union

import anyio
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools.base import Tool
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model

from mcp_server.app.providers import caller_of
from mcp_server.core.call.caller import LOCAL
from mcp_server.core.call.deadline import OVERRUN, call_budget
from mcp_server.core.errors import OutboundError, to_tool_error
from mcp_server.core.guards import is_dict, is_list, is_str_dict
from mcp_server.core.redact import REDACTOR
from mcp_server.core.tools import replay, sent
from mcp_server.core.tools.answer_models import Table, column_names, row_model
from mcp_server.core.tools.answers import to_result
from mcp_server.core.tools.approvals import APPROVAL_URI
from mcp_server.core.tools.arguments import ArgumentProblem, clean, decoded, explain
from mcp_server.core.tools.confirmations import (
    CONFIRMED,
    PREVIEW_KEY,
    PREVIEW_SCHEMA,
    TOKEN,
    Confirmation,
    default_for,
    gate,
    with_confirmation,
)
from mcp_server.core.tools.fences import fenced_fields

Kind = Literal["read", "spend", "write", "delete"]
"""What a tool does to the person's accounts: reads, spends credits (without writing records), writes, deletes.
A tool that spends only when an argument asks it to (``queue_if_missing``) is a spend tool."""


class Access(Enum):
    """How a tool is declared: its kind, and for writes whether repeating one changes nothing more."""

    READ = "read"
    SPEND = "spend"
    WRITE = "write"
    IDEMPOTENT_WRITE = "idempotent_write"
    DESTRUCTIVE = "destructive"

    @property
    def kind(self) -> Kind:
        return KINDS[self]

    def annotations(self) -> ToolAnnotations:
        # No title here: the tool's own title says it, and every byte of tools/list is paid per session.
        # Hosts auto-approve readOnlyHint tools: only a tool that neither spends nor writes may claim it.
        return ToolAnnotations(
            read_only_hint=self is Access.READ,
            destructive_hint=self is Access.DESTRUCTIVE,
            idempotent_hint=self in (Access.READ, Access.IDEMPOTENT_WRITE, Access.DESTRUCTIVE),
            open_world_hint=True,
        )


KINDS: dict[Access, Kind] = {
    Access.READ: "read",
    Access.SPEND: "spend",
    Access.WRITE: "write",
    Access.IDEMPOTENT_WRITE: "write",
    Access.DESTRUCTIVE: "delete",
}


F = TypeVar("F", bound=Callable[..., Awaitable[BaseModel]])
log = logging.getLogger("outbound_mcp.tools")


@dataclass
class ToolDef:
    fn: Callable[..., Awaitable[BaseModel]]
    name: str
    title: str
    access: Access
    provider: str
    aliases: dict[str, str] = field(default_factory=dict[str, str])
    """The vendor's names for arguments that mean exactly one of ours (camelCase spellings need none)."""
    confirm: Confirmation | None = None
    """Ask the person before the body runs (README "Confirmations"); destructive tools get a default."""
    meta: dict[str, Any] | None = None
    """The tool's ``_meta`` in tools/list (e.g. ``anthropic/alwaysLoad``)."""
    writes_when: Callable[[dict[str, Any]], bool] | None = None
    """A write tool whose calls write only when this says so (a dry run does not): the others are not replayed."""

    def build(self) -> Tool:
        """The SDK's tool, arguments checked first, failures mapped to tool errors, input rules published whole."""
        fn = self.fn
        signature = inspect.signature(fn, eval_str=True)
        returned = signature.return_annotation
        if not (isinstance(returned, type) and issubclass(returned, BaseModel)):
            raise TypeError(f"tool {self.name} must return a pydantic model, not {returned!r}")

        guarded = self.access is Access.WRITE
        name, provider = self.name, self.provider
        confirmation = self.confirm or (default_for(self.title) if self.access is Access.DESTRUCTIVE else None)
        check_kind(self.name, self.access, confirmation)
        signature = with_confirmation(self.name, confirmation, signature)

        @functools.wraps(fn)
        async def run(*args: Any, **kwargs: Any) -> Any:
            ctx = kwargs.get("ctx")
            repeat = bool(kwargs.pop(REPEAT, False))
            outcome = kwargs.pop(CONFIRMED, None)
            kwargs.pop(TOKEN, None)  # the resolver has used it

            async def answer() -> CallToolResult:
                return to_result(await fn(*args, **kwargs))

            # One time budget for the whole call, and a write made once however often it is retried; a call
            # that overruns it anyway (a store queue under load) is cut off shortly after.
            max_wait = max_wait_of(ctx)
            with call_budget(max_wait), sent.watching(), anyio.move_on_after(max_wait + OVERRUN):
                try:
                    if confirmation is not None:  # declined, cancelled or only previewed: nothing is sent
                        preview = await gate(ctx, outcome, confirmation, self.title, name)
                        if preview is not None:
                            return preview
                    arguments = {key: value for key, value in kwargs.items() if key != "ctx"}
                    writes = self.writes_when is None or self.writes_when(arguments)
                    if guarded and ctx is not None and writes:
                        return await replay.once(ctx, provider, name, arguments, answer, repeat=repeat)
                    return await answer()
                except OutboundError as error:
                    raise to_tool_error(sent.honest(error)) from None
                except ToolError:
                    raise
                except Exception as exc:  # the top-level handler: nothing escapes as an opaque failure
                    log.exception("tool %s failed unexpectedly", name)
                    raise ToolError(unexpected(self, exc)) from None
            log.warning("tool %s cut off %.0f s past OUTBOUND_MCP_MAX_WAIT=%g", name, OVERRUN, max_wait)
            raise ToolError(overran(self, max_wait))

        if guarded:
            signature = signature.replace(parameters=[*signature.parameters.values(), REPEAT_PARAMETER])
        # The SDK reads the signature twice more: the evaluated one spares evaluating every annotation again.
        del run.__wrapped__
        run.__signature__ = signature  # type: ignore[attr-defined]
        run.__annotations__ = {name: p.annotation for name, p in signature.parameters.items()}
        # structured_output=False: the SDK would derive a full output schema (the slowest part of start-up)
        # and validate every answer against the model again; to_result dumps an already validated model.
        tool = StrictTool.from_function(
            run,
            name=self.name,
            title=self.title,
            description=describe(fn.__doc__),
            context_kwarg="ctx",
            annotations=self.access.annotations(),
            structured_output=False,
            meta=with_approval_app(self.meta) if confirmation is not None else self.meta,
        )
        assert isinstance(tool, StrictTool)
        tool.aliases = self.aliases
        tool.kind = self.access.kind
        # The check's own model is built on the first call (57 models at start-up would cost ~50 ms); the
        # published rules come from the SDK's public ``parameters``, made from the same signature.
        tool.arguments = functools.cache(functools.partial(argument_model, self.name, signature, {"ctx", CONFIRMED}))
        tool.parameters = input_schema(tool.parameters)
        tool.published_output = output_schema(returned)
        if guarded:  # a replayed answer says so
            tool.published_output["properties"].update(replay={"type": "boolean"}, hint={"type": "string"})
        if confirmation is not None:  # a client that cannot be asked gets a preview instead of the answer
            tool.published_output["properties"][PREVIEW_KEY] = PREVIEW_SCHEMA
        return tool


def with_approval_app(meta: dict[str, Any] | None) -> dict[str, Any]:
    """A tool that asks first names the approval App, shown by clients that render MCP Apps (docs/apps.md)."""
    return {**(meta or {}), "ui": {"resourceUri": APPROVAL_URI}}


def check_kind(tool: str, access: Access, confirmation: Confirmation | None) -> None:
    """A spend tool asks before spending, a delete before deleting, a write that also spends (an outcome tool
    that buys emails, then creates leads) before spending; no other tool asks."""
    allowed = {Access.SPEND: {"paid"}, Access.DESTRUCTIVE: {"destructive"}, Access.WRITE: {None, "paid"}}
    declared = confirmation.kind if confirmation is not None else None
    if declared not in allowed.get(access, {None}):
        raise TypeError(f"tool {tool} is a {access.kind} tool but declares confirmation {declared!r}")


def argument_model(tool: str, signature: inspect.Signature, skip: set[str]) -> type[BaseModel]:
    """The arguments a model may send, as one pydantic model of the tool's own (the SDK's is its internal)."""
    fields: dict[str, Any] = {
        name: (param.annotation, ... if param.default is inspect.Parameter.empty else param.default)
        for name, param in signature.parameters.items()
        if name not in skip
    }
    return create_model(f"{tool}_arguments", __config__=ConfigDict(arbitrary_types_allowed=True), **fields)


class StrictTool(Tool):
    """The SDK's tool with its arguments checked first: the SDK's own check ignores unknown names and reads
    ``null`` as a value, and its validation errors are library dumps. Built on the SDK's public ``Tool``
    (``from_function``, ``parameters``, ``output_schema``, ``run``) only, never its internal metadata, so the
    ``mcp`` requirement can follow its minor releases."""

    aliases: dict[str, str] = Field(default_factory=dict, exclude=True)
    kind: Kind = Field(default="read", exclude=True)
    arguments: Callable[[], type[BaseModel]] | None = Field(default=None, exclude=True)
    published_output: dict[str, Any] | None = Field(default=None, exclude=True)

    @property
    def writes(self) -> bool:
        """Sends what it is given upstream (to be stored, or with a paid request): its arguments may carry no
        fence (``core.fences``)."""
        return self.kind != "read"

    @property
    def output_schema(self) -> dict[str, Any] | None:  # pyright: ignore[reportIncompatibleVariableOverride]
        return self.published_output

    async def run(self, arguments: dict[str, Any], context: Any, convert_result: bool = False) -> Any:
        caller = caller_of(context) if context is not None else LOCAL
        with REDACTOR.caller(caller.credentials_key(), caller.secrets()):
            return await self._checked_run(arguments, context, convert_result)

    async def _checked_run(self, arguments: dict[str, Any], context: Any, convert_result: bool) -> Any:
        assert self.arguments is not None, "StrictTool is made by ToolDef.build"
        model = self.arguments()
        try:
            cleaned = clean(model, decoded(model, arguments), self.name, self.aliases)
            model.model_validate(cleaned)
        except ArgumentProblem as problem:
            raise self._refused(problem.lines) from None
        except ValidationError as error:
            raise self._refused(explain(error, model)) from None
        if self.writes and (fenced := fenced_fields(cleaned)):
            raise self._refused([f"{path}: {FENCED}" for path in fenced])
        return await super().run(cleaned, context, convert_result)

    def _refused(self, lines: list[str]) -> ToolError:
        # Same prefix as every other tool error; one field per line so each is easy to find and fix.
        head = f"Error executing tool {self.name}: arguments refused, nothing was sent."
        return ToolError(REDACTOR("\n".join([head, *lines])))


def overran(tool: ToolDef, max_wait: float) -> str:
    """What the model reads when a call was cut off past its time budget (the state store was slow to answer)."""
    message = (
        f"{tool.name} ran past this server's time limit (OUTBOUND_MCP_MAX_WAIT={max_wait:g} s) and was stopped: "
        "the server's state store or the API was slow under load. Try again in a moment."
    )
    if tool.access is not Access.READ:
        message += " The write may have been applied: check with the matching list/get tool before sending it again."
    return message


def unexpected(tool: ToolDef, exc: Exception) -> str:
    """What the model reads when a tool hit something no mapping foresaw (logged in full, without secrets)."""
    message = (
        f"{tool.name} stopped on something unexpected ({type(exc).__name__}), most likely an answer from "
        f"{tool.provider} in a shape its API does not document. Try again later; if it repeats, tell the user."
    )
    if tool.access not in (Access.READ, Access.SPEND):
        message += " The write may have been applied: check with the matching list/get tool before sending it again."
    return message


FENCED = (
    "carries the <untrusted-content> fence (or a look-alike) of text another tool showed: pass the text without "
    "the markers, and only if the person wants that stranger-written text stored"
)
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
    """Tools declared with ``@toolset.tool(...)``: one per tool module, and the provider's, which lists its
    modules' toolsets in catalogue order (``Toolset.joined``) instead of collecting them by import side effect."""

    provider: str
    tools: list[ToolDef] = field(default_factory=list[ToolDef])

    @classmethod
    def joined(cls, provider: str, *parts: Toolset) -> Toolset:
        strays = sorted({part.provider for part in parts} - {provider})
        if strays:
            raise ValueError(f"toolsets of {', '.join(strays)} listed under {provider}")
        return cls(provider, [tool for part in parts for tool in part.tools])

    def tool(
        self,
        title: str,
        access: Access,
        aliases: dict[str, str] | None = None,
        *,
        confirm: Confirmation | None = None,
        writes_when: Callable[[dict[str, Any]], bool] | None = None,
        meta: dict[str, Any] | None = None,
    ) -> Callable[[F], F]:
        def register(fn: F) -> F:
            if not fn.__doc__:
                raise ValueError(f"tool {fn.__name__} needs a docstring: it is the model's description")
            tool = ToolDef(fn, fn.__name__, title, access, self.provider, dict(aliases or {}), confirm)
            tool.writes_when = writes_when
            tool.meta = meta
            self.tools.append(tool)
            return fn

        return register


NULL = {"type": "null"}


def input_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The arguments' rules as published, all of them (nothing is refused for a rule the schema hides):
    titles and ``default: null`` dropped, every object closed (``additionalProperties: false``), each
    optional argument nullable (a strict-mode client sends every key, null for "not given") except free text
    (``""`` says it), and
    definitions inlined (openai-agents' strict mode refuses a bare ``$ref``; no input type is recursive)."""
    out = _free_text(_closed(_inlined(schema, schema.get("$defs", {}))))
    required = set(out.get("required", []))
    props = out.get("properties", {})
    out["properties"] = {
        name: sub if name in required or _is_free_text(sub) else _nullable(sub) for name, sub in props.items()
    }
    return out


FREE_TEXT_RULES = frozenset({"pattern", "format", "minLength", "enum", "const"})
"""Rules that refuse ``""``: a string without them is free text."""


def _is_free_text(prop: dict[str, Any]) -> bool:
    return prop.get("type") == "string" and not FREE_TEXT_RULES & set(prop)


def _free_text(node: Any) -> Any:
    """Optional free text at any depth published without ``null``: a strict-mode client leaves it out with
    ``""``, which the server reads as "not given" (``arguments.clean``), so the null arm only costs tokens."""
    if is_list(node):
        return [_free_text(item) for item in node]
    if not is_str_dict(node):
        return node
    listed = node.get("required")
    required = {name for name in listed if isinstance(name, str)} if is_list(listed) else set[str]()
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and is_str_dict(value):
            out[key] = {
                name: _free_text(sub) if name in required else _without_null(_free_text(sub))
                for name, sub in value.items()
            }
        else:
            out[key] = _free_text(value)
    return out


def _without_null(prop: Any) -> Any:
    arms = prop.get("anyOf") if is_str_dict(prop) else None
    if not (is_list(arms) and len(arms) == 2 and NULL in arms):
        return prop
    text = next(arm for arm in arms if arm != NULL)
    if not (is_str_dict(text) and _is_free_text(text)):
        return prop
    return {**{key: value for key, value in prop.items() if key != "anyOf"}, **text}


def _inlined(node: Any, defs: dict[str, Any]) -> Any:
    if is_list(node):
        return [_inlined(item, defs) for item in node]
    if not is_str_dict(node):
        return node
    if isinstance(ref := node.get("$ref"), str):
        target = defs[ref.rsplit("/", 1)[-1]]
        return _inlined({**target, **{k: v for k, v in node.items() if k != "$ref"}}, defs)
    return {key: _inlined(value, defs) for key, value in node.items() if key != "$defs"}


def _closed(node: Any) -> Any:
    if is_list(node):
        return [_closed(item) for item in node]
    if not is_str_dict(node):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("properties", "$defs", "patternProperties") and is_dict(value):
            out[key] = {name: _closed(sub) for name, sub in value.items()}
        elif not ((key == "title" and isinstance(value, str)) or (key == "default" and value is None)):
            out[key] = _closed(value)
    if out.get("type") == "object" and "additionalProperties" not in out and "patternProperties" not in out:
        out["additionalProperties"] = False
    return out


def _nullable(prop: dict[str, Any]) -> dict[str, Any]:
    if NULL in prop.get("anyOf", []):
        return prop
    outer = {key: prop[key] for key in ("description", "default") if key in prop}
    inner = {key: value for key, value in prop.items() if key not in outer}
    return {**outer, "anyOf": [inner, NULL]}


SANITY_CAP = 254
"""A ``maxLength`` at least this long is a storage cap (names, emails, URLs), not something a model plans by."""


def trim_schema(schema: Any, *, keep_descriptions: bool) -> Any:
    """For output schemas: drop what every client pays for and no model needs (auto-generated titles,
    ``anyOf [X, null]`` with ``default: null``, ``pattern``, ``minLength: 1``, storage-size caps and,
    unless kept, descriptions)."""
    if is_str_dict(schema):
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if _noise(key, value, keep_descriptions):
                continue
            if key in ("properties", "$defs", "patternProperties") and is_dict(value):
                out[key] = {name: trim_schema(sub, keep_descriptions=keep_descriptions) for name, sub in value.items()}
            else:
                out[key] = trim_schema(value, keep_descriptions=keep_descriptions)
        branches = out.get("anyOf")
        if is_list(branches) and NULL in branches and len(branches) == 2:
            other = next(b for b in branches if b != NULL)
            if is_str_dict(other):
                del out["anyOf"]
                # The field's own keys (its description) win over its type's: ``X | None`` keeps what it says.
                out = {**other, **out}
        return out
    if is_list(schema):
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
    return _table(model, inner) if _is_table(model) else _fields(model, inner)


def _is_model(annotation: object) -> TypeGuard[type[BaseModel]]:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _is_table(model: type[BaseModel]) -> TypeGuard[type[Table[Any]]]:
    return issubclass(model, Table)


def _fields(model: type[BaseModel], seen: set[type[BaseModel]]) -> dict[str, Any]:
    properties = {
        (info.serialization_alias or name): _shape(info.annotation, seen) for name, info in model.model_fields.items()
    }
    return {"type": "object", "properties": properties}


def _table(model: type[Table[Any]], seen: set[type[BaseModel]]) -> dict[str, Any]:
    """A table's columns as the names they are, its rows as arrays typed place by place."""
    row = row_model(model)
    # A cell with no value is null: the row keeps its place (shapes.Table), so optional cells say so.
    cells = [
        _shape(info.annotation, seen) if info.is_required() else _or_null(_shape(info.annotation, seen))
        for info in row.model_fields.values()
    ]
    schema = _fields(model, seen)
    schema["properties"]["columns"] = {"type": "array", "items": {"enum": column_names(row), "type": "string"}}
    # No "items": false after the cells: a Draft 7 validator reads it as "no cells at all".
    schema["properties"]["rows"] = {"type": "array", "items": {"type": "array", "prefixItems": cells}}
    return schema


def _or_null(shape: dict[str, Any]) -> dict[str, Any]:
    """A cell that may be null: ``{"type": [T, "null"]}`` for a plain scalar (google-adk shows output schemas to
    the model, so the shorter spelling of the same rule), ``anyOf`` otherwise."""
    kind = shape.get("type")
    if set(shape) == {"type"} and isinstance(kind, str):
        return {"type": [kind, "null"]}
    return {"anyOf": [shape, NULL]}


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
        kinds: set[type[object]] = {type(value) for value in values}
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
    if _is_model(annotation):
        return _record(annotation, seen)
    return trim_schema(TypeAdapter[Any](annotation).json_schema(), keep_descriptions=False)

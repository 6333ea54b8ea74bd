"""One declaration per tool: its function (typed inputs, pydantic output, docstring) and its access kind.

Registration (the SDK's own ``Tool.from_function``), annotations and error mapping come from here; the
published schemas from ``schemas``, the argument model from ``arguments``; ``Entry`` is each call's way in.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal, TypeVar

import anyio
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult, ToolAnnotations
from mcp_types import InputRequiredResult
from pydantic import BaseModel, ValidationError

from mcp_server.core.call.context import entered
from mcp_server.core.call.deadline import OVERRUN, call_budget
from mcp_server.core.errors import OutboundError, to_tool_error
from mcp_server.core.redact import REDACTOR
from mcp_server.core.tools import replay, sent
from mcp_server.core.tools.answers import to_result
from mcp_server.core.tools.approvals import APPROVAL_URI
from mcp_server.core.tools.arguments import Arguments, Given, explain, given, model_of
from mcp_server.core.tools.calls import opened
from mcp_server.core.tools.confirmations import (
    CONFIRMED,
    TOKEN,
    Confirmation,
    default_for,
    gate,
    with_confirmation,
)
from mcp_server.core.tools.direct import as_sdk_passes, decoded_by_sdk, run_checked
from mcp_server.core.tools.fences import fenced_fields
from mcp_server.core.tools.host import policy_of
from mcp_server.core.tools.schemas import input_schema, output_schema

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
    entry: Entry | None = field(default=None, init=False)
    """The way into a call of the built tool (``build``): the server passes every call of it through."""
    example: dict[str, Any] | None = None
    """Arguments a call could be made with: the one example the test suites and benchmarks read (never published)."""

    def build(self) -> Tool:
        """The SDK's tool, made by its public ``Tool.from_function`` (failures mapped to tool errors, the input
        rules published whole, the answer's shape published), and ``entry``, which checks the arguments first."""
        fn = self.fn
        signature = inspect.signature(fn, eval_str=True)
        returned = signature.return_annotation
        if not (isinstance(returned, type) and issubclass(returned, BaseModel)):
            raise TypeError(f"tool {self.name} must return a pydantic model, not {returned!r}")

        guarded = self.access is Access.WRITE
        name = self.name
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
            max_wait = policy_of(ctx).max_wait
            with call_budget(max_wait), anyio.move_on_after(max_wait + OVERRUN):
                try:
                    if confirmation is not None:  # declined, cancelled or only previewed: nothing is sent
                        preview = await gate(ctx, outcome, confirmation, self.title, name)
                        if preview is not None:
                            return preview
                    if guarded and ctx is not None:  # a read never needs its arguments apart from ctx
                        arguments = {key: value for key, value in kwargs.items() if key != "ctx"}
                        if self.writes_when is None or self.writes_when(arguments):
                            return await replay.once(ctx, arguments, answer, repeat=repeat)
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
        tool = Tool.from_function(
            run,
            name=self.name,
            title=self.title,
            description=describe(fn.__doc__),
            context_kwarg="ctx",
            annotations=self.access.annotations(),
            structured_output=False,
            meta=with_approval_app(self.meta) if confirmation is not None else self.meta,
        )
        # One model checks the arguments and publishes their rules: what it accepts is what the schema says.
        arguments = model_of(self.name, signature, {"ctx", CONFIRMED}, self.aliases)
        self.entry = Entry(self.name, self.provider, self.access.kind, arguments, tool, decoded_by_sdk(arguments))
        tool.parameters = input_schema(arguments)
        # Open at the top: a replayed answer's replay and hint, and a preview's confirmation_required, are the
        # shared fields the server's instructions explain once; no tool's schema repeats them.
        tool.output_schema = output_schema(returned)
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


Answer = CallToolResult | InputRequiredResult
SdkCall = Callable[[dict[str, Any]], Awaitable[Answer]]


@dataclass(frozen=True)
class Entry:
    """The way into one tool's call (``OutboundServer.call_tool``): the caller's secrets redacted from all it
    answers, then its arguments checked by the tool's own model (the SDK's check ignores unknown names, reads
    ``null`` as a value and answers library dumps) and, for a tool that sends what it is given, refused if they
    carry another tool's fence (``core.fences``); then the SDK's tool run on what was checked (``core.direct``)."""

    name: str
    provider: str
    kind: Kind
    arguments: type[Arguments]
    tool: Tool
    """The SDK's tool (``ToolDef.build``): its function, resolvers and answer conversion."""
    decoded: frozenset[str] = frozenset()
    """Arguments whose text the SDK would read as JSON (``direct.decoded_by_sdk``)."""

    @property
    def writes(self) -> bool:
        """Sends what it is given upstream (to be stored, or with a paid request)."""
        return self.kind != "read"

    async def call(self, arguments: dict[str, Any], context: Any, run: SdkCall) -> Answer:
        """The tool run with the arguments as checked (``direct.run_checked``); ``run`` (the SDK's own call of
        the tool, given our names and only what was given) where there is no request (``context`` None) or the
        SDK would read an argument otherwise (``direct.as_sdk_passes``).
        The call's one context is set here for everything under it: the confirmation asked first, then the body."""
        call = opened(self.name, self.provider, self.kind, context)
        caller = call.caller
        with (
            entered(call),
            REDACTOR.caller(caller.credentials_key(), caller.secrets()) if caller.credentials else NO_SECRETS,
        ):
            cleaned, checked = self._checked(arguments)
            passed = as_sdk_passes(self.decoded, cleaned, checked) if context is not None else None
            if passed is None:
                return await run(cleaned)
            return await run_checked(self.tool, passed, context)

    def checked(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """The arguments as checked: our names, only what was given (a refusal raises ``ToolError``)."""
        return self._checked(arguments)[0]

    def _checked(self, arguments: dict[str, Any]) -> tuple[dict[str, Any], Arguments]:
        model = self.arguments
        try:
            cleaned: dict[str, Any] = given(model, arguments)
            checked = model.model_validate(cleaned, context=Given(model))
        except ValidationError as error:
            raise self._refused(explain(error, model, self.name)) from None
        if self.writes and (fenced := fenced_fields(cleaned)):
            raise self._refused([f"{path}: {FENCED}" for path in fenced])
        return cleaned, checked

    def _refused(self, lines: list[str]) -> ToolError:
        # Same prefix as every other tool error; one field per line so each is easy to find and fix.
        head = f"Error executing tool {self.name}: arguments refused, nothing was sent."
        return ToolError(REDACTOR("\n".join([head, *lines])))


NO_SECRETS = contextlib.nullcontext()
"""A caller who sent no credentials of its own: the server's secrets are masked everywhere already."""


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
    default=False,
    # Undescribed: the answer to a repeated write says to pass repeat: true to send it again (replay.AGAIN).
    annotation=bool,
)


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
        example: dict[str, Any] | None = None,
    ) -> Callable[[F], F]:
        def register(fn: F) -> F:
            if not fn.__doc__:
                raise ValueError(f"tool {fn.__name__} needs a docstring: it is the model's description")
            tool = ToolDef(fn, fn.__name__, title, access, self.provider, dict(aliases or {}), confirm)
            tool.writes_when = writes_when
            tool.meta = meta
            tool.example = example
            self.tools.append(tool)
            return fn

        return register

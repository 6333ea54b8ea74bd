"""Asking the person before a call spends credits or deletes for good, through MCP elicitation.

A tool declares a ``Confirmation``: its kind and a function from the call's arguments to the question
(None: nothing to ask this time, e.g. a paid flag left off). The SDK fills a hidden parameter by running
``resolver_for`` before the tool body; it asks by whichever mechanism the client's protocol uses
(``elicitation/create`` mid-call, or the 2026-07-28 input-required round trip) and the body runs only
once the person has accepted. Nothing is sent upstream before that.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeGuard

from mcp.server.elicitation import AcceptedElicitation, CancelledElicitation, ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit, Resolve
from pydantic import BaseModel, Field

from mcp_server.core.errors import OutboundError
from mcp_server.settings import ConfirmKind as Kind
from mcp_server.settings import Settings

Question = Callable[[Context, Mapping[str, Any]], Awaitable[str | None]]
"""The call's context and validated arguments to the question shown to the person, or None."""


@dataclass(frozen=True)
class Confirmation:
    kind: Kind
    question: Question
    instead: str = ""
    """What the model can do instead when the person says no (told in the answer)."""


def destructive(describe: Callable[[Mapping[str, Any]], str], detail: str = "", instead: str = "") -> Confirmation:
    """A delete: ``describe`` names what goes ("Delete Snov.io webhook 12"), ``detail`` what follows from it;
    the question adds that it is final."""

    async def question(ctx: Context, args: Mapping[str, Any]) -> str:
        del ctx
        return " ".join(part for part in (f"{describe(args)}?", detail, "This cannot be undone.") if part)

    return Confirmation("destructive", question, instead)


def default_for(title: str) -> Confirmation:
    """The confirmation of a destructive tool that declared none: its title and arguments."""

    def describe(args: Mapping[str, Any]) -> str:
        given = ", ".join(f"{name} {value}" for name, value in args.items() if value is not None)
        return f"{title}: {given}" if given else title

    return destructive(describe)


class ConfirmSpend(BaseModel):
    confirm: bool = Field(title="Spend the credits", description="Tick to let this call spend the credits above")


class ConfirmDelete(BaseModel):
    confirm: bool = Field(title="Delete for good", description="Tick to delete it; it cannot be undone")


FORMS: dict[Kind, type[ConfirmSpend | ConfirmDelete]] = {"paid": ConfirmSpend, "destructive": ConfirmDelete}


class NotAsked(BaseModel):
    """The resolver's answer when the call goes ahead without a question."""

    reason: str


class Refused(BaseModel):
    """The resolver's answer when the call must be refused because the person cannot be asked."""

    kind: Kind


@dataclass
class NotConfirmed(OutboundError):
    """The person said no (or could not be asked, and the server refuses unconfirmed calls)."""


def can_elicit(ctx: Context) -> bool:
    """Whether the client declared form elicitation (a bare ``elicitation: {}`` means form; url-only does not)."""
    capabilities = ctx.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


def policy_of(ctx: Context) -> Settings:
    state = ctx.request_context.lifespan_context
    settings = getattr(state, "settings", None)
    # A server built on another lifespan (tests, embedding) gets the defaults, never a read of the environment.
    return settings if isinstance(settings, Settings) else Settings.model_construct()


CONFIRMED = "confirmed__"
"""The hidden parameter the SDK fills with the person's answer; never part of the input schema."""


def with_confirmation(tool: str, confirmation: Confirmation | None, signature: inspect.Signature) -> inspect.Signature:
    """The tool's signature plus the hidden parameter, when it has a confirmation."""
    if confirmation is None:
        return signature
    arguments = [name for name, p in signature.parameters.items() if name != "ctx" and p.kind is not p.VAR_KEYWORD]
    resolver = resolver_for(tool, confirmation, arguments)
    hidden = inspect.Parameter(
        CONFIRMED,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[ElicitationResult[FORMS[confirmation.kind]], Resolve(resolver)],
    )
    return signature.replace(parameters=[*signature.parameters.values(), hidden])


def resolver_for(tool: str, confirmation: Confirmation, arguments: list[str]) -> Callable[..., Any]:
    """The SDK resolver of one tool: it takes the tool's arguments by name, so its signature lists them."""

    async def ask(ctx: Context, **args: Any) -> Any:
        settings = policy_of(ctx)
        if confirmation.kind not in settings.outbound_mcp_confirm:
            return NotAsked(reason="OUTBOUND_MCP_CONFIRM")
        try:
            question = await confirmation.question(ctx, args)
        except OutboundError:
            # The body meets the same failure (provider not configured...) and reports it as a tool error.
            return NotAsked(reason="the body reports it")
        if question is None:
            return NotAsked(reason="nothing to confirm")
        if not can_elicit(ctx):
            if settings.outbound_mcp_unconfirmed == "refuse":
                return Refused(kind=confirmation.kind)
            return NotAsked(reason="the client cannot ask")
        return Elicit(question, FORMS[confirmation.kind])

    context = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)
    named = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY) for name in arguments]
    ask.__signature__ = inspect.Signature([context, *named])  # type: ignore[attr-defined]
    ask.__annotations__ = {"ctx": Context}
    # The wire key of the question in request_state: the same on every replica that serves this tool.
    ask.__qualname__ = f"confirm.{tool}"
    return ask


DONE_NOTHING = {"paid": "Nothing was sent and no credits were spent.", "destructive": "Nothing was deleted."}


def _accepted(outcome: object) -> TypeGuard[AcceptedElicitation[BaseModel]]:
    """Every form (and the resolver's answers) is a model, whatever ``AcceptedElicitation`` it came in."""
    return isinstance(outcome, AcceptedElicitation)


def settle(outcome: Any, confirmation: Confirmation, title: str) -> None:
    """Let the call run, or raise ``NotConfirmed`` saying what happened and what to do instead. ``outcome`` is
    the SDK's ``ElicitationResult`` (accepted data: the form, or the resolver's ``NotAsked`` / ``Refused``);
    anything else counts as not confirmed."""
    data = outcome.data if _accepted(outcome) else None
    if isinstance(data, NotAsked) or (isinstance(data, ConfirmSpend | ConfirmDelete) and data.confirm):
        return
    kind = confirmation.kind
    what = "spend credits" if kind == "paid" else "delete"
    if isinstance(data, Refused):
        raise NotConfirmed(
            f"{title}: this server asks the user before calls that {what}, and this client cannot show the "
            f"question (it has no form elicitation). {DONE_NOTHING[kind]}",
            hint="Tell the user: they can make this call from a client that supports elicitation (Claude Code, "
            "VS Code, Cursor, Codex, Copilot CLI), or ask the server's operator to set "
            "OUTBOUND_MCP_UNCONFIRMED=allow.",
        )
    if isinstance(outcome, CancelledElicitation):
        said = "the user closed the confirmation without answering"
        next_step = "Ask the user in the chat whether to go ahead; if they agree, call again (they are asked again)."
    else:
        unticked = isinstance(data, ConfirmSpend | ConfirmDelete)
        said = "the user submitted the confirmation without ticking it" if unticked else "the user declined"
        next_step = "Do not repeat the call unless the user asks for it (they are asked again)."
    raise NotConfirmed(
        f"{title}: {said}. {DONE_NOTHING[kind]}",
        hint=" ".join(part for part in (confirmation.instead, next_step) if part),
    )

"""Asking the person before a call spends credits or deletes for good (docs/confirmations.md).

A tool declares a ``Confirmation``: its kind and a function from the call's arguments to the question
(None: nothing to ask this time, e.g. a paid flag left off). The SDK fills a hidden parameter by running
``resolver_for`` before the tool body; it asks by whichever mechanism the client's protocol uses
(``elicitation/create`` mid-call, or the 2026-07-28 input-required round trip) and the body runs only
once the person has accepted. A client that cannot be asked gets a preview and a one-time token instead
(``OUTBOUND_MCP_UNCONFIRMED``). Nothing is sent upstream before that.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeGuard

from mcp.server.apps import client_supports_apps
from mcp.server.elicitation import AcceptedElicitation, CancelledElicitation, ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit, Resolve
from mcp.types import CallToolResult, TextContent
from mcp_types.version import is_version_at_least
from pydantic import BaseModel, Field

from mcp_server.core.call.context import current
from mcp_server.core.errors import ConfigError, InvalidInput, OutboundError, describe
from mcp_server.core.state import StateUnavailable
from mcp_server.core.tools.approvals import META_KEY, is_approved, open_approval
from mcp_server.core.tools.asked import kept_question
from mcp_server.core.tools.confirmation_tokens import TokenRefused, check_unused, issue, redeem, when
from mcp_server.core.tools.host import ConfirmKind as Kind
from mcp_server.core.tools.host import Host, host_of, policy_of
from mcp_server.core.tools.sealed_state import first_use

log = logging.getLogger("outbound_mcp.confirm")
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


def checked(
    name: Callable[[Context, Mapping[str, Any]], Awaitable[str]], detail: str = "", instead: str = ""
) -> Confirmation:
    """A delete whose target is read first (one request): ``name`` says what goes in words ("Delete Epixel lead
    Ada Lovelace (ada@acme.com)"), or raises ``Absent`` so nobody is asked about something that is not there."""

    async def question(ctx: Context, args: Mapping[str, Any]) -> str:
        named = await name(ctx, args)
        return " ".join(part for part in (f"{named}?", detail, "This cannot be undone.") if part)

    return Confirmation("destructive", question, instead)


NAMED = 80
"""Characters of a stranger-written name a question shows: enough to recognise, too few to carry a script."""


def in_words(text: str) -> str:
    """Upstream text shown in a question: on one line, clipped."""
    flat = " ".join(text.split())
    return flat if len(flat) <= NAMED else flat[: NAMED - 1] + "…"


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
    """The resolver's answer when the call must not run: ``text`` says why, ``hint`` what to do."""

    text: str
    hint: str = ""


class Preview(BaseModel):
    """The resolver's answer for a client that cannot be asked: the question, and a token to run it once."""

    question: str
    token: str
    expires: float


class AppApproval(BaseModel):
    """The resolver's answer for a client that renders MCP Apps: the question is shown in the approval App."""

    question: str
    approval: str
    expires: float


@dataclass
class NotConfirmed(OutboundError):
    """The person said no (or could not be asked, and the server refuses unconfirmed calls)."""


def can_elicit(ctx: Context) -> bool:
    """Whether the client declared form elicitation (a bare ``elicitation: {}`` means form; url-only does not)."""
    capabilities = ctx.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


def why_not_asked(ctx: Context) -> str | None:
    """Why this client cannot be asked during this call (None: it can). A 2025-era client is asked by a
    request the server sends mid-call; over stateless HTTP that request has no way back (no session), and the
    SDK does not even carry the client's capabilities there."""
    version = ctx.protocol_version
    legacy = version is None or not is_version_at_least(version, INPUT_REQUIRED_VERSION)
    if legacy and not ctx.session.can_send_request:
        return (
            f"this server runs HTTP statelessly, where a client on protocol {version or 'unknown'} cannot be asked "
            "during a call (that needs an HTTP session, or a 2026-07-28 client)"
        )
    if not can_elicit(ctx):
        return "this client cannot show a confirmation form (it declared no form elicitation)"
    return None


INPUT_REQUIRED_VERSION = "2026-07-28"
"""From this protocol on, a question is an input-required answer the client retries with (no session needed)."""


def asks_in_rounds(ctx: Context) -> bool:
    """Whether the question is an input-required answer the client retries with (not a request mid-call)."""
    version = ctx.protocol_version
    return version is not None and is_version_at_least(version, INPUT_REQUIRED_VERSION)


def host(ctx: Context) -> Host:
    state = host_of(ctx)
    if state is None:
        raise ConfigError("this server keeps no state store to confirm a call with")
    return state


CONFIRMED = "confirmed__"
"""The hidden parameter the SDK fills with the person's answer; never part of the input schema."""
TOKEN = "confirmation_token"
"""The argument a spend or delete takes back from a preview, once the person agreed in the chat."""
# Undescribed: only a preview hands one out, and the preview says how to pass it back.
TOKEN_PARAMETER = inspect.Parameter(
    TOKEN,
    inspect.Parameter.KEYWORD_ONLY,
    default=None,
    annotation=Annotated[
        str | None,
        Field(max_length=100),
    ],
)


def with_confirmation(tool: str, confirmation: Confirmation | None, signature: inspect.Signature) -> inspect.Signature:
    """The tool's signature plus ``confirmation_token`` and the hidden parameter, when it has a confirmation."""
    if confirmation is None:
        return signature
    signature = signature.replace(parameters=[*signature.parameters.values(), TOKEN_PARAMETER])
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
        return await decide(ctx, tool, confirmation, args)

    context = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)
    named = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY) for name in arguments]
    ask.__signature__ = inspect.Signature([context, *named])  # type: ignore[attr-defined]
    ask.__annotations__ = {"ctx": Context}
    # The wire key of the question in request_state: the same on every replica that serves this tool.
    ask.__qualname__ = f"confirm.{tool}"
    return ask


async def decide(ctx: Context, tool: str, confirmation: Confirmation, args: dict[str, Any]) -> Any:
    """Ask (``Elicit``), or let the call run (``NotAsked``), or not (``Refused``), or answer a ``Preview``.
    Whatever cannot be checked (the store down or locked, the ledger unreadable) refuses: consent fails closed."""
    policy = policy_of(ctx)
    token = args.pop(TOKEN, None)
    kind = confirmation.kind
    if kind not in policy.confirm:
        return NotAsked(reason="OUTBOUND_MCP_CONFIRM")
    if token is None and is_approved(tool, args):
        return NotAsked(reason="approved in the approval App")
    state = host(ctx)
    principal = current().caller.principal()
    try:
        if token is not None:
            await check_unused(state.store, token)
    except TokenRefused as refusal:
        return Refused(text=f"{refusal.message}. {DONE_NOTHING[kind]}", hint=refusal.hint)
    except StateUnavailable as error:
        return unprepared(kind, describe(error))
    try:
        question = await confirmation.question(ctx, args)
    except (ConfigError, InvalidInput):
        # The body meets the same failure (provider not configured, a bad argument) and reports it as a tool error.
        return NotAsked(reason="the body reports it")
    except Absent as absent:
        return Refused(text=f"{absent.message}. {DONE_NOTHING[kind]}", hint=absent.hint)
    except OutboundError as error:
        return unprepared(kind, describe(error))
    except Exception as exc:  # the consent step's top-level handler: the SDK runs it outside the tool's own
        log.exception("the confirmation of %s could not be prepared", tool)
        return unprepared(kind, f"an answer in a shape its API does not document ({type(exc).__name__})")
    if question is None:
        return NotAsked(reason="nothing to confirm")
    try:
        if token is not None:
            await redeem(state.store, token, tool, args, principal, state.clock())
            return NotAsked(reason="confirmed with a token")
        why = why_not_asked(ctx)
        if why is None:
            if asks_in_rounds(ctx):
                question = await kept_question(state.store, ctx, tool, args, principal, question)
            return Elicit(question, FORMS[kind])
        if client_supports_apps(ctx):  # the person answers in an approval App; the model never holds its id
            approval, expires = await open_approval(state.store, tool, args, question, kind, principal, state.clock())
            return AppApproval(question=question, approval=approval, expires=expires)
        if policy.unconfirmed == "allow":
            return NotAsked(reason="the client cannot ask")
        if policy.unconfirmed == "refuse":
            return refused_unasked(kind, why)
        token, expires = await issue(state.store, tool, args, principal, state.clock())
    except TokenRefused as refusal:
        return Refused(text=f"{refusal.message}. {DONE_NOTHING[kind]}", hint=refusal.hint)
    except StateUnavailable as error:
        return unprepared(kind, describe(error))
    return Preview(question=question, token=token, expires=expires)


@dataclass
class Absent(OutboundError):
    """What the call would delete does not exist (found by a read before asking): nobody is asked about it."""


def unprepared(kind: Kind, why: str) -> Refused:
    return Refused(
        text=f"the confirmation could not be prepared, so the call was refused: {why.rstrip('.')}. "
        f"{DONE_NOTHING[kind]}",
        hint="Try again in a moment; if it repeats, tell the user what failed (the user is asked once it works).",
    )


def refused_unasked(kind: Kind, why: str) -> Refused:
    what = "spend credits" if kind == "paid" else "delete"
    return Refused(
        text=f"this server asks the user before calls that {what}, and {why}; it is set to refuse such calls "
        f"then (OUTBOUND_MCP_UNCONFIRMED=refuse). {DONE_NOTHING[kind]}",
        hint="Tell the user: they can make this call from a client that shows confirmation forms (Claude Code, "
        "VS Code, Cursor, Codex, Copilot CLI), or ask the server's operator to set OUTBOUND_MCP_UNCONFIRMED=preview "
        "(the user confirms a preview in the chat).",
    )


DONE_NOTHING = {"paid": "Nothing was sent and no credits were spent.", "destructive": "Nothing was deleted."}


def _accepted(outcome: object) -> TypeGuard[AcceptedElicitation[BaseModel]]:
    """Every form (and the resolver's answers) is a model, whatever ``AcceptedElicitation`` it came in."""
    return isinstance(outcome, AcceptedElicitation)


def settle(outcome: Any, confirmation: Confirmation, title: str, tool: str) -> CallToolResult | None:
    """None: let the call run. A preview: answer it instead of running. Otherwise raise ``NotConfirmed`` saying
    what happened and what to do instead. ``outcome`` is the SDK's ``ElicitationResult`` (accepted data: the
    form, or the resolver's ``NotAsked`` / ``Refused`` / ``Preview``); anything else counts as not confirmed."""
    data = outcome.data if _accepted(outcome) else None
    if isinstance(data, NotAsked) or (isinstance(data, ConfirmSpend | ConfirmDelete) and data.confirm):
        return None
    if isinstance(data, Preview):
        return preview_result(data, confirmation.kind, tool)
    if isinstance(data, AppApproval):
        return approval_result(data, confirmation.kind, tool)
    kind = confirmation.kind
    if isinstance(data, Refused):
        raise NotConfirmed(f"{title}: {data.text}", hint=data.hint)
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


async def gate(
    ctx: Context | None, outcome: Any, confirmation: Confirmation, title: str, tool: str
) -> CallToolResult | None:
    """``settle``, and an answer that came back through a sealed 2026-07-28 state counts once: the same sealed
    state sent again (a replay) is refused."""
    preview = settle(outcome, confirmation, title, tool)
    data = outcome.data if _accepted(outcome) else None
    if preview is not None or ctx is None or not isinstance(data, ConfirmSpend | ConfirmDelete):
        return preview
    kind = confirmation.kind
    try:
        fresh = await first_use(host(ctx).store)
    except StateUnavailable as error:
        refused = unprepared(kind, describe(error))
        raise NotConfirmed(f"{title}: {refused.text}", hint=refused.hint) from None
    if not fresh:
        raise NotConfirmed(
            f"{title}: this confirmation was already used; one answer of the user runs one call. {DONE_NOTHING[kind]}",
            hint="Call again without request state: the user is asked again.",
        )
    return None


PREVIEW_KEY = "confirmation_required"
"""Where a preview answer's structured content keeps the question and the token: in no tool's output schema
(it stays open at the top), explained once in the server's instructions, and the preview's text says what to
show the user and how to call again with its token (``preview_result``)."""


def preview_result(preview: Preview, kind: Kind, tool: str) -> CallToolResult:
    """Not an error (nothing failed, and a model must not retry it blindly): what would happen, in words, and
    how to run it once the person agreed."""
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(preview.expires))
    step = (
        f"Show the user the preview and ask them. Only if they agree, call {tool} again with the same arguments "
        f'plus "confirmation_token": "{preview.token}" (it works once, for exactly these arguments, until '
        f"{when(preview.expires)})."
    )
    text = "\n".join(
        [
            f"Not done yet: this call needs the user's confirmation. {DONE_NOTHING[kind]}",
            "Preview:",
            preview.question,
            step,
        ]
    )
    details = {"preview": preview.question, "confirmation_token": preview.token, "expires_at": expires, "next": step}
    return CallToolResult(
        content=[TextContent(type="text", text=text)], structured_content={PREVIEW_KEY: details}, is_error=False
    )


def approval_result(approval: AppApproval, kind: Kind, tool: str) -> CallToolResult:
    """Not an error, and nothing done yet: the question is in front of the person in the approval App. The
    model gets the question in words but no way to answer it; the App gets the approval's id in ``_meta``."""
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(approval.expires))
    step = (
        "The user is shown this question in an approval panel with Approve and Decline, until "
        f"{when(approval.expires)}. Wait for their choice; it is added to the conversation. Do not call {tool} "
        "again for it: only the user's Approve runs it, once."
    )
    text = "\n".join(
        [f"Not done yet: waiting for the user's approval. {DONE_NOTHING[kind]}", "Question:", approval.question, step]
    )
    details = {"preview": approval.question, "expires_at": expires, "next": step}
    for_app = {
        "id": approval.approval,
        "tool": tool,
        "kind": kind,
        "question": approval.question,
        "expires_at": expires,
    }
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content={PREVIEW_KEY: details},
        is_error=False,
        _meta={META_KEY: for_app},
    )

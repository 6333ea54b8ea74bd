"""Pending approvals: the question of a spend or delete shown to the person in an MCP App (docs/apps.md).

A client that renders MCP Apps but shows no elicitation form gets, instead of running the call, an approval
panel with the question and Approve / Decline. The approval is bound like a confirmation token (the tool, the
exact arguments, the caller, a short expiry, one use, kept in the state store) but its id is never shown to
the model: it travels in the answer's ``_meta``, which hosts give the App only, and it is answered through a
tool only the App can call (``_meta.ui.visibility: ["app"]``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Generator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

from pydantic_core import to_jsonable_python

from mcp_server.core.state import StateStore
from mcp_server.core.tools.confirmation_tokens import KEPT, TOKEN_LIFETIME, digest, when

APPROVAL_URI = "ui://outbound-mcp/approval.html"
"""The approval App every spend and delete tool names in ``_meta.ui.resourceUri``."""
APPROVAL_TOOL = "outbound_answer_approval"
"""The App-only tool that answers a pending approval."""
META_KEY = "outbound-mcp/approval"
"""Where an answer's ``_meta`` carries the pending approval for the App (never in the model's content)."""
PREFIX = "ap_"
KEPT_PENDING = TOKEN_LIFETIME + 120.0
"""A pending approval keeps the call's arguments whole (Approve runs them): kept just past its expiry, so a
late answer is told "expired", and no longer."""
Choice = Literal["approve", "decline"]


@dataclass(frozen=True)
class Pending:
    tool: str
    arguments: dict[str, Any]
    question: str
    kind: str


class ApprovalRefused(Exception):
    """The approval does not exist, expired, was answered already, or belongs to another caller."""


def given(args: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments a call was given (a default left unset is not sent again when Approve runs it)."""
    return {name: value for name, value in args.items() if value is not None}


def _key(approval: str, what: str) -> str:
    return f"confirm:approval:{what}:{hashlib.sha256(approval.encode()).hexdigest()[:40]}"


async def open_approval(
    store: StateStore, tool: str, args: Mapping[str, Any], question: str, kind: str, caller: str, now: float
) -> tuple[str, float]:
    """A new pending approval for this exact call, and when it expires (``StateUnavailable`` if the store
    fails). The arguments are kept whole: Approve runs the call with them, not with what the App sends."""
    approval = PREFIX + secrets.token_urlsafe(18)
    expires = now + TOKEN_LIFETIME
    record = {
        "tool": tool,
        "arguments": to_jsonable_python(given(args)),
        "question": question,
        "kind": kind,
        "caller": digest(caller),
        "expires": expires,
    }
    await store.set(_key(approval, "pending"), json.dumps(record).encode(), ttl=KEPT_PENDING)
    return approval, expires


async def answer_approval(store: StateStore, approval: str, caller: str, now: float) -> Pending:
    """Take the pending approval, once: the second answer (approve or decline) is refused. Raises
    ``ApprovalRefused`` saying why, or ``StateUnavailable`` when the store cannot tell."""
    raw = await store.get(_key(approval, "pending"))
    if raw is None:
        raise ApprovalRefused("no such pending approval (it is unknown here, or expired)")
    record = json.loads(raw)
    if record["caller"] != digest(caller):
        raise ApprovalRefused("this approval was made for another user of this server")
    if now >= record["expires"]:
        raise ApprovalRefused(f"this approval expired at {when(record['expires'])}")
    if not await store.add(_key(approval, "answered"), b"1", ttl=KEPT):
        raise ApprovalRefused("this approval was already answered: each one runs its call at most once")
    return Pending(record["tool"], record["arguments"], record["question"], record["kind"])


_APPROVED: ContextVar[tuple[str, str] | None] = ContextVar("outbound_mcp_approved", default=None)


@contextmanager
def approved(tool: str, args: Mapping[str, Any]) -> Generator[None]:
    """While the App-only tool runs an approved call: that call (this tool, these arguments) asks nothing."""
    token = _APPROVED.set((tool, digest(given(args))))
    try:
        yield
    finally:
        _APPROVED.reset(token)


def is_approved(tool: str, args: Mapping[str, Any]) -> bool:
    return _APPROVED.get() == (tool, digest(given(args)))

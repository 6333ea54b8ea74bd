"""The sealed 2026-07-28 confirmation state: bound to the caller, and good for one call only.

The SDK seals the input-required round trip (``requestState``) and binds it to the tool and its arguments, but
on this server's own authentication it binds no principal, and an accepted answer sent again with the same
sealed state would run the call again. Here the seal names the caller (OAuth subject or per-user
credentials), and each sealed state may carry one accepted answer: the second use is refused.
"""

from __future__ import annotations

import hashlib
from contextvars import ContextVar
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext

from mcp_server.core.call.caller import SCOPE_KEY, Caller
from mcp_server.core.guards import is_str_mapping
from mcp_server.core.state import StateStore

SEALED_TTL = 600.0
"""The SDK's seal lifetime (``RequestStateSecurity`` default): a used seal is remembered past it."""
REMEMBERED = SEALED_TTL + 120.0
_WIRE: ContextVar[str | None] = ContextVar("outbound_mcp_sealed_state", default=None)


def sealed_principal(ctx: ServerRequestContext[Any, Any]) -> str | None:
    """The caller a sealed state is bound to; None for the one local user (stdio, or HTTP on shared keys)."""
    request = ctx.request
    scope = getattr(request, "scope", None)
    caller: object = scope.get(SCOPE_KEY) if is_str_mapping(scope) else None
    principal = caller.principal() if isinstance(caller, Caller) else ""
    return principal or None


class RememberSealedState:
    """Outermost server middleware: notes a digest of the sealed ``requestState`` a tool call carries (the
    SDK hands the tool only its plaintext, the same for every round that asks the same question)."""

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        params = ctx.params
        wire = params.get("requestState") if ctx.method == "tools/call" and params is not None else None
        token = _WIRE.set(hashlib.sha256(wire.encode()).hexdigest()[:40] if isinstance(wire, str) else None)
        try:
            return await call_next(ctx)
        finally:
            _WIRE.reset(token)


async def first_use(store: StateStore) -> bool:
    """Whether this call's sealed state (if it carries one) is used here for the first time; a store failure
    raises ``StateUnavailable`` (the caller refuses: consent fails closed)."""
    wire = _WIRE.get()
    if wire is None:
        return True
    return await store.add(f"confirm:sealed:{wire}", b"1", ttl=REMEMBERED)

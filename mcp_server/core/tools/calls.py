"""The context of one tool call, made once by the tool wrapper from the SDK's request context (see
``core.call.context``): the tool, its caller, the key its cursors and handles are signed with, and where its
progress goes."""

from __future__ import annotations

import time
from typing import Any

from mcp_server.core.call.caller import caller_of
from mcp_server.core.call.context import PROCESS_SIGNER, CallContext, Flag, Signer
from mcp_server.core.call.progress import from_context
from mcp_server.core.tools.host import DEFAULT_MAX_WAIT, host_of


def opened(tool: str, provider: str, kind: str, ctx: Any) -> CallContext:
    """A call of ``tool`` (of ``provider``, a ``kind`` tool) as the SDK handed it over (``ctx``: its context,
    None when run outside a request)."""
    if ctx is None:
        return CallContext(tool=tool, provider=provider, kind=kind, sent=Flag())
    caller = caller_of(ctx)
    host = host_of(ctx)
    # The call's time budget starts here, so the wrapper's own ``call_budget`` finds it set (one context, not two).
    max_wait = host.policy.max_wait if host is not None else DEFAULT_MAX_WAIT
    # Bound to the caller and to the credential the provider's service uses: a token made for one is no other's.
    whose = f"{caller.principal()}|{provider}|{host.credential_digest(provider) if host is not None else ''}"
    return CallContext(
        tool=tool,
        provider=provider,
        kind=kind,
        caller=caller,
        signer=Signer(host.handle_key if host is not None else PROCESS_SIGNER.key, whose),
        ends_at=time.monotonic() + max_wait,
        progress=from_context(ctx),
        sent=Flag(),
    )

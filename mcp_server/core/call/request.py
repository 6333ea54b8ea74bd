"""The SDK's request context behind a tool call's ``Context``, read once per ``Context``.

``Context.request_context`` is a property over a pydantic private attribute: each read takes ~9 us (pydantic's
``__getattr__`` fallback), and a call read it four times or more (its caller, its server state, its policy, its
service). The last ``Context`` read is remembered with its answer, by identity: a ``Context`` is made per request
and never changes its request, and the one kept is held, so its identity is never another's.
"""

from __future__ import annotations

from typing import Any

_last: tuple[object, Any] = (object(), None)


def request_of(ctx: Any) -> Any:
    """``getattr(ctx, "request_context", None)``: the SDK's ``ServerRequestContext`` (its ``ValueError`` outside a
    request passes through, as before)."""
    global _last
    seen, request = _last
    if seen is ctx:
        return request
    request = getattr(ctx, "request_context", None)
    _last = (ctx, request)
    return request

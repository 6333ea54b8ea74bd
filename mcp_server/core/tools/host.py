"""What a tool call needs of the server it runs in, as the core defines it: the app's ``AppState`` provides it
(``mcp_server.app.providers``), and a test may serve another. The core never imports the app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, cast, runtime_checkable

from mcp_server.core.call.request import request_of
from mcp_server.core.state import StateStore

ConfirmKind = Literal["paid", "destructive"]
Unconfirmed = Literal["preview", "allow", "refuse"]
DEFAULT_MAX_WAIT = 50.0


@dataclass(frozen=True)
class Policy:
    """The settings every call obeys (docs/configuration.md): which calls ask first, what happens when the client
    cannot ask, and the time budget of one call."""

    confirm: frozenset[ConfirmKind] = frozenset({"paid", "destructive"})
    """``OUTBOUND_MCP_CONFIRM``."""
    unconfirmed: Unconfirmed = "preview"
    """``OUTBOUND_MCP_UNCONFIRMED``."""
    max_wait: float = DEFAULT_MAX_WAIT
    """``OUTBOUND_MCP_MAX_WAIT``, seconds."""


@runtime_checkable
class Host(Protocol):
    """The lifespan state of the server a call reached."""

    @property
    def store(self) -> StateStore: ...

    @property
    def policy(self) -> Policy: ...

    @property
    def handle_key(self) -> bytes:
        """Signs cursors and handles."""
        ...

    @property
    def clock(self) -> Callable[[], float]:
        """The time confirmation tokens are made and checked on."""
        ...

    def credential_digest(self, provider: str) -> str:
        """A short digest of the server's credential and base URL for ``provider`` (never a secret)."""
        ...


_HOSTS: dict[type, bool] = {}
"""Whether a lifespan state's type is a ``Host``: checked once per type (a protocol check takes ~0.1 ms)."""


def host_of(ctx: Any) -> Host | None:
    """The server state behind the tool call ``ctx`` belongs to; None for a server built on another lifespan."""
    state: object = getattr(request_of(ctx), "lifespan_context", None)
    kind = type(state)
    hosts = _HOSTS.get(kind)
    if hosts is None:
        hosts = _HOSTS[kind] = isinstance(state, Host)
    return cast(Host, state) if hosts else None  # its type passed the check


def policy_of(ctx: Any) -> Policy:
    """The call's policy; the defaults for a server built on another lifespan (never a read of the environment)."""
    host = host_of(ctx)
    return host.policy if host is not None else Policy()

"""One tool call as the code under it sees it: which tool of which provider, its time budget, who calls, how
its cursors and handles are signed, where its progress goes, whether its caller has gone and whether a write
went out. The tool wrapper (``core.tools.registry``) sets it once per call; the code below reads ``current()``.

Outside a call (tests of the core, the CLI) ``OUTSIDE`` applies: nothing bounded, nobody to report progress to,
tokens signed with a key of this process only.
"""

from __future__ import annotations

import secrets
from collections.abc import Generator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from mcp_server.core.call.caller import LOCAL, Caller
from mcp_server.core.call.progress import Progress


@dataclass(frozen=True)
class Signer:
    """The key a call's cursors and handles are signed with, and whom they belong to."""

    key: bytes
    caller: str
    """The caller's principal, the provider and a digest of the credential its service uses."""


@dataclass
class Flag:
    """A fact that becomes true while the call runs (a write went out, the caller went away); set once."""

    raised: bool = False

    def set(self) -> None:
        self.raised = True


async def _unheard(done: float, total: float | None, message: str) -> None:
    """Progress outside a call, or for a client that asked for none."""


PROCESS_SIGNER = Signer(secrets.token_bytes(32), "")
"""Used only where no tool call set one (never for a real call: the wrapper sets the call's own)."""


@dataclass(frozen=True, slots=True)
class CallContext:
    tool: str = ""
    """The tool the client called (an outcome tool, while it runs provider tools for its steps)."""
    provider: str = ""
    kind: str = "read"
    caller: Caller = LOCAL
    signer: Signer = PROCESS_SIGNER
    ends_at: float | None = None
    """When the call's time budget ends (``time.monotonic``), None: unbounded (``core.call.deadline``)."""
    progress: Progress = _unheard
    sent: Flag | None = None
    """Set once a write of this call has gone upstream (``core.tools.sent``); None where nobody watches."""
    abandoned: Flag | None = None
    """Set when the caller went away while a write was seen through (``core.call.abandon``)."""


OUTSIDE = CallContext()
_current: ContextVar[CallContext] = ContextVar("outbound_mcp_call", default=OUTSIDE)


def current() -> CallContext:
    """The tool call this code runs in (``OUTSIDE`` when none)."""
    return _current.get()


@contextmanager
def entered(context: CallContext) -> Generator[CallContext]:
    """Run the code inside as ``context`` (a call, or a narrower part of one: a shorter budget, a write seen
    through); the outer context is back afterwards."""
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def note_write() -> None:
    """A write of this call is going upstream (from here on, "nothing was sent" would be false)."""
    flag = current().sent
    if flag is not None:
        flag.set()

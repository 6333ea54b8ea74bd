"""Replay-safe writes: the same write (tool, arguments, credentials, caller) made again while the first
is running, or within ``REPLAY_TTL`` of its answer, gets the first call's answer marked as a replay.

Clients that time a call out after a few seconds retry it while the first one goes on; without this
guard a retried "create" creates twice. The guard lives in the shared state store (only ``add``,
``get``, ``set``, ``delete``), so it holds across processes once the store does.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio
import pydantic_core
from mcp.types import CallToolResult, TextContent

from mcp_server.core import deadline as call_time
from mcp_server.core.abandon import see_through
from mcp_server.core.errors import OutboundError
from mcp_server.core.guards import is_str_dict
from mcp_server.core.output import serialize
from mcp_server.core.provider import principal_of, state_of
from mcp_server.core.state import StateStore, StateUnavailable

log = logging.getLogger("outbound_mcp.replay")
REPLAY_TTL = 300.0
"""Seconds an answered write is remembered: a retry within them is answered, not written again."""
RUNNING_TTL = 900.0
"""Seconds a write counts as running (a process that died mid-write frees its key after them)."""
WAIT_STEP = 0.2
"""Seconds between looks at the store while the first call of the same write is still running."""
OWN_WAIT = 30.0
"""How long a write is seen through, or a replay waits for a running first call, when the call has no time
budget of its own (inside a tool call the call's whole remaining budget applies)."""


def _own_limit() -> float:
    left = call_time.remaining()
    return OWN_WAIT if left is None else left


@dataclass
class WriteInFlight(OutboundError):
    """The same write is still running in another call (or was cut off, maybe applied)."""


Write = Callable[[], Awaitable[CallToolResult]]
_CALL_AGAIN = "Call again in a few seconds with the same arguments to get its answer; nothing was sent twice."


async def once(
    ctx: Any, provider: str, tool: str, arguments: dict[str, Any], write: Write, *, repeat: bool
) -> CallToolResult:
    """Run ``write`` unless the same call was just made: then hand back that call's answer, marked."""
    state = state_of(ctx)
    key = replay_key(provider, tool, arguments, principal_of(ctx), state.settings.secrets())
    store = state.store
    # Twice: a first call that failed without writing frees its key, and this call may then write.
    for _ in range(2):
        if repeat or await store.add(key, _record("running"), ttl=RUNNING_TTL):
            return await _first(store, key, write)
        replayed = await _replayed(store, key)
        if replayed is not None:
            return replayed
    raise WriteInFlight("this same write is being retried by another call", hint=_CALL_AGAIN)


async def _first(store: StateStore, key: str, write: Write) -> CallToolResult:
    """Make the write and remember its outcome. Seen through: a client that gives up cancels its call, but a
    write under way finishes (within the call's time budget), so the retry gets its real answer; a batched
    write stops after the batch in flight (``abandon.abandoned``) and its partial answer is the one kept."""

    async def settle() -> CallToolResult:
        settled = False
        try:
            result = await write()
            settled = True
        except OutboundError as error:
            settled = True
            if getattr(error, "maybe_applied", False):
                await store.set(key, _record("unknown"), ttl=REPLAY_TTL)
            else:  # refused before or by the upstream: nothing was written, a retry may write
                await store.delete(key)
            raise
        finally:
            if not settled:  # cut off, or a bug: the write may have reached the API
                with anyio.CancelScope(shield=True):
                    await store.set(key, _record("unknown"), ttl=REPLAY_TTL)
        try:
            await store.set(key, _record("done", answer=result.structured_content), ttl=REPLAY_TTL)
        except StateUnavailable as error:  # the write was made: answer it, only the replay record is missing
            log.warning("%s: the answer of a write could not be recorded for replays: %s", key, error.message)
        return result

    result = await see_through(settle, _own_limit())
    if result is not None:
        return result
    raise WriteInFlight(
        "the write ran past this call's time limit and may have been applied",
        hint="Check with the matching list/get tool before sending it again.",
    )


def replay_key(provider: str, tool: str, arguments: dict[str, Any], principal: str, secrets: list[str]) -> str:
    """``<provider>:<credential hash>:replay:<digest of tool, arguments and caller>`` (never a secret)."""
    credentials = hashlib.sha256("\0".join(secrets).encode()).hexdigest()[:16]
    call = pydantic_core.to_json({"t": tool, "a": arguments, "p": principal}, fallback=str)
    return f"{provider}:{credentials}:replay:{hashlib.sha256(call).hexdigest()[:32]}"


def _record(status: str, answer: Any = None) -> bytes:
    return json.dumps({"s": status, "at": time.time(), "a": answer}).encode()


async def _replayed(store: StateStore, key: str) -> CallToolResult | None:
    """The first call's answer, waiting (within this call's budget) while it is still running; None when
    the first call failed without writing."""
    entry = await _entry(store, key)
    with anyio.move_on_after(_own_limit()):
        while entry["s"] == "running":
            await anyio.sleep(WAIT_STEP)
            entry = await _entry(store, key)
    again = "pass repeat: true with the same arguments to make it again"
    if entry["s"] == "gone":
        return None
    if entry["s"] == "done":
        answer: dict[str, Any] = dict(entry.get("a") or {})
        ago = time.time() - float(entry.get("at", 0))
        note = f"Replay: this same write was made {ago:.0f} s ago; nothing was written again ({again})."
        hint = answer.get("hint")
        answer["replay"] = True
        answer["hint"] = f"{hint} {note}" if isinstance(hint, str) else note
        return CallToolResult(content=[TextContent(type="text", text=serialize(answer))], structured_content=answer)
    if entry["s"] == "running":
        raise WriteInFlight("this same write is still running in an earlier call", hint=_CALL_AGAIN)
    raise WriteInFlight(
        "this same write was made moments ago and was cut off before its answer, so it may have been applied",
        hint=f"Check with the matching list/get tool; if it is missing, {again}.",
    )


async def _entry(store: StateStore, key: str) -> dict[str, Any]:
    raw = await store.get(key)
    entry = json.loads(raw) if raw else None
    return entry if is_str_dict(entry) else {"s": "gone"}

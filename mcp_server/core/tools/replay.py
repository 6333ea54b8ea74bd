"""The retried-write guard: a write whose first answer never reached its caller, or whose outcome is uncertain,
is answered from the first call instead of being sent again.

Clients that time a call out after a few seconds retry it while the first one goes on; without this guard a
retried "create" creates twice. A record is kept per write: its tool and arguments, the upstream it went to
(base URL and a hash of the credential) and the caller. It is

- ``running`` while the first call runs, on a lease its owner renews (a process that died mid-write frees the
  write within ``LEASE`` seconds, and nobody waits on it longer);
- ``done`` with the answer when the first call's client gave up or disconnected before the answer: a retry gets
  that answer; ``delivered`` when the answer went back to its caller: only a retry already waiting for it gets
  it, a later call of the same write is sent again (the person may well mean it);
- ``unknown`` when the write may have been applied (``retry.uncertain``): a retry is told so and sends nothing
  until ``repeat: true`` says to;
- absent when the write was refused (nothing written): a retry sends it.

The guard lives in the shared state store (only ``add``, ``get``, ``set``, ``delete``), so it holds across
processes once the store does. A store failure while recording never replaces the write's own answer.
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

from mcp_server.core.call import deadline as call_time
from mcp_server.core.call.abandon import abandoned, see_through
from mcp_server.core.call.context import current
from mcp_server.core.errors import ConfigError, OutboundError, may_be_applied
from mcp_server.core.guards import is_str_dict
from mcp_server.core.state import StateStore, StateUnavailable
from mcp_server.core.tools import sent
from mcp_server.core.tools.answers import serialize
from mcp_server.core.tools.host import Host, host_of

log = logging.getLogger("outbound_mcp.replay")
REPLAY_TTL = 300.0
"""Seconds an undelivered answer or an uncertain outcome is remembered for a retry."""
DELIVERED_TTL = 60.0
"""Seconds a delivered answer is kept for a retry that was already waiting for it (it looks every
``WAIT_STEP``)."""
LEASE = 15.0
"""Seconds a running write's record lives unless its owner renews it (every ``LEASE / 3`` seconds)."""
WAIT_STEP = 0.2
"""Seconds between looks at the store while the first call of the same write is still running."""
OWN_WAIT = 30.0
"""How long a write is seen through, or a replay waits for a running first call, when the call has no time
budget of its own (inside a tool call the call's whole remaining budget applies)."""
AGAIN = "pass repeat: true with the same arguments to send it again"


def _own_limit() -> float:
    left = call_time.remaining()
    return OWN_WAIT if left is None else left


@dataclass
class WriteInFlight(OutboundError):
    """The same write is still running in another call, or its first call's outcome is uncertain."""


Write = Callable[[], Awaitable[CallToolResult]]
_CALL_AGAIN = "Call again in a few seconds with the same arguments to get its answer; nothing was sent twice."


@dataclass(frozen=True)
class Upstream:
    """Where a write goes and who sends it, as digests: never a secret."""

    account: str
    """A digest of the provider's base URL and the server's credential for it."""
    caller: str
    """The caller's principal and, when it sent its own, a digest of its credential for this provider."""


def upstream_of(host: Host, provider: str) -> Upstream:
    """The call's account and caller (``core.call.context``) for ``provider``."""
    caller = current().caller
    return Upstream(host.credential_digest(provider), f"{caller.principal()}|{caller.credential_id(provider)}")


async def once(ctx: Any, arguments: dict[str, Any], write: Write, *, repeat: bool) -> CallToolResult:
    """Run ``write``, this call's tool with ``arguments``, unless a retry of it should be answered from its first
    call (see the module's words)."""
    host = host_of(ctx)
    if host is None:
        raise ConfigError("this server keeps no state store to guard a write with")
    call = current()
    store = host.store
    key = replay_key(call.provider, call.tool, arguments, upstream_of(host, call.provider))
    if repeat:
        await store.set(key, _record("running"), ttl=LEASE)
        return await _first(store, key, write)
    # Twice: a first call that failed without writing frees its key, and this call may then write.
    for _ in range(2):
        if await store.add(key, _record("running"), ttl=LEASE):
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
            result = await _leased(store, key, write)
            settled = True
        except OutboundError as error:
            settled = True
            if may_be_applied(sent.honest(error)):  # a store failure after a write went out counts too
                await _keep(store, key, _record("unknown"), REPLAY_TTL)
            else:  # refused before or by the upstream: nothing was written, a retry may write
                await _forget(store, key)
            raise
        finally:
            if not settled:  # cut off, or a bug: the write may have reached the API
                with anyio.CancelScope(shield=True):
                    await _keep(store, key, _record("unknown"), REPLAY_TTL)
        # Whether this answer reaches its caller is known only here: a caller that gave up never sees it.
        gone = abandoned()
        record = _record("done" if gone else "delivered", answer=result.structured_content)
        await _keep(store, key, record, REPLAY_TTL if gone else DELIVERED_TTL)
        return result

    result = await see_through(settle, _own_limit())
    if result is not None:
        return result
    raise WriteInFlight(
        "the write ran past this call's time limit and may have been applied",
        hint="Check with the matching list/get tool before sending it again.",
    )


async def _leased(store: StateStore, key: str, write: Write) -> CallToolResult:
    """``write()`` while its ``running`` record is renewed; the renewal stops before the write's outcome is
    recorded, so a late renewal never overwrites it."""
    finished = anyio.Event()
    outcome: list[CallToolResult] = []
    failure: list[Exception] = []

    async def renew() -> None:
        while True:
            with anyio.move_on_after(LEASE / 3):
                await finished.wait()
            if finished.is_set():
                return
            await _keep(store, key, _record("running"), LEASE)

    async with anyio.create_task_group() as group:
        group.start_soon(renew)
        try:
            outcome.append(await write())
        except Exception as exc:  # handed to the caller below, outside the task group
            failure.append(exc)
        finally:
            finished.set()
    if failure:
        raise failure[0]
    return outcome[0]


async def _keep(store: StateStore, key: str, record: bytes, ttl: float) -> None:
    """Record a write's state; a store that fails now must not replace the write's own answer."""
    try:
        await store.set(key, record, ttl=ttl)
    except StateUnavailable as error:
        log.warning("%s: a write's state could not be recorded for retries: %s", key, error.message)


async def _forget(store: StateStore, key: str) -> None:
    try:
        await store.delete(key)
    except StateUnavailable as error:
        log.warning("%s: a refused write's record could not be removed: %s", key, error.message)


def replay_key(provider: str, tool: str, arguments: dict[str, Any], upstream: Upstream) -> str:
    """``<provider>:<account digest>:replay:<digest of tool, arguments and caller>`` (never a secret)."""
    call = pydantic_core.to_json({"t": tool, "a": arguments, "c": upstream.caller}, fallback=str)
    return f"{provider}:{upstream.account}:replay:{hashlib.sha256(call).hexdigest()[:32]}"


def _record(status: str, answer: Any = None) -> bytes:
    return json.dumps({"s": status, "at": time.time(), "a": answer}).encode()


async def _replayed(store: StateStore, key: str) -> CallToolResult | None:
    """The first call's answer when this call is its retry, waiting (within this call's budget, and only while
    the first call's owner keeps its lease) while it runs; None when this call should write."""
    entry = await _entry(store, key)
    waited = False
    with anyio.move_on_after(_own_limit()):
        while entry["s"] == "running":
            waited = True
            await anyio.sleep(WAIT_STEP)
            entry = await _entry(store, key)
    status = entry["s"]
    if status == "gone":
        return None
    if status == "delivered" and not waited:
        # Its answer reached its caller: the same write asked for now is meant, and is sent again.
        await _forget(store, key)
        return None
    if status == "done":  # now delivered: a later call of the same write is meant, and sent again
        await _keep(store, key, json.dumps({**entry, "s": "delivered"}).encode(), DELIVERED_TTL)
    if status in ("done", "delivered"):
        return _answered(entry)
    if status == "running":
        raise WriteInFlight("this same write is still running in an earlier call", hint=_CALL_AGAIN)
    ago = time.time() - float(entry.get("at", 0))
    raise WriteInFlight(
        f"nothing was sent now: this same write was made {ago:.0f} s ago and may have been applied (its first "
        "call failed after the request may have reached the API, or was cut off)",
        hint=f"Check with the matching list/get tool; if it is missing, {AGAIN}.",
    )


def _answered(entry: dict[str, Any]) -> CallToolResult:
    answer: dict[str, Any] = dict(entry.get("a") or {})
    ago = time.time() - float(entry.get("at", 0))
    note = (
        f"Replay: nothing was written again. This same write was made {ago:.0f} s ago and succeeded; its answer, "
        f"above, never reached you ({AGAIN})."
    )
    hint = answer.get("hint")
    answer["replay"] = True
    answer["hint"] = f"{note} {hint}" if isinstance(hint, str) else note
    return CallToolResult(content=[TextContent(type="text", text=serialize(answer))], structured_content=answer)


async def _entry(store: StateStore, key: str) -> dict[str, Any]:
    raw = await store.get(key)
    entry = json.loads(raw) if raw else None
    return entry if is_str_dict(entry) else {"s": "gone"}

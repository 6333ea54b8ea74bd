"""Bounds one client cannot push past: concurrent large request bodies, and open sessions per client."""

from __future__ import annotations

import time
from collections.abc import Callable

import anyio
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mcp_server.core.call.caller import SCOPE_KEY, Caller

LARGE_BODY = 256 * 1024
"""A body above this (or of unknown length) takes a slot: 4 MiB bodies, each parsed into several copies,
are what drove memory up; small calls never wait for them."""
SLOT_WAIT = 10.0
MAX_CLIENTS = 4096
"""Clients tracked before the expired ones are swept (a client that never returns is otherwise kept)."""


def _busy(message: str, retry_after: int = 1, status: int = 503) -> JSONResponse:
    body = {"jsonrpc": "2.0", "id": None, "error": {"code": -32000, "message": message}}
    return JSONResponse(body, status_code=status, headers={"Retry-After": str(retry_after)})


class LargeBodies:
    """At most ``slots`` large POST bodies are read and served at once; others wait, then get 503."""

    def __init__(self, app: ASGIApp, slots: int) -> None:
        self.app = app
        self._slots = anyio.Semaphore(slots)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length", "")
        if length.isdigit() and int(length) <= LARGE_BODY:
            await self.app(scope, receive, send)
            return
        # Only the wait for a slot is bounded: the call itself may take its whole OUTBOUND_MCP_MAX_WAIT.
        with anyio.move_on_after(SLOT_WAIT) as waited:
            await self._slots.acquire()
        if waited.cancelled_caught:
            await _busy("Too many large requests at once: retry shortly")(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()


def client_of(scope: Scope) -> str:
    """Whom a session counts against: the authenticated caller, else the peer address."""
    user = scope.get("user")
    if isinstance(user, AuthenticatedUser):
        return "user:" + (user.access_token.subject or user.access_token.client_id)
    caller = scope.get(SCOPE_KEY)
    if isinstance(caller, Caller) and caller.principal():
        return caller.principal()
    return peer_of(scope)


def peer_of(scope: Scope) -> str:
    """The address the request came from (a forwarded one only where ``FORWARDED_ALLOW_IPS`` names the proxy)."""
    peer = scope.get("client")
    return "peer:" + (str(peer[0]) if peer else "?")


PEER_SHARE = 8
"""One peer address (a host, a NAT, a proxy) holds at most this many clients' sessions: credential headers
are the caller's own claim, so sending a new key with each ``initialize`` gets no more than this."""
TOTAL_SHARE = 64
"""Sessions of every client together, in clients' worth: the table's memory is bounded whoever asks
(6,000 sessions once took a server from 79 to 408 MB)."""
_TOTAL = "*"


class SessionsPerClient:
    """Stateful mode only: a client holding ``limit`` live sessions is refused a new one (429), so one
    client's 10,000 ``initialize`` calls cannot fill the table others need; so is a peer address holding
    ``limit * PEER_SHARE``, and every new one past ``limit * TOTAL_SHARE`` in all (503). A session counts
    until it is deleted or has seen no request for ``idle`` seconds (when the SDK reaps it too)."""

    def __init__(self, app: ASGIApp, *, limit: int, idle: float, clock: Callable[[], float] = time.monotonic):
        self.app = app
        self.limit = limit
        self.idle = idle
        self._clock = clock
        self._seen: dict[str, dict[str, float]] = {}  # client, peer or _TOTAL -> session id -> last seen

    def _live(self, key: str) -> dict[str, float]:
        sessions = self._seen.get(key, {})
        cutoff = self._clock() - self.idle
        for sid in [s for s, seen in sessions.items() if seen < cutoff]:
            del sessions[sid]
        if not sessions:
            self._seen.pop(key, None)
        return sessions

    def _counted(self, scope: Scope) -> list[tuple[str, int]]:
        """The tallies a new session of this request joins, each with its bound."""
        client, peer = client_of(scope), peer_of(scope)
        tallies = [(client, self.limit), (_TOTAL, self.limit * TOTAL_SHARE)]
        return tallies if client == peer else [*tallies, (peer, self.limit * PEER_SHARE)]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tallies = self._counted(scope)
        sid = Headers(scope=scope).get("mcp-session-id")
        if sid is not None:
            for key, _ in tallies:
                sessions = self._live(key)
                if sid in sessions:
                    sessions[sid] = self._clock()
                    if scope["method"] == "DELETE":
                        del sessions[sid]
            await self.app(scope, receive, send)
            return
        if scope["method"] == "POST":
            for key, bound in tallies:
                held = len(self._live(key))
                if held >= bound:
                    await self._refuse(key, held)(scope, receive, send)
                    return
        await self.app(scope, receive, self._recording([key for key, _ in tallies], send))

    def _refuse(self, key: str, held: int) -> JSONResponse:
        if key == _TOTAL:
            return _busy(f"This server holds {held} open sessions, its most: retry later", int(self.idle))
        who = "This address" if key.startswith("peer:") else "This client"
        message = f"{who} has {held} open sessions: close one (DELETE) or reuse it"
        return _busy(message, retry_after=int(self.idle), status=429)

    def _recording(self, keys: list[str], send: Send) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                sid = Headers(raw=message.get("headers", [])).get("mcp-session-id")
                if sid:
                    for key in keys:
                        self._seen.setdefault(key, {})[sid] = self._clock()
                    if len(self._seen) > MAX_CLIENTS:
                        for other in list(self._seen):
                            self._live(other)  # forget clients whose sessions all expired
            await send(message)

        return sending

"""The ``Host`` and ``Origin`` gate, and CORS for the allowed origins: a browser client's preflight is
answered here, before any authentication (browsers send no credentials in a preflight)."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mcp_server.http.names import Allowed
from mcp_server.settings import credentials

ALLOWED_METHODS = "GET, POST, DELETE, OPTIONS"
# What a browser MCP client sends and must be able to read back (per-user credential headers included).
MCP_HEADERS = "Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Mcp-Method, Mcp-Name"
REQUEST_HEADERS = ", ".join([MCP_HEADERS, "Last-Event-ID", *(credential.header for credential in credentials())])
EXPOSED_HEADERS = "Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate, Retry-After"


class OriginGuard:
    """421 for an unlisted Host, 403 for an unlisted Origin; CORS headers and preflights for listed origins."""

    def __init__(self, app: ASGIApp, allowed: Allowed) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if len(headers.getlist("host")) > 1 or not self.allowed.host(headers.get("host")):
            await _refuse(421, "Invalid Host header: add this host with --allowed-host")(scope, receive, send)
            return
        origins = headers.getlist("origin")
        origin = origins[0] if len(origins) == 1 else None
        if origins and (origin is None or not self.allowed.origin(origin)):
            await _refuse(403, "Invalid Origin header: add this origin with --allowed-origin")(scope, receive, send)
            return
        if origin is None:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await Response(status_code=204, headers=_preflight(origin))(scope, receive, send)
            return
        await self.app(scope, receive, _with_cors(send, origin))


def _refuse(status: int, message: str) -> Response:
    return PlainTextResponse(message, status_code=status)


def _cors(origin: str) -> dict[str, str]:
    return {"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": EXPOSED_HEADERS, "Vary": "Origin"}


def _preflight(origin: str) -> dict[str, str]:
    return {
        **_cors(origin),
        "Access-Control-Allow-Methods": ALLOWED_METHODS,
        "Access-Control-Allow-Headers": REQUEST_HEADERS,
        "Access-Control-Max-Age": "600",
    }


def _with_cors(send: Send, origin: str) -> Send:
    extra = [(k.lower().encode(), v.encode()) for k, v in _cors(origin).items()]

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return sending

"""Streamable HTTP, safely: Origin/Host validation always on, and a bearer token when one is configured."""

from __future__ import annotations

import hmac

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import SecretStr
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from mcp_server.settings import _is_loopback

LOOPBACK_HOSTS = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
LOOPBACK_ORIGINS = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]


class BearerAuth:
    """Every HTTP request must carry ``Authorization: Bearer <token>``."""

    def __init__(self, app: ASGIApp, token: SecretStr) -> None:
        self.app = app
        self._expected = f"Bearer {token.get_secret_value()}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            given = dict(scope.get("headers", [])).get(b"authorization", b"")
            if not hmac.compare_digest(given, self._expected):
                response = JSONResponse(
                    {"error": "unauthorized", "message": "missing or wrong bearer token"},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="outbound-mcp"'},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def security_for(host: str, port: int, allowed_origins: list[str]) -> TransportSecuritySettings:
    hosts = list(LOOPBACK_HOSTS)
    if not _is_loopback(host):
        hosts += [f"{host}:{port}", host]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=hosts,
        allowed_origins=[*LOOPBACK_ORIGINS, *allowed_origins],
    )


def build_http_app(
    server: MCPServer,  # type: ignore[type-arg]
    *,
    host: str,
    port: int,
    token: SecretStr | None,
    allowed_origins: list[str] | None = None,
) -> ASGIApp:
    app: ASGIApp = server.streamable_http_app(
        host=host, transport_security=security_for(host, port, allowed_origins or [])
    )
    return BearerAuth(app, token) if token is not None else app

"""Who may call: the shared bearer token, or (OAuth resource-server mode) a JWT from the configured issuer.
One ``Authorization`` header exactly; the scheme is case-insensitive (RFC 9110 §11.1)."""

from __future__ import annotations

import hmac
import json

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import TokenVerifier
from pydantic import SecretStr
from starlette.authentication import AuthCredentials
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send


def bearer_of(headers: Headers) -> tuple[str | None, str]:
    """The bearer credential, or None with the reason it is refused."""
    values = headers.getlist("authorization")
    if not values:
        return None, "Authentication required: send Authorization: Bearer <token>"
    if len(values) > 1:
        return None, "Send exactly one Authorization header"
    scheme, _, credential = values[0].strip().partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        return None, "Use the Bearer scheme: Authorization: Bearer <token>"
    return credential.strip(), ""


class CallerAuth:
    """Refuses unauthenticated HTTP requests with 401 and ``WWW-Authenticate``; with a verifier, puts the
    SDK's ``AuthenticatedUser`` in the scope (the SDK binds each session to it)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: SecretStr | None = None,
        verifier: TokenVerifier | None = None,
        metadata_url: str | None = None,
        scopes: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self._token = token.get_secret_value().encode() if token is not None else None
        self._verifier = verifier
        self._metadata_url = metadata_url
        self._scopes = scopes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        credential, reason = bearer_of(Headers(scope=scope))
        if credential is None:
            await self._refuse(send, 400 if "exactly one" in reason else 401, "invalid_request", reason)
            return
        if self._verifier is None:
            if self._token is not None and not hmac.compare_digest(credential.encode(), self._token):
                await self._refuse(send, 401, "invalid_token", "Wrong bearer token")
                return
            await self.app(scope, receive, send)
            return
        access = await self._verifier.verify_token(credential)
        if access is None:
            await self._refuse(
                send, 401, "invalid_token", "The access token is invalid, expired or not for this server"
            )
            return
        missing = [s for s in self._scopes if s not in access.scopes]
        if missing:
            await self._refuse(send, 403, "insufficient_scope", f"Required scope: {' '.join(missing)}")
            return
        scope["user"] = AuthenticatedUser(access)
        scope["auth"] = AuthCredentials(access.scopes)
        await self.app(scope, receive, send)

    async def _refuse(self, send: Send, status: int, error: str, description: str) -> None:
        parts = ['realm="outbound-mcp"', f'error="{error}"', f'error_description="{description}"']
        if self._metadata_url:
            parts.append(f'resource_metadata="{self._metadata_url}"')
        body = json.dumps({"error": error, "error_description": description}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"www-authenticate", ("Bearer " + ", ".join(parts)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

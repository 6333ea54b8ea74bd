"""Per-user provider credentials in request headers: parsed and checked once per request, handed to the
tools through the ASGI scope (``core.caller``), never logged, echoed or stored in clear."""

from __future__ import annotations

from typing import Literal

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from mcp_server.core.call.caller import SCOPE_KEY, Caller
from mcp_server.described import Credential
from mcp_server.settings import BY_NAME, DESCRIBED

UserCredentialsMode = Literal["off", "allow", "require"]

# header -> (provider, credential)
HEADERS: dict[str, tuple[str, Credential]] = {
    credential.header.lower(): (described.name, credential)
    for described in DESCRIBED
    for credential in described.credentials
}
_MAX_VALUE = 4096
_MIN_SECRET = 12


def _incomplete(provider: str, fields: set[str]) -> str | None:
    """What is missing from one provider's header set, or None when it is complete: one whole login, and
    no part of another given alone (a username without its password)."""
    described = BY_NAME[provider]
    partial = any(0 < len(fields & set(part)) < len(part) for part in described.parts)
    if partial or not described.complete(lambda field: field in fields):
        return f"{described.label} needs {described.headers_needed}"
    return None


def caller_from(headers: Headers, user: object) -> tuple[Caller | None, str]:
    """The request's caller, or None with what to fix."""
    found: dict[str, dict[str, str]] = {}
    for name, (provider, credential) in HEADERS.items():
        values = headers.getlist(name)
        if not values:
            continue
        if len(values) > 1 or not values[0].strip() or len(values[0]) > _MAX_VALUE:
            return None, f"Send one non-empty {name} header"
        if credential.secret and len(values[0].strip()) < _MIN_SECRET:
            # Every value is masked in all output and logs: a short one could be an ordinary word.
            return None, f"{name} is too short to be a credential (at least {_MIN_SECRET} characters)"
        found.setdefault(provider, {})[credential.field] = values[0].strip()
    for provider, values in found.items():
        problem = _incomplete(provider, set(values))
        if problem:
            return None, problem
    subject = ""
    if isinstance(user, AuthenticatedUser):
        token = user.access_token
        subject = f"{(token.claims or {}).get('iss', '')}|{token.subject or token.client_id}"
    return Caller(subject=subject, credentials=found), ""


class UserCredentials:
    """Puts the ``Caller`` in the scope; 400 for malformed credential headers, or any when ``mode`` is off."""

    def __init__(self, app: ASGIApp, mode: UserCredentialsMode) -> None:
        self.app = app
        self.mode = mode

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        caller, problem = caller_from(Headers(scope=scope), scope.get("user"))
        if caller is not None and caller.credentials and self.mode == "off":
            caller, problem = None, "This server does not accept per-user credentials: remove the X-... headers"
        if caller is None:
            body = {"error": "invalid_request", "error_description": problem}
            await JSONResponse(body, status_code=400)(scope, receive, send)
            return
        scope[SCOPE_KEY] = caller
        await self.app(scope, receive, send)

"""Per-user provider credentials in request headers: parsed and checked once per request, handed to the
tools through the ASGI scope (``core.caller``), never logged, echoed or stored in clear."""

from __future__ import annotations

from typing import Literal

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from mcp_server.core.caller import SCOPE_KEY, Caller
from mcp_server.core.redact import REDACTOR

UserCredentialsMode = Literal["off", "allow", "require"]

# header -> (provider, settings field)
HEADERS: dict[str, tuple[str, str]] = {
    "x-persistiq-key": ("persistiq", "persistiq_api_key"),
    "x-snov-client-id": ("snov", "snov_client_id"),
    "x-snov-client-secret": ("snov", "snov_client_secret"),
    "x-epixel-api-key": ("epixel", "epixel_api_key"),
    "x-epixel-access-token": ("epixel", "epixel_access_token"),
    "x-epixel-username": ("epixel", "epixel_username"),
    "x-epixel-password": ("epixel", "epixel_password"),
}
_MAX_VALUE = 4096
_MIN_SECRET = 12


def _incomplete(provider: str, fields: set[str]) -> str | None:
    """What is missing from one provider's header set, or None when it is complete."""
    if provider == "snov" and fields != {"snov_client_id", "snov_client_secret"}:
        return "Snov.io needs both X-Snov-Client-Id and X-Snov-Client-Secret"
    if provider == "epixel":
        login = {"epixel_username", "epixel_password"}
        has_login = "epixel_access_token" in fields or login <= fields
        if "epixel_api_key" not in fields or not has_login or len(fields & login) == 1:
            return "Epixel needs X-Epixel-Api-Key and X-Epixel-Access-Token or X-Epixel-Username + X-Epixel-Password"
    return None


def caller_from(headers: Headers, user: object) -> tuple[Caller | None, str]:
    """The request's caller, or None with what to fix."""
    found: dict[str, dict[str, str]] = {}
    for name, (provider, setting) in HEADERS.items():
        values = headers.getlist(name)
        if not values:
            continue
        if len(values) > 1 or not values[0].strip() or len(values[0]) > _MAX_VALUE:
            return None, f"Send one non-empty {name} header"
        if setting != "epixel_username" and len(values[0].strip()) < _MIN_SECRET:
            # Every value is masked in all output and logs: a short one could be an ordinary word.
            return None, f"{name} is too short to be a credential (at least {_MIN_SECRET} characters)"
        found.setdefault(provider, {})[setting] = values[0].strip()
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
        for secret in caller.secrets():
            REDACTOR.add(secret)
        scope[SCOPE_KEY] = caller
        await self.app(scope, receive, send)

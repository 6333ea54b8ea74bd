"""Epixel's service: ``apikey`` header plus a Bearer access token (fixed, or from login and renewed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from mcp.server.mcpserver import Context
from pydantic import SecretStr

from mcp_server.core.auth import Fetch, Token, TokenAuth
from mcp_server.core.budget import WindowBudget
from mcp_server.core.errors import ApiError, OutboundError
from mcp_server.core.http import ApiClient, ApiResponse
from mcp_server.core.provider import service_of
from mcp_server.core.upstream_errors import field_errors
from mcp_server.settings import Settings

LABEL = "Epixel"
LOGIN_PATH = "user/login/"
REFRESH_PATH = "user/token/refresh/"
# The API documents no limit; this keeps one server polite to a customer's own host.
RATE_LIMIT = 120


def unwrap(response: ApiResponse) -> Any:
    """``{"status_code", "errors", "data"}`` -> ``data``; errors inside a 2xx envelope become ``ApiError``."""
    body = response.data
    if not isinstance(body, dict) or "data" not in body or not ({"status_code", "errors"} & body.keys()):
        return body
    errors = body.get("errors")
    status = body.get("status_code")
    failed = isinstance(status, int) and status >= 400
    if errors or failed:
        fields = field_errors(errors) if isinstance(errors, dict) else {}
        message = errors if isinstance(errors, str) else "the request was refused"
        if isinstance(errors, dict) and not fields:
            message = str(errors)[:500]
        raise ApiError(
            f"the API answered {status if isinstance(status, int) else response.status}: {message}",
            provider=LABEL,
            status=status if isinstance(status, int) else response.status,
            field_errors=fields,
        )
    return body["data"]


def _tokens(data: Any) -> tuple[str, str | None]:
    if isinstance(data, dict) and isinstance(data.get("access"), str):
        return data["access"], data.get("refresh") if isinstance(data.get("refresh"), str) else None
    raise ApiError("the login answered without an access token", provider=LABEL, status=200)


def token_fetcher(api_key: SecretStr, username: str | None, password: SecretStr | None) -> Fetch:
    """Refresh with the refresh token when there is one; otherwise (or if that fails) log in again."""

    async def fetch(client: ApiClient, deadline: float, previous: Token | None) -> Token:
        headers = {"apikey": api_key.get_secret_value()}
        if previous is not None and previous.refresh:
            try:
                response = await client.request(
                    "POST",
                    REFRESH_PATH,
                    data={"refresh": previous.refresh},
                    deadline=deadline,
                    idempotent=True,
                    authenticated=False,
                    headers=headers,
                )
                access, _ = _tokens(response.data)
                return Token(access, refresh=previous.refresh)
            except OutboundError:
                pass  # an expired or unsupported refresh: log in again below
        if username is None or password is None:
            raise ApiError(
                "the access token was refused",
                provider=LABEL,
                status=401,
                hint="EPIXEL_ACCESS_TOKEN has expired: ask the user to set a fresh one, "
                "or EPIXEL_USERNAME and EPIXEL_PASSWORD so the server can log in itself.",
            )
        response = await client.request(
            "POST",
            LOGIN_PATH,
            data={"username": username, "password": password.get_secret_value()},
            deadline=deadline,
            idempotent=True,
            authenticated=False,
            headers=headers,
        )
        access, refresh = _tokens(response.data)
        return Token(access, refresh=refresh)

    return fetch


@dataclass
class Epixel:
    api: ApiClient


def open_service(settings: Settings, http: httpx.AsyncClient) -> Epixel:
    assert settings.epixel_base_url is not None and settings.epixel_api_key is not None
    auth = TokenAuth(
        token_fetcher(settings.epixel_api_key, settings.epixel_username, settings.epixel_password),
        static={"apikey": settings.epixel_api_key},
        initial=settings.epixel_access_token,
    )
    api = ApiClient(
        provider=LABEL,
        base_url=settings.epixel_base_url,
        auth=auth,
        budget=WindowBudget(RATE_LIMIT, settings.rate_window, provider=LABEL),
        http=http,
        check=unwrap,
    )
    return Epixel(api)


def epixel(ctx: Context) -> Epixel:
    return service_of(ctx, "epixel", Epixel)

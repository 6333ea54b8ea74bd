"""Auth hooks: a fixed header, or a token obtained, cached and renewed once on 401 (single-flight)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio
from pydantic import SecretStr

from mcp_server.core.http import ApiClient
from mcp_server.core.redact import REDACTOR


class HeaderAuth:
    """Static headers, e.g. PersistIQ's ``x-api-key``."""

    def __init__(self, headers: dict[str, SecretStr]) -> None:
        self._headers = headers

    async def headers(self, client: ApiClient, deadline: float) -> dict[str, str]:
        return {name: value.get_secret_value() for name, value in self._headers.items()}

    async def renew(self, client: ApiClient, rejected: dict[str, str], deadline: float) -> bool:
        return False


@dataclass
class Token:
    value: str
    expires_at: float | None = None
    """Epoch seconds; None when the API does not say."""
    refresh: str | None = None


Fetch = Callable[[ApiClient, float, "Token | None"], Awaitable[Token]]
"""Obtains a token; gets the previous one (for a refresh grant) or None."""


class TokenAuth:
    """A bearer token fetched on first use, cached until shortly before expiry, renewed once on 401.

    One fetch serves every call waiting for it, however many start at once.
    """

    def __init__(
        self,
        fetch: Fetch,
        *,
        static: dict[str, SecretStr] | None = None,
        initial: SecretStr | None = None,
        early: float = 60.0,
    ) -> None:
        self._fetch = fetch
        self._static = static or {}
        self._token = Token(initial.get_secret_value()) if initial else None
        self._early = early
        self._lock = anyio.Lock()
        self.fetches = 0

    def _valid(self, client: ApiClient) -> bool:
        token = self._token
        if token is None:
            return False
        return token.expires_at is None or client.clock() < token.expires_at - self._early

    async def _obtain(self, client: ApiClient, deadline: float) -> Token:
        previous = self._token
        self._token = None
        self.fetches += 1
        token = await self._fetch(client, deadline, previous)
        for secret in (token.value, token.refresh):
            if secret:
                REDACTOR.add(secret)
        self._token = token
        return token

    async def headers(self, client: ApiClient, deadline: float) -> dict[str, str]:
        if not self._valid(client):
            async with self._lock:
                if not self._valid(client):
                    await self._obtain(client, deadline)
        assert self._token is not None
        out = {name: value.get_secret_value() for name, value in self._static.items()}
        out["Authorization"] = f"Bearer {self._token.value}"
        return out

    async def renew(self, client: ApiClient, rejected: dict[str, str], deadline: float) -> bool:
        async with self._lock:
            current = self._token
            if current is not None and rejected.get("Authorization") != f"Bearer {current.value}":
                return True  # another call already renewed it
            await self._obtain(client, deadline)
        return True

"""Auth hooks: a fixed header, or a token obtained, cached and renewed once on 401 (single-flight).

A token may also be cached in the state store (``TokenCache``), so a new process reuses it instead of
logging in again; only in a store that protects secrets at rest."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass

import anyio
from pydantic import SecretStr

from mcp_server.core.guards import is_json_object
from mcp_server.core.redact import REDACTOR
from mcp_server.core.state import StateStore
from mcp_server.core.upstream.client import ApiClient

NO_EXPIRY_TTL = 3600.0
"""Seconds a token whose lifetime the API does not state is shared (a 401 renews it sooner)."""


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


@dataclass
class TokenCache:
    """A token shared through the state store under ``key`` (a hash of the account, never a secret)."""

    store: StateStore
    key: str

    @classmethod
    def of(cls, store: StateStore, key: str) -> TokenCache | None:
        """None where the store would keep the token unprotected (a Redis without credentials)."""
        return cls(store, key) if store.protected else None

    async def load(self) -> Token | None:
        raw = await self.store.get(self.key)
        try:
            data = json.loads(raw) if raw else None
            token = Token(**data) if is_json_object(data) else None
        except (ValueError, TypeError):
            return None  # a record from another version: fetch a new token
        return token

    async def save(self, token: Token, now: float) -> None:
        ttl = NO_EXPIRY_TTL if token.expires_at is None else token.expires_at - now
        if ttl > 0:
            await self.store.set(self.key, json.dumps(asdict(token)).encode(), ttl)


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
        cache: TokenCache | None = None,
    ) -> None:
        self._fetch = fetch
        self._cache = cache
        self._static = static or {}
        self._token = Token(initial.get_secret_value()) if initial else None
        self._early = early
        self._lock = anyio.Lock()
        self.fetches = 0
        self._per_caller = REDACTOR.in_caller()
        """Made for one caller's own credentials (a per-user service): its tokens are masked in that caller's
        calls, not added to the process-wide redactor for good."""
        if self._token is not None:
            self._remember(self._token)

    def _remember(self, token: Token) -> None:
        for secret in (token.value, token.refresh):
            if secret:
                (REDACTOR.add_for_caller if self._per_caller else REDACTOR.add)(secret)

    def _valid(self, client: ApiClient, token: Token | None = None) -> bool:
        token = token or self._token
        if token is None:
            return False
        return token.expires_at is None or client.clock() < token.expires_at - self._early

    async def _shared(self, client: ApiClient, rejected: str | None = None) -> bool:
        """Take the token another process cached, when it is still good and not the one just refused."""
        token = await self._cache.load() if self._cache else None
        if token is None or token.value == rejected or not self._valid(client, token):
            return False
        self._remember(token)
        self._token = token
        return True

    async def _obtain(self, client: ApiClient, deadline: float) -> Token:
        previous = self._token
        self._token = None
        self.fetches += 1
        token = await self._fetch(client, deadline, previous)
        self._remember(token)
        self._token = token
        if self._cache is not None:
            await self._cache.save(token, client.clock())
        return token

    async def headers(self, client: ApiClient, deadline: float) -> dict[str, str]:
        if not self._valid(client):
            async with self._lock:
                if not self._valid(client) and not await self._shared(client):
                    await self._obtain(client, deadline)
        assert self._token is not None
        if self._per_caller:  # the caller's cached redactor may have been rebuilt since the token came
            self._remember(self._token)
        out = {name: value.get_secret_value() for name, value in self._static.items()}
        out["Authorization"] = f"Bearer {self._token.value}"
        return out

    async def renew(self, client: ApiClient, rejected: dict[str, str], deadline: float) -> bool:
        async with self._lock:
            current = self._token
            if current is not None and rejected.get("Authorization") != f"Bearer {current.value}":
                return True  # another call already renewed it
            refused = current.value if current is not None else None
            if not await self._shared(client, rejected=refused):  # another process may have renewed it
                await self._obtain(client, deadline)
        return True

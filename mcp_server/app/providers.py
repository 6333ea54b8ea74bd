"""What a provider declares (its tools and how to open its client), and how tools reach that client."""

from __future__ import annotations

import functools
import hashlib
import secrets
import ssl
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, TypeVar

import httpx
from pydantic import SecretStr

from mcp_server import __version__
from mcp_server.core.call.caller import LOCAL, Caller
from mcp_server.core.call.context import current
from mcp_server.core.call.request import request_of
from mcp_server.core.errors import ConfigError
from mcp_server.core.state import StateStore
from mcp_server.core.state.memory import MemoryStore
from mcp_server.core.tools.host import Policy
from mcp_server.core.tools.registry import Toolset
from mcp_server.described import Described
from mcp_server.settings import DESCRIBED, Settings

S = TypeVar("S")
IDENTITY_SETTINGS = ("_base_url", "_username")
"""Besides the secrets, the settings that say whose account a handle belongs to."""
USER_SERVICES = 256
"""Services opened for per-user credentials kept at once (each holds its own budget and token cache)."""


@dataclass(frozen=True)
class ProviderDef:
    name: str
    label: str
    toolset: Toolset
    open: Callable[[Settings, httpx.AsyncClient, StateStore], Any]
    """Builds the provider's service (its ``ApiClient`` and any per-process state) over one HTTP client and
    the server's state store (budgets, credits, tokens shared with other processes)."""
    needs: str
    """The variables to set, for the error when a tool of an unconfigured provider is called."""

    @classmethod
    def of(
        cls, described: Described, toolset: Toolset, open: Callable[[Settings, httpx.AsyncClient, StateStore], Any]
    ) -> ProviderDef:
        """A provider as its settings describe it (``providers/<name>/settings.py``), with its tools and how to
        open its client."""
        return cls(described.name, described.label, toolset, open, described.needs)


# The settings fields a per-user credential set replaces in full (no server value mixes in).
PROVIDER_FIELDS = {described.name: described.fields for described in DESCRIBED}
USER_HEADERS = {described.name: described.headers_needed for described in DESCRIBED}


class AppState:
    """The lifespan's state: one opened service per configured provider (the core's ``Host``)."""

    def __init__(
        self,
        settings: Settings,
        services: dict[str, Any],
        labels: dict[str, tuple[str, str]],
        transports: Mapping[str, LazyTransport] | None = None,
        store: StateStore | None = None,
        handle_key: bytes | None = None,
        openers: Mapping[str, Callable[[Settings], Any]] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.policy = Policy(
            confirm=frozenset(settings.outbound_mcp_confirm),
            unconfirmed=settings.outbound_mcp_unconfirmed,
            max_wait=settings.outbound_mcp_max_wait,
        )
        self.clock = clock
        """The time confirmation tokens are made and checked on (tests inject theirs)."""
        self.services = services
        self._labels = labels
        self._transports = transports or {}
        self.store: StateStore = store if store is not None else MemoryStore()
        self._digests: dict[str, str] = {}
        self.handle_key: bytes = handle_key or secrets.token_bytes(32)
        """Signs cursors and handles. Random per process; a shared store may set one key for every replica
        so that a handle made by one resumes on another."""
        self._openers: Mapping[str, Callable[[Settings], Any]] = openers or {}
        self._user_services: OrderedDict[tuple[str, str], Any] = OrderedDict()

    def credential_digest(self, provider: str) -> str:
        """A short digest of the provider's configured credentials and base URL: a handle made under one
        credential does not resume under another."""
        digest = self._digests.get(provider)
        if digest is None:
            values = [
                value.get_secret_value() if isinstance(value, SecretStr) else str(value)
                for name, value in sorted(vars(self.settings).items())
                if name.startswith(f"{provider}_")
                and (isinstance(value, SecretStr) or name.endswith(IDENTITY_SETTINGS))
            ]
            digest = self._digests[provider] = hashlib.sha256("\n".join(values).encode()).hexdigest()[:16]
        return digest

    def service(self, provider: str, kind: type[S], caller: Caller = LOCAL) -> S:
        # A tool reaches for its service before any request: the HTTP stack is made here, so its cost
        # falls before the first rate-budget slot is taken, never between a slot and its request.
        transport = self._transports.get(provider)
        if transport is not None:
            transport.open()
        if caller.credentials.get(provider):
            service = self._user_service(provider, caller)
            assert isinstance(service, kind)
            return service
        if caller is not LOCAL and self.settings.outbound_mcp_user_credentials == "require":
            label, _ = self._labels.get(provider, (provider, ""))
            raise ConfigError(
                f"This server uses only each user's own {label} credentials, and this request carried none",
                provider=label,
                hint=f"Ask the user to configure their client to send {USER_HEADERS.get(provider, 'them')}.",
            )
        service = self.services.get(provider)
        if service is None:
            label, needs = self._labels.get(provider, (provider, "its credentials"))
            raise ConfigError(
                f"{label} is not configured on this server",
                provider=label,
                hint=f"Ask the user to set {needs} and restart the server.",
            )
        assert isinstance(service, kind)
        return service

    def _user_service(self, provider: str, caller: Caller) -> Any:
        """A service over the caller's own credentials, cached by their digest (LRU, ``USER_SERVICES``)."""
        key = (provider, caller.credential_id(provider))
        service = self._user_services.get(key)
        if service is not None:
            self._user_services.move_to_end(key)
            return service
        opener = self._openers.get(provider)
        if opener is None:
            label, _ = self._labels.get(provider, (provider, ""))
            raise ConfigError(f"{label} is not enabled on this server", provider=label)
        fields = dict.fromkeys(PROVIDER_FIELDS.get(provider, ()))
        fields.update(caller.credentials[provider])
        update = {k: (v if v is None or k.endswith("username") else SecretStr(v)) for k, v in fields.items()}
        service = opener(self.settings.model_copy(update=update))
        self._user_services[key] = service
        if len(self._user_services) > USER_SERVICES:
            self._user_services.popitem(last=False)
        return service


def service_of(ctx: Any, provider: str, kind: type[S]) -> S:
    """The provider's service for the tool call ``ctx`` belongs to (its caller's own credentials, if sent)."""
    return state_of(ctx).service(provider, kind, current().caller)


def state_of(ctx: Any) -> AppState:
    state = (request_of(ctx) or ctx.request_context).lifespan_context
    assert isinstance(state, AppState)
    return state


def new_http_client(settings: Settings, transport: LazyTransport) -> httpx.AsyncClient:
    """One pooled client per provider, no redirects (a redirect could carry a credential elsewhere), no
    cookie jar: the client is shared by every user's credentials, and a session cookie one user's login
    set must never go out with another's request."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.http_timeout, connect=10.0),
        transport=transport,
        follow_redirects=False,
        cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
        headers={"User-Agent": f"outbound-mcp/{__version__}", "Accept": "application/json"},
    )


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every provider's client: loading the CA bundle takes ~20 ms each time."""
    return httpx.create_ssl_context()


class LazyTransport(httpx.AsyncBaseTransport):
    """A pooled transport made on first use (``open``), not at start-up: importing httpcore and loading
    the CA bundle take ~40 ms that process start to tools/list need not pay."""

    def __init__(self) -> None:
        self._inner: httpx.AsyncHTTPTransport | None = None

    def open(self) -> httpx.AsyncHTTPTransport:
        if self._inner is None:
            self._inner = httpx.AsyncHTTPTransport(
                verify=tls_context(), limits=httpx.Limits(max_connections=50, max_keepalive_connections=20)
            )
        return self._inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.open().handle_async_request(request)

    async def aclose(self) -> None:
        if self._inner is not None:
            await self._inner.aclose()

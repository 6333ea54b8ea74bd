"""What a provider declares (its tools and how to open its client), and how tools reach that client."""

from __future__ import annotations

import functools
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from mcp_server import __version__
from mcp_server.core.errors import ConfigError
from mcp_server.core.state import StateStore
from mcp_server.core.state.memory import MemoryStore
from mcp_server.settings import Settings

if TYPE_CHECKING:  # the tool wrapper (tooling) reads states through this module: no import back at runtime
    from mcp_server.core.tooling import Toolset

S = TypeVar("S")


@dataclass(frozen=True)
class ProviderDef:
    name: str
    label: str
    toolset: Toolset
    open: Callable[[Settings, httpx.AsyncClient], Any]
    """Builds the provider's service (its ``ApiClient`` and any per-process state) over one HTTP client."""
    needs: str
    """The variables to set, for the error when a tool of an unconfigured provider is called."""


class AppState:
    """The lifespan's state: one opened service per configured provider."""

    def __init__(
        self,
        settings: Settings,
        services: dict[str, Any],
        labels: dict[str, tuple[str, str]],
        transports: Mapping[str, LazyTransport] | None = None,
        store: StateStore | None = None,
    ) -> None:
        self.settings = settings
        self.services = services
        self._labels = labels
        self._transports = transports or {}
        self.store: StateStore = store if store is not None else MemoryStore()

    def service(self, provider: str, kind: type[S]) -> S:
        # A tool reaches for its service before any request: the HTTP stack is made here, so its cost
        # falls before the first rate-budget slot is taken, never between a slot and its request.
        transport = self._transports.get(provider)
        if transport is not None:
            transport.open()
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


def service_of(ctx: Any, provider: str, kind: type[S]) -> S:
    """The provider's service for the tool call ``ctx`` belongs to."""
    return state_of(ctx).service(provider, kind)


def state_of(ctx: Any) -> AppState:
    state = ctx.request_context.lifespan_context
    assert isinstance(state, AppState)
    return state


def principal_of(ctx: Any) -> str:
    """Who is calling, for binding handles, cursors and replays to their caller: "" while every caller
    shares the server's own credentials (one local user); an authenticated caller's stable id otherwise."""
    del ctx
    return ""


def new_http_client(settings: Settings, transport: LazyTransport) -> httpx.AsyncClient:
    """One pooled client per provider, no redirects (a redirect could carry a credential elsewhere)."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.http_timeout, connect=10.0),
        transport=transport,
        follow_redirects=False,
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

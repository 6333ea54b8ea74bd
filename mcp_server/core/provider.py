"""What a provider declares (its tools and how to open its client), and how tools reach that client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from mcp_server import __version__
from mcp_server.core.errors import ConfigError
from mcp_server.core.tooling import Toolset
from mcp_server.settings import Settings

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

    def __init__(self, settings: Settings, services: dict[str, Any], labels: dict[str, tuple[str, str]]) -> None:
        self.settings = settings
        self.services = services
        self._labels = labels

    def service(self, provider: str, kind: type[S]) -> S:
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
    state = ctx.request_context.lifespan_context
    assert isinstance(state, AppState)
    return state.service(provider, kind)


def new_http_client(settings: Settings) -> httpx.AsyncClient:
    """One pooled client per provider, no redirects (a redirect could carry a credential elsewhere)."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.http_timeout, connect=10.0),
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
        follow_redirects=False,
        headers={"User-Agent": f"outbound-mcp/{__version__}", "Accept": "application/json"},
    )

"""Every provider the server can serve, in catalogue order: the settings name them (``Settings``' bases, the one
list of providers), and each one's ``providers/<name>/provider.py`` declares its tools."""

from __future__ import annotations

from importlib import import_module

from mcp_server.app.providers import ProviderDef
from mcp_server.settings import PROVIDERS


def _declared(name: str) -> ProviderDef:
    provider: object = getattr(import_module(f"mcp_server.providers.{name}.provider"), "PROVIDER", None)
    if not isinstance(provider, ProviderDef) or provider.name != name:
        raise TypeError(f"mcp_server/providers/{name}/provider.py must declare PROVIDER, a ProviderDef named {name}")
    return provider


ALL_PROVIDERS: tuple[ProviderDef, ...] = tuple(_declared(name) for name in PROVIDERS)

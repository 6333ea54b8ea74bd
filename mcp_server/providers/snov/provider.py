"""Snov.io: its tools, in catalogue order, and how to open its client (its settings: ``settings.py``)."""

from mcp_server.app.providers import ProviderDef
from mcp_server.core.tools.registry import Toolset
from mcp_server.providers.snov import account, campaigns, finder, profiles, prospects, search, verifier, webhooks
from mcp_server.providers.snov.client import open_service
from mcp_server.providers.snov.settings import SnovSettings

TOOLS = Toolset.joined(
    "snov",
    account.toolset,
    campaigns.toolset,
    finder.toolset,
    profiles.toolset,
    prospects.toolset,
    search.toolset,
    verifier.toolset,
    webhooks.toolset,
)
"""Every Snov.io tool, in catalogue order: a tool module not listed here serves no tool."""

PROVIDER = ProviderDef.of(SnovSettings.described, TOOLS, open_service)

"""Snov.io: domain search, finder, verifier, prospect lists, campaigns, webhooks."""

from mcp_server import described
from mcp_server.app.providers import ProviderDef
from mcp_server.core.tools.registry import Toolset
from mcp_server.providers.snov import account, campaigns, finder, profiles, prospects, search, verifier, webhooks
from mcp_server.providers.snov.client import open_service

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

PROVIDER = ProviderDef.of(described.SNOV, TOOLS, open_service)

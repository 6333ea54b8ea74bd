"""PersistIQ: leads, campaigns, events, do-not-contact domains."""

from mcp_server import described
from mcp_server.app.providers import ProviderDef
from mcp_server.core.tools.registry import Toolset
from mcp_server.providers.persistiq import campaigns, dnc, events, leads
from mcp_server.providers.persistiq.client import open_service

TOOLS = Toolset.joined("persistiq", campaigns.toolset, dnc.toolset, events.toolset, leads.toolset)
"""Every PersistIQ tool, in catalogue order: a tool module not listed here serves no tool."""

PROVIDER = ProviderDef.of(described.PERSISTIQ, TOOLS, open_service)

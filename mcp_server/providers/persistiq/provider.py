"""PersistIQ: its tools, in catalogue order, and how to open its client (its settings: ``settings.py``)."""

from mcp_server.app.providers import ProviderDef
from mcp_server.core.tools.registry import Toolset
from mcp_server.providers.persistiq import campaigns, dnc, events, leads
from mcp_server.providers.persistiq.client import open_service
from mcp_server.providers.persistiq.settings import PersistIQSettings

TOOLS = Toolset.joined("persistiq", campaigns.toolset, dnc.toolset, events.toolset, leads.toolset)
"""Every PersistIQ tool, in catalogue order: a tool module not listed here serves no tool."""

PROVIDER = ProviderDef.of(PersistIQSettings.described, TOOLS, open_service)

"""Epixel Leads & CRM: its tools, in catalogue order, and how to open its client (its settings: ``settings.py``)."""

from mcp_server.app.providers import ProviderDef
from mcp_server.core.tools.registry import Toolset
from mcp_server.providers.epixel import appointments, leads, notes
from mcp_server.providers.epixel.client import open_service
from mcp_server.providers.epixel.settings import EpixelSettings

TOOLS = Toolset.joined("epixel", appointments.toolset, leads.toolset, notes.toolset)
"""Every Epixel tool, in catalogue order: a tool module not listed here serves no tool."""

PROVIDER = ProviderDef.of(EpixelSettings.described, TOOLS, open_service)

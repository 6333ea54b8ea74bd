"""Epixel Leads & CRM: leads, appointments, notes."""

from mcp_server import described
from mcp_server.app.providers import ProviderDef
from mcp_server.core.tools.registry import Toolset
from mcp_server.providers.epixel import appointments, leads, notes
from mcp_server.providers.epixel.client import open_service

TOOLS = Toolset.joined("epixel", appointments.toolset, leads.toolset, notes.toolset)
"""Every Epixel tool, in catalogue order: a tool module not listed here serves no tool."""

PROVIDER = ProviderDef.of(described.EPIXEL, TOOLS, open_service)

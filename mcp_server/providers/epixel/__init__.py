"""Epixel Leads & CRM: leads, appointments, notes."""

from mcp_server.core.provider import ProviderDef
from mcp_server.core.tooling import Toolset
from mcp_server.providers.epixel import appointments, leads, notes
from mcp_server.providers.epixel.client import open_service

TOOLS = Toolset.joined("epixel", appointments.toolset, leads.toolset, notes.toolset)
"""Every Epixel tool, in catalogue order: a tool module not listed here serves no tool."""

PROVIDER = ProviderDef(
    "epixel",
    "Epixel Leads & CRM",
    TOOLS,
    open_service,
    needs="EPIXEL_BASE_URL, EPIXEL_API_KEY and EPIXEL_ACCESS_TOKEN or EPIXEL_USERNAME + EPIXEL_PASSWORD",
)

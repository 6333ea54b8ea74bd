"""Epixel Leads & CRM: leads, appointments, notes."""

from mcp_server.core.provider import ProviderDef
from mcp_server.providers.epixel import (  # noqa: F401  (importing registers the tools)
    appointments,
    leads,
    notes,
)
from mcp_server.providers.epixel.client import open_service
from mcp_server.providers.epixel.toolset import toolset

PROVIDER = ProviderDef(
    "epixel",
    "Epixel Leads & CRM",
    toolset,
    open_service,
    needs="EPIXEL_BASE_URL, EPIXEL_API_KEY and EPIXEL_ACCESS_TOKEN or EPIXEL_USERNAME + EPIXEL_PASSWORD",
)

"""Epixel Leads & CRM: leads, appointments, notes."""

from typing import Any

import httpx

from mcp_server.core.provider import ProviderDef
from mcp_server.providers.epixel.tools import toolset
from mcp_server.settings import Settings


def open_service(settings: Settings, http: httpx.AsyncClient) -> Any:
    raise NotImplementedError


PROVIDER = ProviderDef(
    "epixel",
    "Epixel Leads & CRM",
    toolset,
    open_service,
    needs="EPIXEL_BASE_URL, EPIXEL_API_KEY and EPIXEL_ACCESS_TOKEN or EPIXEL_USERNAME + EPIXEL_PASSWORD",
)

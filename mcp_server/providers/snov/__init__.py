"""Snov.io: domain search, email finder and verifier, prospect lists, campaigns, webhooks."""

from typing import Any

import httpx

from mcp_server.core.provider import ProviderDef
from mcp_server.providers.snov.tools import toolset
from mcp_server.settings import Settings


def open_service(settings: Settings, http: httpx.AsyncClient) -> Any:
    raise NotImplementedError


PROVIDER = ProviderDef("snov", "Snov.io", toolset, open_service, needs="SNOV_CLIENT_ID and SNOV_CLIENT_SECRET")

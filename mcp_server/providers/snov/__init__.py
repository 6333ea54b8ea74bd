"""Snov.io: domain search, finder, verifier, prospect lists, campaigns, webhooks."""

from mcp_server.core.provider import ProviderDef
from mcp_server.providers.snov import (  # noqa: F401  (importing registers the tools, in catalogue order)
    account,
    campaigns,
    finder,
    profiles,
    prospects,
    search,
    verifier,
    webhooks,
)
from mcp_server.providers.snov.client import open_service
from mcp_server.providers.snov.toolset import toolset

PROVIDER = ProviderDef("snov", "Snov.io", toolset, open_service, needs="SNOV_CLIENT_ID and SNOV_CLIENT_SECRET")

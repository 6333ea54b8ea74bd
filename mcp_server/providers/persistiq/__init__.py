"""PersistIQ: leads, campaigns, events, do-not-contact domains."""

from mcp_server.core.provider import ProviderDef
from mcp_server.providers.persistiq import (  # noqa: F401  (importing registers the tools)
    campaigns,
    dnc,
    events,
    leads,
)
from mcp_server.providers.persistiq.client import open_service
from mcp_server.providers.persistiq.toolset import toolset

PROVIDER = ProviderDef("persistiq", "PersistIQ", toolset, open_service, needs="PERSISTIQ_API_KEY")

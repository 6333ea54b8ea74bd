"""The three providers, in the order their tools are listed."""

from mcp_server.app.providers import ProviderDef
from mcp_server.described import PROVIDERS
from mcp_server.providers.epixel import PROVIDER as EPIXEL
from mcp_server.providers.persistiq import PROVIDER as PERSISTIQ
from mcp_server.providers.snov import PROVIDER as SNOV

ALL_PROVIDERS: tuple[ProviderDef, ...] = (PERSISTIQ, SNOV, EPIXEL)
assert [p.name for p in ALL_PROVIDERS] == list(PROVIDERS), "in the order mcp_server.described lists them"

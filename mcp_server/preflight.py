"""Before serving: the tools a configuration would serve, or one line saying why it would serve none."""

from __future__ import annotations

from collections.abc import Sequence

from mcp_server.app.providers import ProviderDef
from mcp_server.app.registry import ALL_PROVIDERS
from mcp_server.core.errors import ConfigError
from mcp_server.core.tools.registry import ToolDef
from mcp_server.server import select_tools
from mcp_server.settings import DESCRIBED, Settings, either

NO_PROVIDER = (
    f"no provider is configured, so there is nothing to serve: set {either()} (see the README, "
    "Configuration; check the names in your client's env block), or try it keyless with --sandbox"
)


def served_tools(settings: Settings, providers: Sequence[ProviderDef] = ALL_PROVIDERS) -> list[ToolDef]:
    """``select_tools``, refusing a configuration that leaves nothing: a server with 0 tools only confuses."""
    tools = select_tools(settings, providers)
    if not tools:
        raise _why_empty(settings, providers)
    return tools


def _why_empty(settings: Settings, providers: Sequence[ProviderDef]) -> ConfigError:
    enabled = set(settings.enabled_providers())
    if not enabled:
        return ConfigError(NO_PROVIDER, variable=DESCRIBED[0].credentials[0].variable)
    owner = {tool.name: provider for provider in providers for tool in provider.toolset.tools}
    named = settings.outbound_mcp_tools
    if named and all(name in owner and owner[name].name not in enabled for name in named):
        off = [p for p in providers if p.name in {owner[name].name for name in named}]
        fix = "; ".join(f"for {p.label} set {p.needs}" for p in off)
        return ConfigError(
            f"--tools (OUTBOUND_MCP_TOOLS) names only tools of providers that are off: {fix}, "
            "or name tools of a provider that is on",
            variable="OUTBOUND_MCP_TOOLS",
        )
    if settings.outbound_mcp_read_only:
        return ConfigError(
            "--read-only (OUTBOUND_MCP_READ_ONLY) leaves no tool, the selected ones all spend, write or delete: "
            "use --no-read-only, --allow-spend for the ones that spend credits, or choose read tools with --tools",
            variable="OUTBOUND_MCP_READ_ONLY",
        )
    return ConfigError("these settings select no tool: check --toolsets and --tools", variable="OUTBOUND_MCP_TOOLS")

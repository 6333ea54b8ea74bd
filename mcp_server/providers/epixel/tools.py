"""Tools of this provider (filled in by its issue)."""

from mcp_server.core.tooling import Toolset

toolset = Toolset("epixel")

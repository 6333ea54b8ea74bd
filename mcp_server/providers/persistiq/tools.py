"""PersistIQ's tools (filled in by the PersistIQ issue)."""

from mcp_server.core.tooling import Toolset

toolset = Toolset("persistiq")

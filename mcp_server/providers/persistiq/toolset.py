"""The toolset every tool module of this provider registers into."""

from mcp_server.core.tooling import Toolset

toolset = Toolset("persistiq")

"""The toolset every tool module of this provider registers into.

Developers: read BRIEF.md beside this file first (how tools are declared, tested, and which files not to edit).
"""

from mcp_server.core.tooling import Toolset

toolset = Toolset("snov")

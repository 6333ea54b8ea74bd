"""MCP Apps (io.modelcontextprotocol/ui): the approval panel for spends and deletes, and the campaign report
(docs/apps.md). The HTML is built from ui/ by ``python -m mcp_server.apps.build``."""

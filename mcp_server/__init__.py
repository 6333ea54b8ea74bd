"""outbound-mcp: an MCP server for PersistIQ, Snov.io and Epixel Leads & CRM."""

__version__ = "0.1.0"

from mcp_server.launch import entry

entry()

"""PersistIQ: leads, campaigns, events, do-not-contact domains. Its settings and description are in
``settings.py``, its tools and how to open its client in ``provider.py`` (listed in ``mcp_server.app.registry``)."""

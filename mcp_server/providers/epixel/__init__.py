"""Epixel Leads & CRM: leads, appointments, notes. Its settings and description are in
``settings.py``, its tools and how to open its client in ``provider.py`` (listed in ``mcp_server.app.registry``)."""

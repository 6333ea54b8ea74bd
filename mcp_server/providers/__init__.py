"""The providers, one package each, all alike: ``settings.py`` (its settings and description), ``client.py`` (its
endpoint table and how to open its client), its tool modules and ``provider.py`` (its tools in catalogue order).
The list of providers is ``mcp_server.settings.Settings``' bases; ``mcp_server.app.registry`` finds each one's
``provider.py`` from it. Nothing is imported here: the settings read a provider's ``settings.py`` before any
tool is loaded."""

"""Simulated PersistIQ, Snov.io and Epixel APIs for trying and testing outbound-mcp without accounts.

A separate package so that the server never depends on its own test double: nothing here imports
``mcp_server``, and ``mcp_server`` reaches in only from ``cli.py`` to start ``--sandbox``
(``tests/test_import_boundary.py`` holds both sides to that).
"""

"""What the shared fixtures hand a test, named once for the tests' annotations."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import TypeAlias

from mcp import Client

from mcp_server.settings import Settings

SettingsFor: TypeAlias = Callable[..., Settings]
"""``settings_for(**overrides)``: settings pointing every provider at the sandbox."""
OpenClient: TypeAlias = Callable[..., AbstractAsyncContextManager[Client]]
"""``async with connect(...) as client``: a client on a server built for the test."""

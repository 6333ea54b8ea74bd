"""Type guards for decoded JSON in tests: the core's own (``mcp_server.core.upstream.values``), named for the tests."""

from __future__ import annotations

from mcp_server.core.upstream.values import is_obj as is_object
from mcp_server.core.upstream.values import is_seq as is_list

__all__ = ["is_list", "is_object"]

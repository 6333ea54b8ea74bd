"""``OUTBOUND_MCP_STATE``: which store a server opens."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from mcp_server.core.state import StateStore
from mcp_server.core.state.memory import MemoryStore
from mcp_server.core.state.sqlite import SqliteStore, default_path

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
FORMS = "memory, sqlite (the default file), sqlite:///path/to/file, or redis://[user:password@]host:port/db"


def check_spec(value: str) -> str:
    """The setting as given, or ``ValueError`` naming the forms it may take."""
    spec = value.strip()
    if spec in ("memory", "sqlite"):
        return spec
    if spec.startswith(REDIS_SCHEMES):
        parts = urlsplit(spec)
        try:
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            raise ValueError(f"has a port that is not a number; must be {FORMS}") from None
        if not (parts.hostname or parts.path) or (parts.scheme != "unix" and not parts.hostname):
            raise ValueError(f"names no Redis host; must be {FORMS}")
        return spec
    if spec.startswith("sqlite:///") and len(spec) > len("sqlite:///"):
        return spec
    raise ValueError(f"must be {FORMS}")


def open_store(spec: str) -> StateStore:
    """The store ``spec`` names; nothing is connected until its first operation (errors then are tool errors)."""
    if spec == "memory":
        return MemoryStore()
    if spec.startswith(REDIS_SCHEMES):
        # Imported only when configured: the redis client costs start-up time every other server would pay.
        from mcp_server.core.state.redis import RedisStore

        return RedisStore(spec)
    path = default_path() if spec == "sqlite" else Path(spec.removeprefix("sqlite://")).expanduser()
    return SqliteStore(path)

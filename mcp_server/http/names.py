"""Host and Origin allow-lists: parsed and checked at start-up, matched exactly (never by prefix)."""

from __future__ import annotations

import re
from collections.abc import Iterable

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
_PORT = re.compile(r"[0-9]{1,5}")
_ORIGIN = re.compile(r"(?i)^(https?)://(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::([0-9]{1,5}))?$")


def check_origin(value: str) -> str:
    """``scheme://host[:port]`` and nothing else; the normalized (lower-case) form."""
    match = _ORIGIN.match(value.strip())
    if match is None:
        raise ValueError(
            f"{value!r} is not an origin: write scheme://host[:port], e.g. https://app.example.com (no path, no *)"
        )
    return value.strip().lower().rstrip("/")


def check_host(value: str) -> str:
    """A host name or address, optionally with ``:port``; the normalized (lower-case) form."""
    host = value.strip().lower()
    name, port = _split_port(host)
    if not name or "/" in host or (port is not None and not _PORT.fullmatch(port)):
        raise ValueError(f"{value!r} is not a host: write a name or address, optionally :port (mcp.example.com)")
    return host


def _split_port(host: str) -> tuple[str, str | None]:
    if host.startswith("["):
        name, _, rest = host.partition("]")
        return name + "]", (rest[1:] if rest.startswith(":") else None) if rest else None
    name, sep, port = host.rpartition(":")
    return (name, port) if sep else (host, None)


class Allowed:
    """Host and Origin allow-lists. A listed name without a port accepts any numeric port; with one, exactly it."""

    def __init__(self, hosts: Iterable[str], origins: Iterable[str]) -> None:
        self.hosts = {check_host(h) for h in (*LOOPBACK_NAMES, *hosts)}
        self.origins = {check_origin(o) for o in origins}

    def host(self, value: str | None) -> bool:
        if not value:
            return False
        value = value.lower()
        if value in self.hosts:
            return True
        name, port = _split_port(value)
        return port is not None and _PORT.fullmatch(port) is not None and name in self.hosts

    def origin(self, value: str) -> bool:
        match = _ORIGIN.match(value)
        if match is None:
            return False
        value = value.lower()
        if value in self.origins:
            return True
        scheme, name, _ = match.groups()
        return scheme.lower() == "http" and name.lower() in LOOPBACK_NAMES

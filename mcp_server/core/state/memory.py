"""The state of one process: ``OUTBOUND_MCP_STATE=memory``."""

from __future__ import annotations

import time
from collections.abc import Callable

from mcp_server.core.state.local import Change, LocalOps, R


class MemoryStore(LocalOps):
    protected = True

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._values: dict[str, tuple[bytes, float | None]] = {}

    def _live(self, key: str) -> bytes | None:
        entry = self._values.get(key)
        if entry is None:
            return None
        value, expires = entry
        if expires is not None and expires <= self._clock():
            del self._values[key]
            return None
        return value

    async def get(self, key: str) -> bytes | None:
        return self._live(key)

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        self._values[key] = (value, None if ttl is None else self._clock() + ttl)

    async def add(self, key: str, value: bytes, ttl: float | None = None) -> bool:
        if self._live(key) is not None:
            return False
        await self.set(key, value, ttl)
        return True

    async def delete(self, key: str) -> None:
        self._values.pop(key, None)

    async def update(self, key: str, change: Change[R], ttl: float | None, keep_ttl: bool = False) -> R:
        # No await between the read and the write: atomic within the event loop.
        old = self._live(key)
        new, result = change(old)
        if new is None:
            self._values.pop(key, None)
        elif keep_ttl and old is not None:
            self._values[key] = (new, self._values[key][1])
        else:
            self._values[key] = (new, None if ttl is None else self._clock() + ttl)
        return result

    async def aclose(self) -> None:
        self._values.clear()

"""The state store: everything a later call relies on (rate budgets, the Snov.io credit ledger, provider
tokens, job handles and cursors, the write-replay guard), behind one small async interface.

``MemoryStore`` keeps it in this process; the SQLite and Redis stores share it between processes and
machines. Keys are namespaced by the caller (``"<provider>:<credential hash>:<what>"``), never a secret.
"""

from __future__ import annotations

from typing import Protocol


class StateStore(Protocol):
    async def get(self, key: str) -> bytes | None:
        """The value under ``key``, or None when absent or expired."""
        ...

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        """Store ``value`` (replacing any), expiring after ``ttl`` seconds when given."""
        ...

    async def add(self, key: str, value: bytes, ttl: float | None = None) -> bool:
        """Store ``value`` only if ``key`` is absent (atomically); True when it was stored."""
        ...

    async def delete(self, key: str) -> None: ...

    async def aclose(self) -> None: ...

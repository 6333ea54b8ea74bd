"""The default store: one SQLite file per user, shared by every process of that user on the machine.

WAL lets readers run beside the one writer; each operation is one ``BEGIN IMMEDIATE`` transaction, so two
processes never both take the last slot. The file (and its WAL) is mode 0600 in a 0700 folder: it may hold
provider tokens. A transaction that gets the file's write lock at once runs on the event loop (tens of
microseconds, where a hop to a worker thread costs about a millisecond on a loaded machine); one that would
wait for another process, and the first one (which opens the file), run on one worker thread, so a busy file
never blocks the event loop.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import time
from collections.abc import Callable, Generator
from pathlib import Path
from typing import TypeVar

import anyio
import anyio.to_thread

from mcp_server.core.call import deadline as call_time
from mcp_server.core.state import StateUnavailable
from mcp_server.core.state.local import Change, LocalOps, R

T = TypeVar("T")
BUSY_TIMEOUT = 5.0
"""Seconds a write waits for another process's transaction before the store reports itself busy."""
SCHEMA = "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL)"


class _Busy:
    """The file's write lock was not free at once (or the file is not open yet)."""


BUSY = _Busy()


def default_path() -> Path:
    """``$XDG_STATE_HOME/outbound-mcp/state.sqlite3`` (``~/.local/state`` when unset)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "outbound-mcp" / "state.sqlite3"


def _create_private(path: Path) -> None:
    """Before SQLite opens it: closing any descriptor of the file later would drop SQLite's locks on it."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    _tighten(path)


def _tighten(path: Path) -> None:
    """The file, its WAL and its shared-memory index readable by this user only (chmod opens nothing)."""
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if part.exists() and part.stat().st_mode & 0o077:
            part.chmod(0o600)


class SqliteStore(LocalOps):
    protected = True

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._db: sqlite3.Connection | None = None
        self._limiter = anyio.CapacityLimiter(1)

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            with self._setup_lock():
                self._db = self._open()
        return self._db

    @contextlib.contextmanager
    def _setup_lock(self) -> Generator[None, None, None]:
        """Processes set a file up one at a time (creation, the switch to WAL, the table)."""
        _create_private(self.path)
        lock = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(SCHEMA)
        db.execute("DELETE FROM kv WHERE expires IS NOT NULL AND expires <= ?", (self._clock(),))
        _tighten(self.path)  # the WAL and shared-memory files exist now
        return db

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        try:
            done = self._at_once(work)
        except (sqlite3.Error, OSError) as exc:
            raise self._unavailable(exc) from None
        if not isinstance(done, _Busy):
            return done
        return await self._on_thread(work)

    def _at_once(self, work: Callable[[sqlite3.Connection], T]) -> T | _Busy:
        """``work`` on the event loop if the file is open, no thread works on it, and its write lock is free."""
        db = self._db
        if db is None or self._limiter.borrowed_tokens:
            return BUSY
        db.execute("PRAGMA busy_timeout = 0")
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # another process holds the lock: wait for it on the thread
            return BUSY
        return _committed(db, work)

    async def _on_thread(self, work: Callable[[sqlite3.Connection], T]) -> T:
        # A thread cannot be cancelled: under a tool call, waiting for another process's lock ends by the
        # call's cutoff, so a locked file cannot hold a call past OUTBOUND_MCP_MAX_WAIT.
        left = call_time.cutoff_left()
        busy_ms = int(1000 * (BUSY_TIMEOUT if left is None else max(0.05, min(BUSY_TIMEOUT, left))))

        def run() -> T:
            db = self._connect()
            db.execute(f"PRAGMA busy_timeout = {busy_ms}")
            db.execute("BEGIN IMMEDIATE")
            return _committed(db, work)

        try:
            return await anyio.to_thread.run_sync(run, limiter=self._limiter)
        except (sqlite3.Error, OSError) as exc:
            raise self._unavailable(exc) from None

    def _unavailable(self, exc: sqlite3.Error | OSError) -> StateUnavailable:
        return StateUnavailable(
            f"the state store {self.path} failed ({type(exc).__name__}: {str(exc)[:200]})",
            hint="Nothing was sent. Try again in a moment; if it persists, ask the user to check that file "
            "(or set OUTBOUND_MCP_STATE to another path, or to memory for one process alone).",
        )

    def _read(self, db: sqlite3.Connection, key: str) -> tuple[bytes | None, float | None]:
        row = db.execute("SELECT value, expires FROM kv WHERE key = ?", (key,)).fetchone()
        if row is None or (row[1] is not None and row[1] <= self._clock()):
            return None, None
        return bytes(row[0]), row[1]

    def _write(self, db: sqlite3.Connection, key: str, value: bytes, expires: float | None) -> None:
        db.execute("INSERT OR REPLACE INTO kv (key, value, expires) VALUES (?, ?, ?)", (key, value, expires))

    def _expiry(self, ttl: float | None) -> float | None:
        return None if ttl is None else self._clock() + ttl

    async def get(self, key: str) -> bytes | None:
        return await self._run(lambda db: self._read(db, key)[0])

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        await self._run(lambda db: self._write(db, key, value, self._expiry(ttl)))

    async def add(self, key: str, value: bytes, ttl: float | None = None) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            if self._read(db, key)[0] is not None:
                return False
            self._write(db, key, value, self._expiry(ttl))
            return True

        return await self._run(work)

    async def delete(self, key: str) -> None:
        await self._run(lambda db: db.execute("DELETE FROM kv WHERE key = ?", (key,)))

    async def update(self, key: str, change: Change[R], ttl: float | None, keep_ttl: bool = False) -> R:
        def work(db: sqlite3.Connection) -> R:
            old, expires = self._read(db, key)
            new, result = change(old)
            if new is None:
                db.execute("DELETE FROM kv WHERE key = ?", (key,))
            else:
                self._write(db, key, new, expires if keep_ttl and old is not None else self._expiry(ttl))
            return result

        return await self._run(work)

    async def aclose(self) -> None:
        if self._db is not None:
            db, self._db = self._db, None
            await anyio.to_thread.run_sync(db.close, limiter=self._limiter)


def _committed(db: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """``work`` inside the transaction just begun: committed when it returns, rolled back when it raises."""
    try:
        result = work(db)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return result

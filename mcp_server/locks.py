"""Whole-file advisory locks that the OS drops when their holder dies (flock on POSIX, msvcrt on Windows)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int, *, block: bool) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_LOCK if block else msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int, *, block: bool) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if block else fcntl.LOCK_NB))
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class FileLock:
    """``with FileLock(path):`` waits for the lock; ``try_hold`` takes it for the process's lifetime or says no."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def _open(self) -> int:
        return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)

    def try_hold(self) -> bool:
        fd = self._open()
        if _lock(fd, block=False):
            self._fd = fd
            return True
        os.close(fd)
        return False

    def is_held_elsewhere(self) -> bool:
        """True while another process holds it (a process's liveness, without trusting a pid)."""
        if not self.path.exists():
            return False
        fd = self._open()
        try:
            if not _lock(fd, block=False):
                return True
            _unlock(fd)
            return False
        finally:
            os.close(fd)

    def __enter__(self) -> FileLock:
        fd = self._open()
        _lock(fd, block=True)
        self._fd = fd
        return self

    def __exit__(self, *_: object) -> None:
        if self._fd is not None:
            _unlock(self._fd)
            os.close(self._fd)
            self._fd = None

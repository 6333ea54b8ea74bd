"""The ``e2e`` marker kept true: a test that starts a process or an HTTP server without it fails, saying so.

``python -m pytest -m "not e2e"`` is the fast edit-test loop; it stays fast only while every test that
starts a process (the server over stdio, redis-server, a child Python) or serves HTTP on a port carries
the marker. Tests marked ``e2e`` are left alone.
"""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

HINT = 'mark it @pytest.mark.e2e (the fast command, python -m pytest -m "not e2e", skips such tests)'


class Guard:
    """Whether the running test may start processes and servers (set by conftest's autouse fixture)."""

    allowed = True


def check(what: str) -> None:
    if not Guard.allowed:
        pytest.fail(f"this test starts {what}: {HINT}", pytrace=False)


class GuardedPopen(subprocess.Popen[Any]):
    """``subprocess.Popen`` (which asyncio, anyio and the MCP stdio client use too) that checks first."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        check(f"a process ({args[0] if args else kwargs.get('args')!r})")
        super().__init__(*args, **kwargs)

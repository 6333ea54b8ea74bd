"""Shared fixtures: the sandbox on loopback (one per session, reset before each test)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from mcp_server.sandbox.config import SandboxConfig

if TYPE_CHECKING:
    from mcp_server.sandbox.app import Sandbox
    from mcp_server.sandbox.runner import SandboxThread


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def sandbox_thread() -> Iterator[SandboxThread]:
    # Imported here so that core tests run while a vendor module is being rewritten.
    from mcp_server.sandbox.app import Sandbox
    from mcp_server.sandbox.runner import SandboxThread

    thread = SandboxThread(Sandbox(SandboxConfig())).start()
    yield thread
    thread.stop()


@pytest.fixture
def sandbox(sandbox_thread: SandboxThread) -> Sandbox:
    """A freshly seeded sandbox with default knobs; set knobs on ``sandbox.config`` in the test."""
    sb = sandbox_thread.sandbox
    defaults = SandboxConfig()
    for f in dataclasses.fields(SandboxConfig):
        if f.name != "faults":
            setattr(sb.config, f.name, getattr(defaults, f.name))
    sb.reset()
    return sb


@pytest.fixture
def sandbox_urls(sandbox: Sandbox, sandbox_thread: SandboxThread):
    return sandbox_thread.urls

"""Shared fixtures: the sandbox on loopback (one per session, reset before each test).

``OUTBOUND_MCP_SANDBOX_PROFILE=documented`` runs the suite against the sandbox's documented profile
(only what the vendor documents say), ``=recorded`` against the shapes real servers were recorded giving; the
default is ``current``. A test may still set
``sandbox.config.profile`` itself; ``@pytest.mark.current_profile`` marks a test of behaviour only the
current profile has (skipped on the documented and recorded runs).
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

import pytest

from outbound_sandbox.config import Profile, SandboxConfig
from tests.e2e_guard import Guard, GuardedPopen
from tests.reliability.figures import FIGURES, summary
from tests.sandbox_clock import SandboxClock

# Servers built in this one test process each keep their own state, as before the shared stores, unless a
# test asks for one; servers started as subprocesses (which drop OUTBOUND_MCP_*) use the default SQLite
# file, here in a folder of this test run rather than the user's own state folder.
os.environ.setdefault("OUTBOUND_MCP_STATE", "memory")
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="outbound-mcp-test-state-")
# The tools/list entries a started server saves (mcp_server.app.listings): this run's own, not the user's.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="outbound-mcp-test-cache-")

if TYPE_CHECKING:
    from mcp import Client

    from mcp_server.settings import Settings
    from outbound_sandbox.app import Sandbox
    from outbound_sandbox.runner import SandboxThread, SandboxUrls


PROFILE_VARIABLE = "OUTBOUND_MCP_SANDBOX_PROFILE"


def sandbox_defaults() -> SandboxConfig:
    """``SandboxConfig()`` on the profile the suite runs on."""
    profile = os.environ.get(PROFILE_VARIABLE, "").strip() or "current"
    if profile not in get_args(Profile):
        raise pytest.UsageError(f"{PROFILE_VARIABLE}={profile!r}: expected one of {', '.join(get_args(Profile))}")
    # The known name itself, not the variable's text: the checker then sees a Profile.
    (known,) = (name for name in get_args(Profile) if name == profile)
    return SandboxConfig(profile=known)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "current_profile: behaviour only the sandbox's current profile has")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist (``-n``) each worker hands its reliability figures to the controller, which prints
    their sum: a worker's own terminal summary is never shown."""
    worker_output: dict[str, Any] | None = getattr(session.config, "workeroutput", None)
    if worker_output is not None:
        worker_output["figures"] = dict(FIGURES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    FIGURES.update(getattr(node, "workeroutput", {}).get("figures", {}))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.write_sep("=", "reliability figures")
        for line in summary():
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def e2e_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A test without the ``e2e`` marker may start no process and serve no HTTP port (tests/e2e_guard.py)."""
    Guard.allowed = request.node.get_closest_marker("e2e") is not None
    if not Guard.allowed:
        monkeypatch.setattr(subprocess, "Popen", GuardedPopen)
    yield
    Guard.allowed = True


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def sandbox_thread() -> Iterator[SandboxThread]:
    # Imported here so that core tests run while a vendor module is being rewritten.
    from outbound_sandbox.app import Sandbox
    from outbound_sandbox.runner import SandboxThread

    thread = SandboxThread(Sandbox(sandbox_defaults())).start()
    yield thread
    thread.stop()


@pytest.fixture
def sandbox(sandbox_thread: SandboxThread, request: pytest.FixtureRequest) -> Sandbox:
    """A freshly seeded sandbox with default knobs; set knobs on ``sandbox.config`` in the test."""
    defaults = sandbox_defaults()
    if defaults.profile != "current" and request.node.get_closest_marker("current_profile"):
        pytest.skip("tests behaviour of the sandbox's current profile only")
    sb = sandbox_thread.sandbox
    for f in dataclasses.fields(SandboxConfig):
        if f.name != "faults":
            setattr(sb.config, f.name, getattr(defaults, f.name))
    sb.env.clock = time.time  # a test's manual clock (sandbox_clock) ends with the test
    sb.reset()
    return sb


@pytest.fixture
def sandbox_clock(sandbox: Sandbox) -> SandboxClock:
    """The sandbox on a manual clock: ``sandbox_clock.advance(0.35)`` lets jobs finish and tokens and rate
    windows expire without a real sleep (the server's own waits still run on its clock)."""
    clock = SandboxClock()
    sandbox.env.clock = clock
    return clock


@pytest.fixture
def sandbox_urls(sandbox: Sandbox, sandbox_thread: SandboxThread) -> SandboxUrls:
    return sandbox_thread.urls


@pytest.fixture
def settings_for(sandbox_urls: SandboxUrls) -> Callable[..., Settings]:
    """Settings pointing every provider at the sandbox, plus overrides (``snov_max_credits=3``...)."""
    from mcp_server.settings import load_settings

    def make(**overrides: Any) -> Settings:
        env = {key.lower(): value for key, value in sandbox_urls.environment().items()}
        values = {**env, **overrides}
        try:  # Settings are frozen: the same values under the same environment make the same settings
            key = hash((frozenset(values.items()), frozenset(os.environ.items())))
        except TypeError:  # a list or another unhashable value: made afresh
            return load_settings(**values)
        made = SETTINGS.get(key)
        if made is None or made[0] != (values, dict(os.environ)):
            made = SETTINGS[key] = ((values, dict(os.environ)), load_settings(**values))
        return made[1]

    return make


SETTINGS: dict[int, tuple[tuple[dict[str, Any], dict[str, str]], Settings]] = {}
"""Settings made by ``settings_for``, by their values and the environment: making them cost some 20 ms in a
fixture most tests use, some more than once."""


@pytest.fixture
async def mcp(settings_for: Callable[..., Settings]) -> AsyncIterator[Client]:
    """An in-memory MCP client connected to a server on the sandbox with all three providers; its person
    agrees to every confirmation (the confirmation tests make their own clients)."""
    from mcp import Client

    from mcp_server.server import create_server
    from tests.confirm_helpers import agrees

    async with Client(create_server(settings_for()), elicitation_callback=agrees) as client:
        yield client


@pytest.fixture(autouse=True)
def no_shared_sandbox_left_running() -> Iterator[None]:
    """A ``--sandbox`` server started by a test starts this run's shared sandbox (under the temporary
    XDG_STATE_HOME above): stopped and cleared after the test, so no process outlives it and no test sees
    another's data. A client that passes the server only its own few variables (the MCP Inspector keeps
    HOME and PATH) drops XDG_STATE_HOME: a sandbox the test started in the home folder is stopped too,
    one that ran there before the test is left alone."""
    from mcp_server.shared_sandbox import SharedSandbox, shared_dir

    home = SharedSandbox(Path.home() / ".local" / "state" / "outbound-mcp" / "sandbox")
    before = home.pid()
    yield
    ours = SharedSandbox(shared_dir())
    if ours.record.exists() or ours.alive_lock.is_held_elsewhere():
        ours.reset()
    if home.pid() not in (None, before):
        home.stop()

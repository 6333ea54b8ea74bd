"""Snov.io tool tests: a client factory with fast polling, since the searches are async jobs."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from mcp import Client

from outbound_sandbox.app import Sandbox
from tests.confirm_helpers import agrees
from tests.conftest import sandbox_defaults
from tests.providers.typed import Connect, SettingsFor

FAST = {"poll_interval": 0.05, "snov_rate_limit": 10_000}
"""Poll every 50 ms and let the budget stay out of the way unless a test is about it."""


@pytest.fixture
def connect(settings_for: SettingsFor) -> Connect:
    """``async with connect(poll_wait=0.3) as client``: an in-memory MCP client on the sandbox."""
    from mcp_server.server import create_server

    @asynccontextmanager
    async def open_client(**overrides: Any) -> AsyncGenerator[Client, None]:
        async with Client(create_server(settings_for(**{**FAST, **overrides})), elicitation_callback=agrees) as client:
            yield client

    return open_client


@pytest.fixture
def quick_jobs(sandbox: Sandbox) -> Sandbox:
    """Jobs ready 0.2 s after they start, and no sandbox rate limit unless a test turns it on."""
    sandbox.config.job_delay = 0.2
    sandbox.config.rate_limits = False
    return sandbox


@pytest.fixture(params=["current", "strict"])
def profile(request: pytest.FixtureRequest, sandbox: Sandbox) -> str:
    """Run the test against two sandbox profiles: the vendor's newer pages, and the suite's own profile when that
    is ``recorded`` (what real servers were recorded doing), else only what the vendor's document says."""
    strict = "recorded" if sandbox_defaults().profile == "recorded" else "documented"
    sandbox.config.profile = "current" if request.param == "current" else strict
    return sandbox.config.profile

"""Outcome tool tests: a client factory on the sandbox with fast polling, on both sandbox profiles."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from mcp import Client

from mcp_server.server import create_server
from outbound_sandbox.app import Sandbox
from tests.confirm_helpers import agrees
from tests.providers.typed import Connect, SettingsFor

FAST = {"poll_interval": 0.05, "snov_rate_limit": 10_000, "persistiq_rate_limit": 10_000}


@pytest.fixture
def connect(settings_for: SettingsFor) -> Connect:
    """``async with connect(poll_wait=0.3, elicitation_callback=person) as client``; by default a person who
    agrees to every question (a client without one gets previews, tested in tests/test_confirmations_preview.py)."""

    @asynccontextmanager
    async def open_client(elicitation_callback: Any = agrees, **overrides: Any) -> AsyncGenerator[Client, None]:
        server = create_server(settings_for(**{**FAST, **overrides}))
        async with Client(server, elicitation_callback=elicitation_callback) as client:
            yield client

    return open_client


@pytest.fixture(params=["current", "documented"])
def profile(request: pytest.FixtureRequest, sandbox: Sandbox) -> str:
    """Both sandbox profiles: the vendors' newer pages, and only what their documents say."""
    sandbox.config.profile = request.param
    sandbox.config.job_delay = 0.2
    sandbox.config.rate_limits = False
    return request.param

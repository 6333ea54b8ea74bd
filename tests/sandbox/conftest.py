"""The simulator's own tests read its documented shapes; on the recorded run (OUTBOUND_MCP_SANDBOX_PROFILE=recorded)
they run on the documented profile, which the recorded one extends, unless marked ``recorded_profile`` (a test
that reads the recorded shapes too). The recorded shapes are exercised through the tools in tests/providers."""

from __future__ import annotations

import pytest

from outbound_sandbox.app import Sandbox
from tests.conftest import sandbox_defaults


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "recorded_profile: a simulator test that reads the recorded shapes too")


@pytest.fixture(autouse=True)
def documented_shapes(request: pytest.FixtureRequest) -> None:
    if sandbox_defaults().profile != "recorded" or request.node.get_closest_marker("recorded_profile"):
        return
    if "sandbox" in request.fixturenames:
        sandbox: Sandbox = request.getfixturevalue("sandbox")
        sandbox.config.profile = "documented"

"""The garbage collector sleeps through start-up (``mcp_server.launch``) and runs again once the server serves."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from mcp_server import cli, launch

KEY = {"PERSISTIQ_API_KEY": "persistiq-key-1"}


@pytest.fixture
def collector_restored() -> Iterator[None]:
    was = gc.isenabled()
    yield
    launch.resume()
    if was:
        gc.enable()


def test_the_server_serves_with_the_collector_running_after_a_paused_start(
    monkeypatch: pytest.MonkeyPatch, collector_restored: None
) -> None:
    for name, value in KEY.items():
        monkeypatch.setenv(name, value)
    seen: list[bool] = []

    async def serve(server: Any, *, hinted: bool) -> None:
        seen.append(gc.isenabled())

    monkeypatch.setattr(cli, "run_stdio", serve)
    gc.enable()
    launch.pause()
    assert not gc.isenabled()
    assert cli.main([]) == 0
    assert seen == [True]


def test_a_subcommand_runs_with_the_collector_running_after_a_paused_start(
    capsys: pytest.CaptureFixture[str], collector_restored: None
) -> None:
    gc.enable()
    launch.pause()
    assert cli.main(["tools", "--sandbox"]) == 0
    assert gc.isenabled()
    assert "persistiq" in capsys.readouterr().out


def test_a_collector_the_host_turned_off_stays_off(collector_restored: None) -> None:
    gc.disable()
    launch.pause()
    launch.resume()
    assert not gc.isenabled()

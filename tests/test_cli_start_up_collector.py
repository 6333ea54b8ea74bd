"""Start-up: the garbage collector sleeps through it (``mcp_server.collector``) and runs again once the server
serves; the modules only subcommands need are not imported."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from mcp_server import cli, collector

KEY = {"PERSISTIQ_API_KEY": "persistiq-key-1"}


@pytest.fixture
def collector_restored() -> Iterator[None]:
    was = gc.isenabled()
    yield
    collector.resume()
    gc.unfreeze()  # this test process's objects go back to being collected
    if was:
        gc.enable()


def test_the_server_serves_with_the_collector_running_over_new_objects_after_a_paused_start(
    monkeypatch: pytest.MonkeyPatch, collector_restored: None
) -> None:
    for name, value in KEY.items():
        monkeypatch.setenv(name, value)
    seen: list[bool] = []
    frozen: list[int] = []

    async def serve(server: Any, *, hinted: bool) -> None:
        seen.append(gc.isenabled())
        frozen.append(gc.get_freeze_count())

    monkeypatch.setattr(cli, "run_stdio", serve)
    gc.enable()
    collector.pause()
    assert not gc.isenabled()
    assert cli.main([]) == 0
    assert seen == [True]
    # What start-up made is out of the collections from now on: the first would otherwise walk all of it.
    assert frozen[0] > 100_000


def test_a_subcommand_runs_with_the_collector_running_after_a_paused_start(
    capsys: pytest.CaptureFixture[str], collector_restored: None
) -> None:
    gc.enable()
    collector.pause()
    assert cli.main(["tools", "--sandbox"]) == 0
    assert gc.isenabled()
    assert "persistiq" in capsys.readouterr().out


def test_a_collector_the_host_turned_off_stays_off(collector_restored: None) -> None:
    gc.disable()
    collector.pause()
    collector.resume()
    assert not gc.isenabled()


SUBCOMMANDS_ONLY = ("mcp_server.bundle", "mcp_server.catalogue", "mcp_server.shared_sandbox", "outbound_sandbox")


@pytest.mark.e2e
def test_a_keyed_start_imports_none_of_the_modules_only_subcommands_need() -> None:
    probe = "import sys, mcp_server.cli; print(sorted(m for m in sys.modules if m.startswith(NAMES)))"
    code = f"NAMES = {SUBCOMMANDS_ONLY!r}\n{probe}"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]"

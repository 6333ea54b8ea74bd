"""What the retried-write guard answers for, and for how long: the same write to the same upstream by the same
caller whose answer never reached it; a record whose owner died frees the write; a store that fails while the
outcome is recorded never replaces the write's own answer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import anyio
import pytest
import respx
from mcp import Client, MCPError, StdioServerParameters

from mcp_server import server as server_module
from mcp_server.core.state import sqlite as sqlite_store
from mcp_server.core.state.sqlite import SqliteStore
from mcp_server.core.tools import replay
from mcp_server.core.tools.replay import Upstream, replay_key
from mcp_server.server import create_server
from mcp_server.settings import Settings, load_settings
from outbound_sandbox import config as cfg
from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault
from outbound_sandbox.runner import SandboxThread, SandboxUrls
from tests.conftest import sandbox_defaults
from tests.reliability.proxy import applied_then, passed_on
from tests.reliability.writes import accepted, text_of

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]
LISTS = cfg.SNOV_PREFIX + "/v1/lists"
WRITE = ("snov_create_prospect_list", {"name": "Guarded"})
ABANDON_AFTER = 0.5
SLOW_WRITE = 1.5


@pytest.fixture
def other_sandbox() -> Iterator[SandboxThread]:
    """A second sandbox on another port: the same credentials, another upstream."""
    thread = SandboxThread(Sandbox(sandbox_defaults())).start()
    yield thread
    thread.stop()


def state_file(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/state.sqlite3"


async def test_two_servers_with_other_base_urls_and_the_same_credentials_each_make_the_same_write(
    sandbox: Sandbox, settings_for: Callable[..., Settings], other_sandbox: SandboxThread, tmp_path: Path
):
    sandbox.config.add_fault(f"POST {LISTS}", Fault("latency", seconds=SLOW_WRITE, count=1))
    here = settings_for(outbound_mcp_state=state_file(tmp_path))
    env = {key.lower(): value for key, value in other_sandbox.urls.environment().items()}
    there = load_settings(**env, outbound_mcp_state=state_file(tmp_path))
    async with Client(create_server(here), mode="legacy") as client:
        with pytest.raises(MCPError):  # the client gives up: its retry is answered from the first call
            await client.call_tool(*WRITE, read_timeout_seconds=ABANDON_AFTER)
        retried = await client.call_tool(*WRITE)
    async with Client(create_server(there)) as client:
        elsewhere = await client.call_tool(*WRITE)

    assert retried.structured_content["replay"] is True
    assert len(accepted(sandbox, "POST", LISTS)) == 1
    # The same store and credentials, another upstream: the write is made there, not "replayed" from here.
    assert not elsewhere.is_error and "replay" not in elsewhere.structured_content
    assert len(accepted(other_sandbox.sandbox, "POST", LISTS)) == 1


async def test_a_retry_answered_from_the_guard_is_delivered_so_the_next_same_write_is_sent(
    sandbox: Sandbox, settings_for: Callable[..., Settings]
):
    sandbox.config.add_fault(f"POST {LISTS}", Fault("latency", seconds=SLOW_WRITE, count=1))
    async with Client(create_server(settings_for()), mode="legacy") as client:
        with pytest.raises(MCPError):
            await client.call_tool(*WRITE, read_timeout_seconds=ABANDON_AFTER)
        retried = await client.call_tool(*WRITE)
        meant = await client.call_tool(*WRITE)

    assert retried.structured_content["replay"] is True
    assert text_of(retried).count("nothing was written again") == 1
    assert "replay" not in meant.structured_content
    assert len(accepted(sandbox, "POST", LISTS)) == 2


def killable(urls: SandboxUrls, state: str, pid_file: Path) -> StdioServerParameters:
    """``python -m mcp_server`` over stdio, its pid written first (``exec`` keeps it) so the test can kill it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSISTIQ_", "SNOV_", "EPIXEL_", "OUTBOUND_MCP_"))}
    env.update(urls.environment())
    env.update({"OUTBOUND_MCP_STATE": state, "OUTBOUND_MCP_TOOLSETS": "snov"})
    script = f'echo $$ > "{pid_file}"; exec "{sys.executable}" -m mcp_server'
    return StdioServerParameters(command="sh", args=["-c", script], env=env)


async def test_a_write_whose_server_process_died_mid_write_does_not_lock_its_retry_out(
    sandbox: Sandbox,
    sandbox_urls: SandboxUrls,
    settings_for: Callable[..., Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):
    sandbox.config.add_fault(f"POST {LISTS}", Fault("latency", seconds=5, count=1))
    state, pid_file = state_file(tmp_path), tmp_path / "server.pid"

    async def doomed() -> None:
        async with Client(killable(sandbox_urls, state, pid_file)) as client:
            await client.call_tool(*WRITE)

    with anyio.fail_after(30), pytest.raises(BaseException):  # noqa: B017 - whatever the client makes of it
        async with anyio.create_task_group() as group:
            group.start_soon(doomed)
            while not any(r.path == LISTS for r in sandbox.env.requests):
                await anyio.sleep(0.05)
            os.kill(int(pid_file.read_text()), signal.SIGKILL)  # mid-write: its record says "running"
    # A minute later on the store's clock, past the dead owner's lease (nobody renewed it).
    path = tmp_path / "state.sqlite3"

    def later_store(spec: str) -> SqliteStore:
        return SqliteStore(path, clock=lambda: time.time() + 60)

    monkeypatch.setattr(server_module, "open_store", later_store)
    async with Client(create_server(settings_for(outbound_mcp_state=state, outbound_mcp_max_wait=5))) as client:
        retried = await client.call_tool(*WRITE)

    assert not retried.is_error, text_of(retried)
    assert "replay" not in retried.structured_content


@pytest.fixture
def lock_holder(tmp_path: Path) -> Iterator[Callable[[], None]]:
    """Another process that takes the SQLite file's write lock when called, and holds it until the test ends."""
    held: list[subprocess.Popen[str]] = []
    code = (
        "import sqlite3, sys; db = sqlite3.connect(sys.argv[1], isolation_level=None); "
        "db.execute('BEGIN IMMEDIATE'); print('locked', flush=True); sys.stdin.read()"
    )

    def hold() -> None:
        process = subprocess.Popen(
            [sys.executable, "-c", code, str(tmp_path / "state.sqlite3")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        held.append(process)
        assert process.stdout is not None and process.stdout.readline().strip() == "locked"

    yield hold
    for process in held:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.close()
        process.wait(timeout=10)
        process.stdout.close()


async def test_a_store_that_fails_while_an_uncertain_write_is_recorded_leaves_the_writes_own_answer(
    sandbox: Sandbox,
    settings_for: Callable[..., Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lock_holder: Callable[[], None],
    fast_retries: None,
):
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT", 0.3)
    # The store stumbles right as the outcome is to be recorded: the write was applied, its answer a 504.
    answer = applied_then(504, meanwhile=lock_holder)
    settings = settings_for(outbound_mcp_state=state_file(tmp_path), outbound_mcp_toolsets="snov")
    with respx.mock(assert_all_called=False) as proxy:
        proxy.route(method="POST", url=f"{settings.snov_base_url}/v1/lists").mock(side_effect=answer)
        proxy.route().pass_through()
        async with Client(create_server(settings)) as client:
            first = await client.call_tool(*WRITE)

    assert first.is_error
    assert "may have been applied" in text_of(first) and "Nothing was sent" not in text_of(first)
    assert len(accepted(sandbox, "POST", LISTS)) == 1


async def test_a_store_failure_after_a_paid_queue_went_out_does_not_say_nothing_was_sent(
    sandbox: Sandbox,
    settings_for: Callable[..., Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lock_holder: Callable[[], None],
):
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT", 0.3)
    sandbox.config.job_delay = 0.2
    settings = settings_for(
        outbound_mcp_state=state_file(tmp_path),
        outbound_mcp_toolsets="snov",
        outbound_mcp_unconfirmed="allow",
        poll_interval=0.05,
    )
    queue = f"{settings.snov_base_url}/v1/add-emails-to-verification"
    with respx.mock(assert_all_called=False) as proxy:
        # Queued and charged upstream; then the store stumbles before the call has settled its credits.
        proxy.route(method="POST", url=queue).mock(side_effect=passed_on(meanwhile=lock_holder))
        proxy.route().pass_through()
        async with Client(create_server(settings)) as client:
            result = await client.call_tool(
                "snov_verify_emails", {"emails": ["new.one@acme.com"], "queue_unverified": True}
            )

    assert result.is_error, text_of(result)
    assert "Nothing was sent" not in text_of(result) and "may have been applied" in text_of(result)
    assert len(accepted(sandbox, "POST", cfg.SNOV_PREFIX + "/v1/add-emails-to-verification")) == 1


async def test_a_write_running_past_its_lease_keeps_it_renewed_so_a_retry_waits_for_it(
    sandbox: Sandbox, settings_for: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(replay, "LEASE", 0.3)  # renewed every 0.1 s while the slow write runs
    sandbox.config.add_fault(f"POST {LISTS}", Fault("latency", seconds=SLOW_WRITE, count=1))
    async with Client(create_server(settings_for()), mode="legacy") as client:
        with pytest.raises(MCPError):
            await client.call_tool(*WRITE, read_timeout_seconds=ABANDON_AFTER)
        retried = await client.call_tool(*WRITE)  # arrives past one lease, while the first still runs

    assert retried.structured_content["replay"] is True
    assert len(accepted(sandbox, "POST", LISTS)) == 1


@pytest.mark.parametrize(
    "other",
    [Upstream("another-base-url-digest", "|"), Upstream("account-digest", "sub:someone-else|")],
    ids=["another upstream", "another caller"],
)
def test_the_same_write_to_another_upstream_or_by_another_caller_has_a_key_of_its_own(other: Upstream):
    mine = Upstream("account-digest", "|")
    arguments = {"name": "Guarded"}
    key = replay_key("snov", "snov_create_prospect_list", arguments, mine)

    assert key != replay_key("snov", "snov_create_prospect_list", arguments, other)
    assert key == replay_key("snov", "snov_create_prospect_list", dict(arguments), Upstream("account-digest", "|"))

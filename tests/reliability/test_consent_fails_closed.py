"""Consent fails closed (issue 26): when the question cannot be built because the state store is locked by
another process, the call is refused saying why and that nothing was sent; it never runs unasked, even when
the store is free again by the time the call would have run."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path

import pytest
from mcp import Client

from mcp_server.core.state import sqlite
from mcp_server.server import create_server
from outbound_sandbox.app import Sandbox
from tests.confirm_helpers import Person
from tests.core.helpers import text_of
from tests.fixture_types import SettingsFor

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]
BUSY = 1.0
"""How long the store waits for another process's lock here (5 s in production)."""
HOLD = 1.6
"""The other process holds the lock this long: past the question's wait, within the call's next one."""
LOCKER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL)")
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("COMMIT")
"""


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(sqlite, "BUSY_TIMEOUT", BUSY)
    return tmp_path / "state.sqlite3"


@contextmanager
def locked(store: Path) -> Generator[None]:
    """A second process holding the store's write lock for ``HOLD`` seconds from now."""
    with subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(store), str(HOLD)], stdout=subprocess.PIPE, text=True
    ) as locker:
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
        yield


async def warm(client: Client) -> None:
    """Sign in and open the store before the lock is taken, so the question is the first thing it blocks."""
    await client.call_tool("snov_list_webhooks", {})


async def test_a_paid_question_the_locked_ledger_cannot_build_refuses_the_call_and_spends_nothing(
    settings_for: SettingsFor, sandbox: Sandbox, store: Path
):
    sandbox.config.rate_limits = False
    person = Person("decline")
    settings = settings_for(outbound_mcp_state=f"sqlite:///{store}", snov_max_credits=10)
    async with Client(create_server(settings), elicitation_callback=person) as client:
        await warm(client)
        before = len(sandbox.env.requests)
        with locked(store):
            result = await client.call_tool("snov_domain_search", {"domain": "octagon.io"})
        sent = sandbox.env.requests[before:]

    text = text_of(result)
    assert result.is_error and "the confirmation could not be prepared" in text
    assert "state store" in text and "Nothing was sent and no credits were spent" in text
    assert person.asked == [] and sent == [] and sandbox.snov.spent == 0


async def test_a_delete_whose_token_cannot_be_kept_is_refused_and_nothing_is_deleted(
    settings_for: SettingsFor, sandbox: Sandbox, store: Path
):
    settings = settings_for(outbound_mcp_state=f"sqlite:///{store}")
    async with Client(create_server(settings)) as client:  # no elicitation: the preview needs the store
        await warm(client)
        with locked(store):
            result = await client.call_tool("snov_delete_webhook", {"webhook_id": 8})

    text = text_of(result)
    assert result.is_error and "could not be prepared" in text and "Nothing was deleted" in text
    assert "confirmation_token" not in text
    assert sandbox.env.handled("DELETE", "/snov/v2/webhooks") == []

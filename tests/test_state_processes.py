"""One state for every server process: separate stdio processes (as LangChain and llama-index start one per
call) share the credit ceiling and resume each other's jobs; a Redis that stops answers a clear error."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from outbound_sandbox import config as cfg
from outbound_sandbox.app import Sandbox
from outbound_sandbox.runner import SandboxUrls
from tests.confirm_helpers import agrees
from tests.fixture_types import SettingsFor
from tests.state_servers import RedisServer, redis_server

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
PROVIDER_VARS = ("PERSISTIQ_", "SNOV_", "EPIXEL_", "OUTBOUND_MCP_")
START = "POST", cfg.SNOV_PREFIX + "/v2/domain-search/start"


@pytest.fixture(params=["sqlite", "redis"])
def state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/state.sqlite3"
        return
    with redis_server() as server:
        yield server.url


def server(urls: Any, state: str, **variables: Any) -> StdioServerParameters:
    """``python -m mcp_server`` over stdio on the test's sandbox, with its own process and ``state``;
    ``variables`` by their names (``SNOV_MAX_CREDITS=1``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(PROVIDER_VARS)}
    env.update(urls.environment())
    env.update({"OUTBOUND_MCP_STATE": state, **{k: str(v) for k, v in variables.items()}})
    return StdioServerParameters(command=sys.executable, args=["-m", "mcp_server"], env=env)


async def call(params: StdioServerParameters, tool: str, arguments: dict[str, Any]) -> Any:
    """One tool call in a server process of its own, started and stopped around it."""
    async with Client(params, elicitation_callback=agrees) as client:
        return await client.call_tool(tool, arguments)


def text_of(result: Any) -> str:
    return " ".join(getattr(block, "text", "") for block in result.content)


def snov_requests(sandbox: Any) -> list[Any]:
    return [r for r in sandbox.env.requests if r.path.startswith(cfg.SNOV_PREFIX)]


async def test_with_a_ceiling_of_one_credit_three_processes_make_one_paid_search_and_two_refusals(
    sandbox: Sandbox, sandbox_urls: SandboxUrls, state: str
):
    sandbox.config.job_delay = 0.2
    params = server(sandbox_urls, state, SNOV_MAX_CREDITS=1, OUTBOUND_MCP_TOOLSETS="snov")
    first = await call(params, "snov_domain_search", {"domain": "acme.com"})
    sent_by_the_first = len(snov_requests(sandbox))
    refused = [await call(params, "snov_domain_search", {"domain": d}) for d in ("globex.com", "initech.com")]

    assert not first.is_error and first.structured_content["status"] == "done", text_of(first)
    for result in refused:
        assert result.is_error and "SNOV_MAX_CREDITS=1" in text_of(result) and "Nothing was sent" in text_of(result)
    assert len(snov_requests(sandbox)) == sent_by_the_first  # the refusals sent nothing, not even a token fetch
    assert sum((r.method, r.path) == START for r in sandbox.env.requests) == 1
    balance = await call(params, "snov_get_balance", {})
    assert balance.structured_content["spent_this_period"] == 1
    assert balance.structured_content["spent_by_this_server"] == 0  # a new process: the period's figure is shared


async def test_a_snov_job_started_in_one_process_resumes_in_another_without_a_second_start(
    sandbox: Sandbox, sandbox_urls: SandboxUrls, state: str
):
    sandbox.config.job_delay = 3.0
    started = await call(
        server(sandbox_urls, state, OUTBOUND_MCP_POLL_WAIT=0.5, OUTBOUND_MCP_POLL_INTERVAL=0.2),
        "snov_domain_search",
        {"domain": "acme.com"},
    )
    assert not started.is_error and started.structured_content["status"] == "running", text_of(started)
    handle = started.structured_content["handle"]

    resumed = await call(
        server(sandbox_urls, state, OUTBOUND_MCP_POLL_WAIT=10, OUTBOUND_MCP_POLL_INTERVAL=0.2),
        "snov_domain_search",
        {"domain": "acme.com", "handle": handle},
    )
    assert not resumed.is_error and resumed.structured_content["status"] == "done", text_of(resumed)
    assert resumed.structured_content["name"]
    assert sum((r.method, r.path) == START for r in sandbox.env.requests) == 1


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    with redis_server() as running:
        yield running


async def test_with_redis_stopped_mid_run_the_next_call_is_a_clear_error_and_nothing_is_sent(
    sandbox: Sandbox, sandbox_urls: SandboxUrls, redis: RedisServer
):
    params = server(sandbox_urls, redis.url, OUTBOUND_MCP_TOOLSETS="persistiq")
    users = cfg.PERSISTIQ_PREFIX + "/v1/users"
    async with Client(params, elicitation_callback=agrees) as client:
        before = await client.call_tool("persistiq_list_users", {})
        sent_before = sum(r.path == users for r in sandbox.env.requests)
        redis.stop()
        during = [await client.call_tool("persistiq_list_users", {}) for _ in range(2)]
        sent_during = sum(r.path == users for r in sandbox.env.requests)
        redis.start()
        after = await client.call_tool("persistiq_list_users", {})

    assert not before.is_error, text_of(before)
    for result in during:
        assert result.is_error
        assert "state store" in text_of(result) and "Redis at 127.0.0.1" in text_of(result)
        assert "Nothing was sent" in text_of(result)
    assert sent_during == sent_before
    assert not after.is_error, text_of(after)  # the same server process, back once Redis is


async def test_a_new_process_reuses_the_snov_token_kept_in_the_sqlite_file_but_not_in_a_redis_without_auth(
    sandbox: Sandbox, sandbox_urls: SandboxUrls, state: str
):
    params = server(sandbox_urls, state, OUTBOUND_MCP_TOOLSETS="snov")
    token_path = cfg.SNOV_PREFIX + "/v1/oauth/access_token"
    for _ in range(3):
        assert not (await call(params, "snov_get_balance", {})).is_error
    fetches = sum(r.path == token_path for r in sandbox.env.requests)
    assert fetches == (1 if state.startswith("sqlite") else 3)


def sqlite_files(folder: Path) -> bytes:
    """Everything the SQLite store wrote, its journal files too."""
    return b"".join(part.read_bytes() for part in folder.glob("state.sqlite3*"))


async def test_two_servers_on_one_sqlite_file_log_in_to_epixel_once(
    sandbox: Sandbox, settings_for: SettingsFor, tmp_path: Path
):
    from mcp_server.server import create_server

    settings = settings_for(outbound_mcp_state=f"sqlite:///{tmp_path}/state.sqlite3", outbound_mcp_toolsets="epixel")
    for _ in range(2):
        async with Client(create_server(settings), elicitation_callback=agrees) as client:
            assert not (await client.call_tool("epixel_get_leads_overview", {})).is_error
    logins = [r for r in sandbox.env.requests if r.path == cfg.EPIXEL_PREFIX + "/user/login/"]
    assert len(logins) == 1
    stored = sqlite_files(tmp_path)
    assert cfg.EPIXEL_PASSWORD.encode() not in stored  # the token is kept; the password never is

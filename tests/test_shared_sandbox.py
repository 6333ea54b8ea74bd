"""``--sandbox`` for clients that start a server process per call (LangChain's and llama-index's defaults):
one sandbox per user, started on first use and reused, so writes, cursors and the credit cap carry over."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from mcp_server.cli import main
from mcp_server.shared_sandbox import SharedSandbox, shared_dir

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]
PROVIDER_VARS = ("PERSISTIQ_", "SNOV_", "EPIXEL_", "OUTBOUND_MCP_")
EMAIL = "per.call@example.com"


def sandboxed(**variables: Any) -> StdioServerParameters:
    """``outbound-mcp --sandbox`` over stdio with the user's variables only (the suite's temporary state
    folder, from conftest, is this "user's")."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(PROVIDER_VARS)}
    env.update({k: str(v) for k, v in variables.items()})
    return StdioServerParameters(command=sys.executable, args=["-m", "mcp_server", "--sandbox"], env=env)


async def call(params: StdioServerParameters, tool: str, arguments: dict[str, Any]) -> Any:
    """One tool call in a server process of its own, started and stopped around it."""
    async with Client(params) as client:
        return await client.call_tool(tool, arguments)


def text_of(result: Any) -> str:
    return " ".join(getattr(block, "text", "") for block in result.content)


async def create_lead(params: StdioServerParameters) -> str:
    created = await call(params, "persistiq_create_leads", {"leads": [{"email": EMAIL}]})
    assert not created.is_error, text_of(created)
    return str(created.structured_content["created"][0]["id"])


async def test_a_lead_created_through_one_server_process_is_read_through_the_next():
    params = sandboxed()
    lead_id = await create_lead(params)

    read = await call(params, "persistiq_get_lead", {"lead_id": lead_id})

    assert not read.is_error, text_of(read)
    assert read.structured_content["data"]["email"] == EMAIL


async def test_a_cursor_from_one_server_process_resumes_in_the_next():
    params = sandboxed()
    first = await call(params, "persistiq_list_leads", {"limit": 2})
    cursor = first.structured_content["next_cursor"]

    second = await call(params, "persistiq_list_leads", {"limit": 2, "cursor": cursor})

    assert not second.is_error, text_of(second)
    first_ids = {row[0] for row in first.structured_content["rows"]}
    second_ids = {row[0] for row in second.structured_content["rows"]}
    assert second_ids and not first_ids & second_ids


async def test_the_credit_cap_holds_across_server_processes_on_the_shared_sandbox():
    # allow: the cap is the point here (a client without elicitation otherwise gets a preview and a token).
    params = sandboxed(SNOV_MAX_CREDITS=1, OUTBOUND_MCP_TOOLSETS="snov", OUTBOUND_MCP_UNCONFIRMED="allow")
    first = await call(params, "snov_domain_search", {"domain": "acme.com"})

    second = await call(params, "snov_domain_search", {"domain": "globex.com"})

    assert not first.is_error, text_of(first)
    assert second.is_error and "SNOV_MAX_CREDITS=1" in text_of(second), text_of(second)


async def test_the_reset_command_stops_the_shared_sandbox_and_its_data_is_gone_on_the_next_start():
    params = sandboxed()
    lead_id = await create_lead(params)
    shared = SharedSandbox(shared_dir())
    assert shared.running()

    reset = await anyio.run_process([sys.executable, "-m", "mcp_server", "sandbox", "--reset"])

    assert reset.returncode == 0
    assert reset.stdout.decode().splitlines() == [
        "outbound-mcp: shared sandbox stopped and cleared; the next --sandbox starts afresh"
    ]
    assert not shared.alive_lock.is_held_elsewhere()
    gone = await call(params, "persistiq_get_lead", {"lead_id": lead_id})
    assert gone.is_error, text_of(gone)


def test_two_servers_starting_at_the_same_moment_start_one_sandbox_and_both_use_it():
    params = sandboxed()
    servers = [
        subprocess.Popen(
            [params.command, *params.args],
            env=params.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    banners = [server.communicate("", timeout=120)[1].splitlines()[0] for server in servers]

    assert all(server.returncode == 0 for server in servers)
    assert banners[0] == banners[1], banners
    assert banners[0].startswith("outbound-mcp: sandbox APIs on http://127.0.0.1:")


def test_listing_the_tools_with_sandbox_starts_no_background_sandbox(capsys: pytest.CaptureFixture[str]):
    code = main(["tools", "--sandbox"])

    assert code == 0 and "persistiq_list_leads" in capsys.readouterr().out
    shared = SharedSandbox(shared_dir())
    assert not shared.record.exists() and not shared.alive_lock.is_held_elsewhere()

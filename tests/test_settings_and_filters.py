"""Configuration errors stop start-up clearly; the three tool filters narrow the catalogue."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from mcp import Client
from mcp.types import TextContent

from mcp_server.core.errors import ConfigError
from mcp_server.server import create_server
from mcp_server.settings import load_settings
from tests.core.demo_provider import DEMO

ENV_KEYS = [k for k in os.environ if k.startswith(("PERSISTIQ_", "SNOV_", "EPIXEL_", "OUTBOUND_MCP_"))]


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    return subprocess.run(
        [sys.executable, "-m", "mcp_server", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"PERSISTIQ_API_KEY": "k" * 10, "PERSISTIQ_BASE_URL": "not a url"}, "PERSISTIQ_BASE_URL"),
        ({"SNOV_BASE_URL": "http://api.snov.io"}, "SNOV_BASE_URL"),
        ({"SNOV_CLIENT_ID": "client-id-1"}, "SNOV_CLIENT_SECRET"),
        ({"EPIXEL_API_KEY": "epixel-key-1", "EPIXEL_USERNAME": "u", "EPIXEL_PASSWORD": "p" * 8}, "EPIXEL_BASE_URL"),
        ({"EPIXEL_USERNAME": "someone"}, "EPIXEL_PASSWORD"),
        ({"OUTBOUND_MCP_TOOLSETS": "persistiq,hubspot"}, "OUTBOUND_MCP_TOOLSETS"),
        ({"OUTBOUND_MCP_TOOLS": "persistiq_no_such_tool"}, "OUTBOUND_MCP_TOOLS"),
        ({"SNOV_MAX_CREDITS": "-5"}, "SNOV_MAX_CREDITS"),
    ],
)
@pytest.mark.e2e
def test_a_bad_setting_stops_start_up_with_one_line_naming_the_variable_and_exit_code_2(
    env: dict[str, str], variable: str
):
    secret = "do-not-print-this-secret"
    result = run_cli({**env, "OUTBOUND_MCP_HTTP_TOKEN": secret})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert variable in lines[0]
    assert secret not in result.stderr + result.stdout
    assert result.stdout == ""


@pytest.mark.e2e
def test_binding_http_beyond_loopback_without_a_token_is_refused():
    result = run_cli({"PERSISTIQ_API_KEY": "k" * 10}, "--transport", "http", "--host", "0.0.0.0", "--port", "1")
    assert result.returncode == 2
    assert "OUTBOUND_MCP_HTTP_TOKEN" in result.stderr


def test_a_provider_is_on_when_its_credentials_are_set_or_it_is_named_in_toolsets():
    assert load_settings(persistiq_api_key="k" * 10).enabled_providers() == ["persistiq"]
    named = load_settings(outbound_mcp_toolsets="snov,epixel")
    assert named.enabled_providers() == ["snov", "epixel"]


def test_an_unknown_tool_in_the_allow_list_is_a_config_error():
    with pytest.raises(ConfigError, match="OUTBOUND_MCP_TOOLS"):
        create_server(load_settings(persistiq_api_key="k" * 10, outbound_mcp_tools="nope"), providers=[DEMO])


async def names(**overrides: Any) -> set[str]:
    server = create_server(load_settings(persistiq_api_key="k" * 10, **overrides), providers=[DEMO])
    async with Client(server) as client:
        return {t.name for t in (await client.list_tools()).tools}


@pytest.mark.anyio
async def test_read_only_mode_offers_only_read_only_tools():
    assert "demo_create" in await names()
    reads = {"demo_get", "demo_get_declared", "demo_token_get", "demo_list", "demo_list_group_items", "demo_job"}
    assert await names(outbound_mcp_read_only=True) == reads


@pytest.mark.anyio
async def test_a_tool_the_settings_leave_out_is_answered_as_not_offered_not_as_unknown():
    server = create_server(load_settings(persistiq_api_key="k" * 10, outbound_mcp_read_only=True), providers=[DEMO])
    async with Client(server) as client:
        result = await client.call_tool("demo_create", {"names": ["x"]})
    assert result.is_error
    block = result.content[0]
    assert isinstance(block, TextContent)
    assert "demo_create is a write tool, and this server runs in read-only mode (OUTBOUND_MCP_READ_ONLY)" in block.text


@pytest.mark.anyio
async def test_toolsets_and_the_tool_allow_list_narrow_the_catalogue():
    assert await names(outbound_mcp_toolsets="snov") == set()
    assert await names(outbound_mcp_tools="demo_get,demo_list") == {"demo_get", "demo_list"}


@pytest.mark.anyio
async def test_calling_a_tool_of_an_unconfigured_provider_says_which_variables_to_set():
    server = create_server(load_settings(outbound_mcp_toolsets="persistiq"), providers=[DEMO])
    async with Client(server) as client:
        result = await client.call_tool("demo_get", {"item_id": "1"})
    assert result.is_error
    block = result.content[0]
    assert isinstance(block, TextContent)
    assert "PERSISTIQ_API_KEY" in block.text


@pytest.mark.anyio
async def test_the_instructions_explain_snov_credits_and_resuming_jobs_only_when_snov_is_on():
    async with Client(create_server(load_settings(snov_client_id="id", snov_client_secret="secret"))) as client:
        with_snov = client.instructions or ""
    async with Client(create_server(load_settings(persistiq_api_key="k" * 12))) as client:
        without = client.instructions or ""

    assert "credit cost" in with_snov and "handle or next_cursor" in with_snov
    assert "Providers on: Snov.io." in with_snov
    assert "Snov.io:" not in without and "<untrusted-content>" in without

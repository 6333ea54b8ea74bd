"""``outbound-mcp tools`` previews a configuration: exactly the tools the same flags and variables serve."""

from __future__ import annotations

import os
import sys

import anyio
import pytest
from mcp import Client, StdioServerParameters

from mcp_server.cli import main

pytestmark = pytest.mark.anyio
PROVIDER_VARS = ("PERSISTIQ_", "SNOV_", "EPIXEL_", "OUTBOUND_MCP_")


def environment(extra: dict[str, str]) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith(PROVIDER_VARS)}, **extra}


@pytest.mark.parametrize(
    ("env", "flags"),
    [
        pytest.param({}, ["--sandbox"], id="everything"),
        pytest.param({"OUTBOUND_MCP_READ_ONLY": "true"}, ["--sandbox", "--toolsets", "snov"], id="variable and flag"),
        pytest.param(
            {"OUTBOUND_MCP_TOOLS": "persistiq_list_leads,snov_get_balance,epixel_create_lead"},
            ["--sandbox", "--read-only"],
            id="allow-list and read-only",
        ),
    ],
)
@pytest.mark.e2e
async def test_tools_prints_exactly_what_the_same_configuration_serves(env: dict[str, str], flags: list[str]):
    command = [sys.executable, "-m", "mcp_server", *flags, "tools"]
    printed = (await anyio.run_process(command, env=environment(env), check=True)).stdout.decode()
    params = StdioServerParameters(command=sys.executable, args=["-m", "mcp_server", *flags], env=environment(env))
    async with Client(params) as client:
        served = [tool.name for tool in (await client.list_tools()).tools]
    assert [line.split()[0] for line in printed.splitlines()] == served
    assert len(served) > 0


def test_the_filters_may_follow_the_tools_command_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    for key in [k for k in os.environ if k.startswith(PROVIDER_VARS)]:
        monkeypatch.delenv(key)
    assert main(["--sandbox", "--toolsets", "snov", "--read-only", "tools"]) == 0
    before = capsys.readouterr().out
    assert main(["tools", "--sandbox", "--toolsets", "snov", "--read-only"]) == 0
    after = capsys.readouterr().out
    assert after == before and "snov_get_balance" in after and "snov_create_webhook" not in after

"""The log level: quiet by default (stderr is a log file under Claude Desktop), every upstream request at DEBUG."""

from __future__ import annotations

import os
import sys
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
PROVIDER_VARS = ("PERSISTIQ_", "SNOV_", "EPIXEL_", "OUTBOUND_MCP_")


@asynccontextmanager
async def logging_to(path: Path, *flags: str, env: dict[str, str] | None = None):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(PROVIDER_VARS)}
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "mcp_server", "--sandbox", *flags], env={**clean, **(env or {})}
    )
    with path.open("w", encoding="utf-8") as log:
        async with stdio_client(params, errlog=log) as streams:
            yield streams


async def stderr_after_one_call(tmp_path: Path, *flags: str, env: dict[str, str] | None = None) -> str:
    path = tmp_path / "stderr.log"
    async with Client(logging_to(path, *flags, env=env)) as client:
        result = await client.call_tool("persistiq_list_users", {})
    assert not result.is_error
    return path.read_text()


@pytest.mark.parametrize(
    ("flags", "env"),
    [
        pytest.param(["--log-level", "debug"], None, id="flag"),
        pytest.param([], {"OUTBOUND_MCP_LOG_LEVEL": "DEBUG"}, id="variable"),
    ],
)
async def test_debug_logs_each_upstream_request_on_stderr(tmp_path: Path, flags: list[str], env: dict[str, str] | None):
    text = await stderr_after_one_call(tmp_path, *flags, env=env)
    assert "PersistIQ GET /persistiq/v1/users -> 200" in text


async def test_by_default_a_successful_call_logs_nothing_beyond_the_start_line(tmp_path: Path):
    lines = (await stderr_after_one_call(tmp_path)).strip().splitlines()
    assert len(lines) == 1 and "sandbox APIs on" in lines[0]

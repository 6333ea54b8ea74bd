"""End to end over stdio, as a new user and as Claude Desktop would start the server."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from tests.readme_paths import installed_command
from tests.strict_helpers import declared_tools

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
ROOT = Path(__file__).resolve().parents[1]
BIN = str(Path(sys.executable).parent)
PROVIDER_VARS = ("PERSISTIQ_", "SNOV_", "EPIXEL_", "OUTBOUND_MCP_")


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(PROVIDER_VARS)}
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    return {**env, **(extra or {})}


def readme_snippet() -> dict[str, Any]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```json\n(\{\n  \"mcpServers\".*?)```", text, flags=re.S)
    assert block, "README has no Claude Desktop snippet"
    return json.loads(block.group(1))["mcpServers"]["outbound"]


async def test_a_new_user_runs_the_sandbox_over_stdio_and_every_provider_answers():
    params = StdioServerParameters(command="outbound-mcp", args=["--sandbox"], env=clean_env())
    async with Client(params) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        calls: dict[str, dict[str, Any]] = {
            "persistiq_list_users": {},
            "snov_get_balance": {},
            "epixel_get_leads_overview": {},
        }
        results = {name: await client.call_tool(name, args) for name, args in calls.items()}
    assert tools == declared_tools()
    for name, result in results.items():
        assert not result.is_error, (name, result.content)
        assert result.structured_content, name


async def test_the_readme_claude_desktop_snippet_starts_the_server_as_written():
    entry = readme_snippet()
    params = StdioServerParameters(
        command=installed_command(entry["command"]), args=entry["args"], env=clean_env(entry["env"])
    )
    async with Client(params) as client:
        names = {t.name for t in (await client.list_tools()).tools}
    assert any(n.startswith("persistiq_") for n in names)
    assert any(n.startswith("snov_") for n in names)
    assert not any(n.startswith("epixel_") for n in names)

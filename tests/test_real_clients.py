"""Real clients: the MCP Inspector CLI against ``outbound-mcp --sandbox`` over stdio and over HTTP, and
the README's Claude Desktop snippet (its no-accounts variant) started exactly as written.

The Inspector tests are skipped, with the reason, where Node.js/npm are missing or the npm registry
cannot be reached.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from mcp_server.catalogue import all_tools
from tests.readme_paths import installed_command

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[1]
BIN = str(Path(sys.executable).parent)
INSPECTOR = "@modelcontextprotocol/inspector@2.12.0"
CALLS = {"persistiq": "persistiq_list_users", "snov": "snov_get_balance", "epixel": "epixel_get_leads_overview"}
SERVER = [sys.executable, "-m", "mcp_server", "--sandbox"]
PROVIDER_VARS = ("PERSISTIQ_", "SNOV_", "EPIXEL_", "OUTBOUND_MCP_")


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This environment without provider settings, with the virtualenv's scripts first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(PROVIDER_VARS)}
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    return {**env, **(extra or {})}


@pytest.fixture(scope="module")
def expected_tools() -> set[str]:
    return {tool.name for tool in all_tools()}


@pytest.fixture(scope="module")
def inspector(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The Inspector CLI command, installed once per run into a temporary folder."""
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("Node.js and npm are needed to run the MCP Inspector CLI")
    prefix = tmp_path_factory.mktemp("inspector")
    try:
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(prefix), INSPECTOR],
            check=True,
            capture_output=True,
            timeout=300,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"could not install {INSPECTOR} from the npm registry: {exc}")
    return [str(prefix / "node_modules" / ".bin" / "mcp-inspector"), "--cli"]


def run_inspector(inspector: list[str], target: list[str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [*inspector, *target, *args], capture_output=True, text=True, timeout=120, env=clean_env(), cwd=ROOT
    )
    assert done.returncode == 0, f"exit {done.returncode}: {done.stdout[-2000:]} {done.stderr[-2000:]}"
    return json.loads(done.stdout)


def check_catalogue_and_one_call_per_provider(inspector: list[str], target: list[str], expected: set[str]) -> None:
    listed = run_inspector(inspector, target, "--method", "tools/list")
    names = [tool["name"] for tool in listed["tools"]]
    assert sorted(names) == sorted(expected)
    assert all("outputSchema" in tool and "annotations" in tool for tool in listed["tools"])
    for provider, tool in CALLS.items():
        result = run_inspector(inspector, target, "--method", "tools/call", "--tool-name", tool)
        assert result.get("isError") is not True, (provider, result)
        assert result["structuredContent"], provider


def test_the_inspector_cli_lists_every_tool_and_calls_one_per_provider_over_stdio(
    inspector: list[str], expected_tools: set[str]
):
    check_catalogue_and_one_call_per_provider(inspector, SERVER, expected_tools)


@pytest.fixture
def http_server() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [*SERVER, "--transport", "http", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=clean_env(),
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"the HTTP server exited: {process.stderr.read() if process.stderr else ''}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("the HTTP server did not listen within 30 s")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()


def test_the_inspector_cli_lists_every_tool_and_calls_one_per_provider_over_http(
    inspector: list[str], http_server: str, expected_tools: set[str]
):
    check_catalogue_and_one_call_per_provider(inspector, [http_server, "--transport", "http"], expected_tools)


def readme_no_accounts_entry() -> dict[str, Any]:
    """The README's Claude Desktop entry, as its "no accounts" sentence says to change it."""
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```json\n(\{\n  \"mcpServers\".*?)```", text, flags=re.S)
    assert block, "README has no Claude Desktop snippet"
    entry = json.loads(block.group(1))["mcpServers"]["outbound"]
    variant = re.search(r"To try it with no accounts, use `(\"args\": \[.*?\])` and no `env`", text)
    assert variant, "README no longer says how to try the snippet with no accounts"
    args = json.loads("{" + variant.group(1) + "}")["args"]
    return {"command": installed_command(entry["command"]), "args": args}


@pytest.mark.anyio
async def test_the_readme_claude_desktop_snippet_without_accounts_serves_every_tool(expected_tools: set[str]):
    entry = readme_no_accounts_entry()
    assert entry["args"] == ["--sandbox"]
    params = StdioServerParameters(command=entry["command"], args=entry["args"], env=clean_env())
    async with Client(params) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        results = {tool: await client.call_tool(tool, {}) for tool in CALLS.values()}
    assert names == expected_tools
    for tool, result in results.items():
        assert not result.is_error, (tool, result.content)
        assert result.structured_content, tool

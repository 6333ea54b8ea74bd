"""A real third-party client: the MCP Inspector CLI against ``outbound-mcp --sandbox``, over stdio and HTTP.

Skipped, with the reason, where Node.js/npm are missing or the npm registry cannot be reached.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

INSPECTOR = "@modelcontextprotocol/inspector@2.12.0"
CALLS = {"persistiq": "persistiq_list_users", "snov": "snov_get_balance", "epixel": "epixel_get_leads_overview"}
SERVER = [sys.executable, "-m", "mcp_server", "--sandbox"]


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


def run_inspector(inspector: list[str], target: list[str], *args: str) -> dict:
    env = {**os.environ, "HOME": os.environ.get("HOME", "/tmp")}
    done = subprocess.run([*inspector, *target, *args], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def check_catalogue_and_one_call_per_provider(inspector: list[str], target: list[str]) -> None:
    listed = run_inspector(inspector, target, "--method", "tools/list")
    names = {tool["name"] for tool in listed["tools"]}
    assert len(names) == 57
    assert all("outputSchema" in tool and "annotations" in tool for tool in listed["tools"])
    for provider, tool in CALLS.items():
        result = run_inspector(inspector, target, "--method", "tools/call", "--tool-name", tool)
        assert result["isError"] is False, (provider, result)
        assert result["structuredContent"], provider


def test_the_inspector_cli_lists_57_tools_and_calls_one_per_provider_over_stdio(inspector):
    check_catalogue_and_one_call_per_provider(inspector, SERVER)


@pytest.fixture
def http_server() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [*SERVER, "--transport", "http", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()


def test_the_inspector_cli_lists_57_tools_and_calls_one_per_provider_over_http(inspector, http_server):
    check_catalogue_and_one_call_per_provider(inspector, [http_server])

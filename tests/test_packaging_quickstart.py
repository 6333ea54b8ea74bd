"""The README's first command block, run literally as a newcomer would: fresh copy, empty HOME, stock Python."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
# About 30 s of installing: CI runs it (.ci/run sets the variable), a quick local run does not.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not os.environ.get("OUTBOUND_SLOW_TESTS"), reason="slow: set OUTBOUND_SLOW_TESTS=1 (as .ci/run does)"
    ),
]
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", ".ci-venv", "__pycache__", "*.egg-info", "build", "dist", ".*_cache", ".hypothesis"
)
STOCK_BIN = "/usr/bin"  # Debian/Ubuntu's own python3, under PEP 668 there
PROVIDER_VARS = ("PERSISTIQ_", "SNOV_", "EPIXEL_", "OUTBOUND_MCP_")
# The tools the checkout publishes (test_catalogue keeps tool_schemas/ equal to the code).
PUBLISHED = {path.stem for path in (ROOT / "tool_schemas").glob("*.json")}


def quickstart_block() -> str:
    text = (ROOT / "README.md").read_text()
    quickstart = text.split("## Quickstart", 1)[1]
    block = re.search(r"```bash\n(.*?)```", quickstart, flags=re.S)
    assert block, "the README's Quickstart has no bash block"
    return block.group(1).strip()


def newcomer_env(home: Path) -> dict[str, str]:
    """No virtualenv of ours, no provider variables, an empty HOME; the machine's own pip configuration stays."""
    ours = str(Path(sys.executable).parent)
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != ours]
    if Path(STOCK_BIN, "python3").exists():
        path.insert(0, STOCK_BIN)
    env = {k: v for k, v in os.environ.items() if not k.startswith(PROVIDER_VARS) and k != "VIRTUAL_ENV"}
    return {**env, "HOME": str(home), "PATH": os.pathsep.join(path)}


def read_answer(process: subprocess.Popen[bytes], request_id: int, deadline: float) -> dict[str, Any]:
    """The JSON-RPC answer with this id; other stdout lines (pip's progress) are skipped."""
    assert process.stdout is not None
    pending = b""
    while time.monotonic() < deadline:
        if not select.select([process.stdout], [], [], 1.0)[0]:
            assert process.poll() is None, f"the block ended with {process.returncode} before answering"
            continue
        chunk = os.read(process.stdout.fileno(), 65536)
        assert chunk, "stdout closed before the server answered"
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if line.startswith(b"{"):
                message = json.loads(line)
                if message.get("id") == request_id:
                    return message
    raise AssertionError(f"no answer to request {request_id} in time")


def send(process: subprocess.Popen[bytes], message: dict[str, Any]) -> None:
    assert process.stdin is not None
    process.stdin.write(json.dumps({"jsonrpc": "2.0", **message}).encode() + b"\n")
    process.stdin.flush()


def test_the_readme_first_block_installs_into_a_venv_and_the_server_answers_tools_list(tmp_path: Path):
    checkout, home = tmp_path / "outbound-mcp", tmp_path / "home"
    shutil.copytree(ROOT, checkout, ignore=NOT_SOURCE)
    home.mkdir()
    block = quickstart_block()
    assert "venv" in block and "outbound-mcp --sandbox" in block

    with subprocess.Popen(
        ["bash", "-c", block],
        cwd=checkout,
        env=newcomer_env(home),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    ) as process:
        try:
            deadline = time.monotonic() + 600
            init = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
            send(process, {"id": 1, "method": "initialize", "params": init})
            assert "result" in read_answer(process, 1, deadline)
            send(process, {"method": "notifications/initialized"})
            send(process, {"id": 2, "method": "tools/list"})
            tools: list[dict[str, Any]] = read_answer(process, 2, deadline)["result"]["tools"]
        finally:
            os.killpg(process.pid, signal.SIGKILL)  # bash and the server it started
    names = [tool["name"] for tool in tools]
    assert len(names) == len(set(names)) and set(names) == PUBLISHED
    assert (checkout / ".venv" / "bin" / "outbound-mcp").exists()

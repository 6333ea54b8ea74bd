"""Start-up cases a person meets first: each prints one line on stderr and ends with a known exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mcp_server.stdio import TERMINAL_HINT

pytestmark = pytest.mark.e2e

PROVIDER_VARS = ("PERSISTIQ_", "SNOV_", "EPIXEL_", "OUTBOUND_MCP_")
KEY = {"PERSISTIQ_API_KEY": "persistiq-key-1"}
INITIALIZE = json.dumps(
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }
)


def run_server(env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.upper().startswith(PROVIDER_VARS)}
    return subprocess.run(
        [sys.executable, "-m", "mcp_server"],
        env={**clean, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "line"),
    [
        pytest.param(
            {"PERSISTIQ_APIKEY": "persistiq-key-1"},
            "outbound-mcp: configuration error: PERSISTIQ_APIKEY is not a variable outbound-mcp reads: "
            "did you mean PERSISTIQ_API_KEY? Rename it (every variable: README, Configuration)",
            id="a misspelt name",
        ),
        pytest.param(
            {"persistiq_api_key": "persistiq-key-1"},
            "outbound-mcp: configuration error: persistiq_api_key: variable names are upper-case; "
            "rename it PERSISTIQ_API_KEY (the lower-case name is not read)",
            id="a lower-case name",
        ),
        pytest.param(
            {**KEY, "outbound_mcp_read_only": "true"},
            "outbound-mcp: configuration error: outbound_mcp_read_only: variable names are upper-case; "
            "rename it OUTBOUND_MCP_READ_ONLY (the lower-case name is not read)",
            id="a lower-case name beside a working key",
        ),
        pytest.param(
            {**KEY, "SNOV_CLIENTID": "snov-id"},
            "outbound-mcp: configuration error: SNOV_CLIENTID is not a variable outbound-mcp reads: "
            "did you mean SNOV_CLIENT_ID? Rename it (every variable: README, Configuration)",
            id="a misspelt name beside a working key",
        ),
    ],
)
def test_a_misspelt_or_wrongly_cased_variable_is_named_with_its_close_match_and_start_up_stops(
    env: dict[str, str], line: str
):
    result = run_server(env)

    assert result.returncode == 2
    assert result.stderr.splitlines() == [line]
    assert result.stdout == ""


def test_an_unrelated_variable_under_a_provider_prefix_is_left_alone():
    result = run_server({**KEY, "SNOV_THEME": "dark"}, stdin="")

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_a_person_typing_a_line_that_is_not_json_is_told_once_that_the_server_speaks_mcp_on_stdin():
    result = run_server(KEY, stdin="hello\nlist tools\n")

    assert result.returncode == 0
    assert result.stderr.splitlines().count(TERMINAL_HINT) == 1, result.stderr
    assert TERMINAL_HINT.startswith("outbound-mcp: this server speaks MCP")


def test_a_client_whose_first_line_is_json_never_sees_the_hint():
    result = run_server(KEY, stdin=INITIALIZE + "\n")

    assert result.returncode == 0
    assert TERMINAL_HINT not in result.stderr
    assert json.loads(result.stdout.splitlines()[0])["id"] == 1

"""Every start-up mistake a newcomer makes: one stderr line naming the variable or flag and the fix, non-zero exit."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from mcp_server.cli import main
from mcp_server.settings import load_settings

PROVIDER_VARS = ("PERSISTIQ_", "SNOV_", "EPIXEL_", "OUTBOUND_MCP_", "HTTP_TIMEOUT", "POLL_", "RATE_WINDOW")
EPIXEL = {"EPIXEL_BASE_URL": "https://crm.example.com/api/v1"}
PIQ = {"PERSISTIQ_API_KEY": "persistiq-key-1"}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for key in list(os.environ):
        if key.startswith(PROVIDER_VARS):
            monkeypatch.delenv(key)
    return monkeypatch


# (env, argv, words the one line must contain: the variable or flag, and what to do)
MISTAKES = [
    pytest.param({}, [], ["PERSISTIQ_API_KEY", "--sandbox"], id="no variables at all"),
    pytest.param(
        {"PERSISTIQ_APIKEY": "typo-in-the-name"},
        [],
        ["PERSISTIQ_APIKEY", "did you mean PERSISTIQ_API_KEY?"],
        id="a typo in a name",
    ),
    pytest.param({"PERSISTIQ_API_KEY": ""}, [], ["PERSISTIQ_API_KEY"], id="an empty key"),
    pytest.param(
        {**EPIXEL, "EPIXEL_API_KEY": "epixel-key-1"},
        [],
        ["EPIXEL_ACCESS_TOKEN", "EPIXEL_USERNAME"],
        id="epixel key without token or login",
    ),
    pytest.param(
        {**EPIXEL, "EPIXEL_ACCESS_TOKEN": "epixel-token-1"}, [], ["EPIXEL_API_KEY"], id="epixel token without the key"
    ),
    pytest.param(
        PIQ, ["--tools", "snov_get_balance"], ["--tools", "SNOV_CLIENT_ID"], id="tools only of a provider that is off"
    ),
    pytest.param(
        PIQ,
        ["--read-only", "--tools", "persistiq_create_leads"],
        ["--read-only", "--no-read-only"],
        id="read-only with only write tools",
    ),
    pytest.param(
        {**PIQ, "OUTBOUND_MCP_READ_ONLY": "true", "OUTBOUND_MCP_TOOLS": "persistiq_create_leads"},
        [],
        ["OUTBOUND_MCP_READ_ONLY", "--no-read-only"],
        id="read-only variable with only write tools",
    ),
    pytest.param(PIQ, ["--toolsets", "bogus", "tools"], ["bogus", "allowed: persistiq"], id="tools with a bad toolset"),
    pytest.param(PIQ, ["--port", "99999"], ["--port", "1-65535"], id="port out of range"),
    pytest.param(PIQ, ["--port", "eighty"], ["--port", "not a port"], id="port not a number"),
    pytest.param(PIQ, ["sandbox", "--port", "0"], ["--port", "1-65535"], id="sandbox port out of range"),
    pytest.param(PIQ, ["--log-level", "loud"], ["--log-level", "WARNING"], id="unknown log level flag"),
    pytest.param(
        {**PIQ, "OUTBOUND_MCP_LOG_LEVEL": "loud"}, [], ["OUTBOUND_MCP_LOG_LEVEL", "WARNING"], id="unknown log level"
    ),
    pytest.param(
        {**PIQ, "OUTBOUND_MCP_HTTP_TIMEOUT": "abc"}, [], ["OUTBOUND_MCP_HTTP_TIMEOUT", "number"], id="bad timeout"
    ),
]


@pytest.mark.parametrize(("env", "argv", "words"), MISTAKES)
def test_a_configuration_mistake_stops_start_up_with_one_line_saying_what_to_change(
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    argv: list[str],
    words: list[str],
):
    for key, value in env.items():
        clean_env.setenv(key, value)
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's own errors exit from inside
        code = exit_.code
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code not in (0, None)
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0], lines[0]
    assert out == ""


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(PROVIDER_VARS)}
    return subprocess.run(
        [sys.executable, "-m", "mcp_server", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["--sandbox", "--transport", "http", "--port"], id="http server"),
        pytest.param(["sandbox", "--port"], id="sandbox subcommand"),
    ],
)
def test_a_busy_port_is_one_line_and_nothing_claims_to_be_serving(busy_port: int, argv: list[str]):
    result = run_cli({}, *argv, str(busy_port))
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2
    assert len(lines) == 1, result.stderr
    assert f"--port {busy_port}" in lines[0] and "choose another --port" in lines[0]
    assert "streamable HTTP on" not in result.stderr and "Sandbox serving" not in result.stdout


def test_unprefixed_tuning_variables_in_the_shell_are_not_read(clean_env: pytest.MonkeyPatch):
    for name in (
        "HTTP_TIMEOUT",
        "POLL_WAIT",
        "POLL_INTERVAL",
        "RATE_WINDOW",
        "PERSISTIQ_RATE_LIMIT",
        "SNOV_RATE_LIMIT",
    ):
        clean_env.setenv(name, "abc")
    settings = load_settings(**{"persistiq_api_key": "persistiq-key-1"})
    assert (settings.http_timeout, settings.poll_wait, settings.rate_window) == (30.0, 25.0, 60.0)


def test_prefixed_tuning_variables_are_read_and_overrides_keep_the_short_names(clean_env: pytest.MonkeyPatch):
    clean_env.setenv("OUTBOUND_MCP_HTTP_TIMEOUT", "7.5")
    clean_env.setenv("OUTBOUND_MCP_SNOV_RATE_LIMIT", "9")
    settings = load_settings()
    assert (settings.http_timeout, settings.snov_rate_limit) == (7.5, 9)
    assert load_settings(http_timeout=2.0, poll_wait=0.5).http_timeout == 2.0


def test_an_empty_or_blank_key_does_not_turn_a_provider_on(clean_env: pytest.MonkeyPatch):
    assert load_settings(persistiq_api_key="").enabled_providers() == []
    assert load_settings(persistiq_api_key="  \n", snov_client_id="", snov_client_secret="").enabled_providers() == []
    assert load_settings(persistiq_base_url="").persistiq_base_url == "https://api.persistiq.com"


def test_no_read_only_on_the_command_line_beats_the_variable(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    clean_env.setenv("OUTBOUND_MCP_READ_ONLY", "true")
    for key, value in PIQ.items():
        clean_env.setenv(key, value)
    assert main(["--tools", "persistiq_create_leads", "--no-read-only", "tools"]) == 0
    assert capsys.readouterr().out.split()[0] == "persistiq_create_leads"


def test_help_names_the_credential_variables_and_points_at_the_readme(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for name in ("PERSISTIQ_API_KEY", "SNOV_CLIENT_SECRET", "EPIXEL_API_KEY", "OUTBOUND_MCP_HTTP_TOKEN", "README"):
        assert name in text
    assert "--no-read-only" in text and "--log-level" in text


def test_every_sandbox_subcommand_option_has_help_text(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit):
        main(["sandbox", "--help"])
    lines = capsys.readouterr().out.splitlines()
    options = [i for i, line in enumerate(lines) if line.startswith("  --") and not line.startswith("  -h")]
    assert len(options) >= 5
    for i in options:
        option, _, rest = lines[i].strip().partition("  ")
        next_line = lines[i + 1] if i + 1 < len(lines) else ""
        wrapped = next_line.startswith(" " * 10) and not next_line.strip().startswith("-")
        assert rest.strip() or wrapped, f"{option} has no help text"

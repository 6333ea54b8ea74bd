"""The compose deployment cannot be left unsafe: sample secrets are refused, a mistake does not restart forever,
Redis keeps its data."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, cast

import pytest
import yaml

from mcp_server.cli import main

ROOT = Path(__file__).resolve().parents[1]
PROVIDER_VARS = ("PERSISTIQ_", "SNOV_", "EPIXEL_", "OUTBOUND_MCP_")
SERVER_SECRETS = ("OUTBOUND_MCP_HTTP_TOKEN", "OUTBOUND_MCP_STATE_SECRET")
GOOD_SECRET = "0f" * 32


def env_example() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines() if "=" in line)
    return {name.strip(): value.strip() for name, value in pairs if not name.lstrip().startswith("#")}


def compose() -> dict[str, Any]:
    return cast("dict[str, Any]", yaml.safe_load((ROOT / "compose.yaml").read_text()))


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for key in list(os.environ):
        if key.startswith(PROVIDER_VARS):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PERSISTIQ_API_KEY", "persistiq-key-1")
    return monkeypatch


@pytest.mark.parametrize("variable", SERVER_SECRETS)
def test_the_sample_secret_from_env_example_is_refused_at_start_with_one_line_naming_it(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str
):
    sample = env_example()
    for name in SERVER_SECRETS:
        clean_env.setenv(name, GOOD_SECRET)
    clean_env.setenv(variable, sample[variable])

    code = main(["--transport", "http", "--port", "1"])

    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert lines == [
        f"outbound-mcp: configuration error: {variable}: is still the placeholder from .env.example; "
        'generate a value with python -c "import secrets; print(secrets.token_hex(32))"'
    ]


def test_env_example_says_how_to_generate_each_server_secret():
    text = (ROOT / ".env.example").read_text()
    for variable in SERVER_SECRETS:
        before = text[: text.index(f"\n{variable}=")]
        assert before.splitlines()[-1].strip() == '#   python -c "import secrets; print(secrets.token_hex(32))"'


def test_a_replica_with_a_configuration_error_is_restarted_a_bounded_number_of_times():
    services = compose()["services"]
    for name in ("mcp-1", "mcp-2"):
        assert re.fullmatch(r"on-failure:[1-9]", services[name]["restart"]), services[name]["restart"]


def test_redis_keeps_its_data_in_an_append_only_file_on_a_named_volume():
    document = compose()
    redis = document["services"]["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    volume, _, mount = redis["volumes"][0].partition(":")
    assert mount == "/data" and volume in document["volumes"]

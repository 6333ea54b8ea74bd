"""The Claude Desktop bundle: built by one command, its manifest valid for the bundle format (0.4, uv), its
settings true to the code, and a server started exactly as the manifest says lists its tools."""

from __future__ import annotations

import json
import os
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from mcp import Client, StdioServerParameters

from mcp_server.catalogue import all_tools
from mcp_server.cli import main
from mcp_server.settings import credentials, load_settings

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]
ROOT = Path(__file__).resolve().parents[1]
# dist/mcpb-manifest-v0.4.schema.json of the npm package @anthropic-ai/mcpb 2.1.2 (what `mcpb validate` uses).
SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "mcpb-manifest-v0.4.schema.json").read_text())
SETTING = re.compile(r"^\$\{user_config\.([a-z_]+)\}$")


@pytest.fixture
def bundle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    code = main(["bundle", "--out", str(tmp_path / "dist")])
    written = Path(capsys.readouterr().out.strip().removeprefix("wrote "))
    assert code == 0 and written.suffix == ".mcpb"
    folder = tmp_path / "installed"
    with zipfile.ZipFile(written) as archive:
        archive.extractall(folder)
    return folder


def manifest_of(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text())


def test_the_bundle_manifest_is_valid_for_the_bundle_format_and_runs_through_uv(bundle: Path):
    manifest = manifest_of(bundle)

    jsonschema.validate(manifest, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert manifest["manifest_version"] == "0.4"
    assert manifest["server"]["type"] == "uv"
    assert manifest["server"]["mcp_config"]["command"] == "uv"
    assert (bundle / manifest["server"]["entry_point"]).exists()
    assert (bundle / manifest["icon"]).read_bytes().startswith(b"\x89PNG")
    assert "[tool.uv]\npackage = false" in (bundle / "pyproject.toml").read_text()


def test_the_bundle_lists_every_tool_of_the_code(bundle: Path):
    assert [tool["name"] for tool in manifest_of(bundle)["tools"]] == [tool.name for tool in all_tools()]


def test_every_setting_reaches_the_server_and_keys_are_sensitive_as_the_code_marks_them(bundle: Path):
    manifest = manifest_of(bundle)
    settings = manifest["user_config"]
    env = manifest["server"]["mcp_config"]["env"]
    referenced = {match.group(1) for value in env.values() if (match := SETTING.match(value))}

    assert referenced == set(settings)
    for credential in credentials():
        assert settings[credential.field]["sensitive"] is credential.secret
        assert env[credential.field.upper()] == f"${{user_config.{credential.field}}}"
    assert settings["sandbox"]["default"] is True
    assert settings["read_only"]["type"] == "boolean" and settings["snov_max_credits"]["type"] == "number"


def as_the_host_starts_it(folder: Path, values: dict[str, str]) -> StdioServerParameters:
    """The manifest's command with ``${__dirname}`` and the settings filled in, as Claude Desktop does, under
    ``env -i``: nothing else in the environment (no PATH, no HOME; the SDK's client would pass its own few)
    but the state folder of this test run. uv is not on this machine: ``uv run --directory D main.py`` is run
    as its environment's python running main.py in D."""
    config = manifest_of(folder)["server"]["mcp_config"]
    args = [arg.replace("${__dirname}", str(folder)) for arg in config["args"]]
    assert config["command"] == "uv" and args[:3] == ["run", "--directory", str(folder)]
    env = {"XDG_STATE_HOME": os.environ["XDG_STATE_HOME"]}
    for name, value in config["env"].items():
        match = SETTING.match(value)
        env[name] = values.get(match.group(1), "") if match else value
    assignments = [f"{name}={value}" for name, value in env.items()]
    return StdioServerParameters(
        command="/usr/bin/env", args=["-i", *assignments, sys.executable, *args[3:]], cwd=folder
    )


@pytest.mark.skipif(sys.platform == "win32", reason="env -i empties the environment on POSIX")
async def test_started_as_the_manifest_says_with_the_default_sandbox_setting_the_server_lists_its_tools(
    bundle: Path,
):
    defaults = {
        key: str(s["default"]).lower() for key, s in manifest_of(bundle)["user_config"].items() if "default" in s
    }
    assert defaults == {"sandbox": "true", "read_only": "false"}

    async with Client(as_the_host_starts_it(bundle, defaults)) as client:
        listed = await client.list_tools()
        balance = await client.call_tool("snov_get_balance", {})

    assert [tool.name for tool in listed.tools] == [tool["name"] for tool in manifest_of(bundle)["tools"]]
    assert not balance.is_error


@pytest.mark.parametrize("left", ["", "${user_config.snov_max_credits}"], ids=["empty", "unreplaced"])
def test_a_bundle_setting_the_person_left_empty_counts_as_unset(monkeypatch: pytest.MonkeyPatch, left: str):
    for name in ("SNOV_MAX_CREDITS", "PERSISTIQ_API_KEY", "EPIXEL_BASE_URL", "OUTBOUND_MCP_READ_ONLY"):
        monkeypatch.setenv(name, left.replace("snov_max_credits", name.lower()))
    monkeypatch.setenv("OUTBOUND_MCP_SANDBOX", "true")

    settings = load_settings()

    assert settings.snov_max_credits is None and settings.persistiq_api_key is None
    assert settings.epixel_base_url is None and settings.outbound_mcp_read_only is False
    assert settings.outbound_mcp_sandbox is True

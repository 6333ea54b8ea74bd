"""``server.json``, the MCP registry entry: valid against the registry's 2025-12-11 schema, and true to the code
(every variable it names is one the server reads, every credential marked secret as the code marks it)."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import jsonschema

from mcp_server import __version__
from mcp_server.settings import SERVER_SECRETS, credentials
from mcp_server.variables import known_variables

ROOT = Path(__file__).resolve().parents[1]
ENTRY: dict[str, Any] = json.loads((ROOT / "server.json").read_text())
SCHEMA: dict[str, Any] = json.loads((ROOT / "tests" / "fixtures" / "server.schema.json").read_text())


def by_name(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in items}


def test_server_json_is_valid_against_the_registry_schema_it_names():
    assert (
        SCHEMA["$id"]
        == ENTRY["$schema"]
        == "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
    )
    jsonschema.validate(ENTRY, SCHEMA, format_checker=jsonschema.FormatChecker())


def test_server_json_names_the_repository_website_icon_and_this_version():
    assert ENTRY["repository"] == {"url": "https://github.com/outbound-mcp/outbound-mcp", "source": "github"}
    assert ENTRY["websiteUrl"].startswith("https://github.com/outbound-mcp/outbound-mcp")
    assert ENTRY["version"] == ENTRY["packages"][0]["version"] == __version__
    (icon,) = ENTRY["icons"]
    assert icon["src"].endswith("/main/icon.png") and icon["mimeType"] == "image/png"
    png = (ROOT / "icon.png").read_bytes()
    width, height = struct.unpack(">II", png[16:24])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and icon["sizes"] == [f"{width}x{height}"]


def test_every_environment_variable_in_server_json_is_one_the_server_reads():
    named = by_name(ENTRY["packages"][0]["environmentVariables"])
    assert set(named) <= known_variables()


def test_every_credential_is_in_the_package_and_in_the_remote_headers_marked_secret_as_the_code_marks_it():
    variables = by_name(ENTRY["packages"][0]["environmentVariables"])
    (remote,) = ENTRY["remotes"]
    headers = by_name(remote["headers"])
    for credential in credentials():
        assert variables[credential.field.upper()]["isSecret"] is credential.secret, credential.field
        assert headers[credential.header]["isSecret"] is credential.secret, credential.header
    for secret in SERVER_SECRETS:
        assert variables[secret.upper()]["isSecret"] is True


def test_the_remote_is_team_mode_over_streamable_http_behind_a_bearer_token():
    (remote,) = ENTRY["remotes"]
    assert remote["type"] == "streamable-http" and remote["url"] == "https://{host}/mcp"
    assert remote["variables"]["host"]["isRequired"] is True
    authorization = by_name(remote["headers"])["Authorization"]
    assert authorization["value"] == "Bearer {token}"
    assert authorization["isRequired"] is True and authorization["isSecret"] is True

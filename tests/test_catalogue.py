"""The public interface: tool names, schemas, annotations, tool_schemas/ and server.json."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import jsonschema

from mcp_server import __version__
from mcp_server.catalogue import all_tools, readme_tools_block, schema_drift, write_schemas

ROOT = Path(__file__).resolve().parents[1]
# A copy of the shared catalogue, so that the test runs (not skips) in any checkout: refresh it when the
# catalogue grows (tool names are added, never renamed).
CATALOGUE = ROOT / "tests" / "fixtures" / "tool-catalogue.md"


def test_every_tool_has_input_and_output_schemas_a_description_and_all_four_annotations():
    for tool in all_tools():
        assert re.fullmatch(r"[A-Za-z0-9_.-]{1,128}", tool.name)
        assert tool.parameters["type"] == "object", tool.name
        assert tool.output_schema and tool.output_schema["type"] == "object", tool.name
        assert len(tool.description) > 40, tool.name
        a = tool.annotations
        assert a is not None and tool.title, tool.name
        for hint in (a.read_only_hint, a.destructive_hint, a.idempotent_hint, a.open_world_hint):
            assert hint is not None, tool.name


def test_the_tools_are_exactly_the_catalogue_names_each_once():
    names = set(re.findall(r"^\| `([a-z_]+)` \|", CATALOGUE.read_text(), flags=re.M))
    built = [t.name for t in all_tools()]
    assert len(built) == len(set(built))
    assert set(built) == names


def test_tool_schemas_folder_matches_the_code():
    drift = schema_drift(ROOT / "tool_schemas")
    assert drift == [], "run `outbound-mcp schemas --write`: " + ", ".join(drift[:5])


def test_the_drift_check_notices_a_changed_schema(tmp_path: Path):
    write_schemas(tmp_path)
    assert schema_drift(tmp_path) == []
    victim = sorted(tmp_path.glob("*.json"))[0]
    victim.write_text(victim.read_text().replace('"type": "object"', '"type": "array"', 1))
    (tmp_path / "retired_tool.json").write_text("{}")
    drift = schema_drift(tmp_path)
    assert f"changed: {victim.name}" in drift
    assert "not a tool any more: retired_tool.json" in drift


def test_server_json_is_valid_for_the_registry_and_matches_the_package():
    manifest = json.loads((ROOT / "server.json").read_text())
    schema = json.loads((ROOT / "tests" / "fixtures" / "server.schema.json").read_text())
    jsonschema.validate(manifest, schema)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert manifest["version"] == pyproject["project"]["version"] == __version__
    package = manifest["packages"][0]
    assert package["version"] == __version__
    assert package["identifier"] == pyproject["project"]["name"]
    declared = {v["name"]: v for v in package["environmentVariables"]}
    settings_doc = (ROOT / "README.md").read_text()
    # The README links to docs/ for the rest (a variable documented in either counts).
    documented = settings_doc + "".join(path.read_text() for path in sorted((ROOT / "docs").glob("*.md")))
    for name, var in declared.items():
        assert f"`{name}`" in documented, f"{name} missing from the README and docs/"
        secret = any(word in name for word in ("KEY", "SECRET", "TOKEN", "PASSWORD", "CLIENT_ID"))
        assert var.get("isSecret", False) is secret, name
    assert f"mcp-name: {manifest['name']}" in settings_doc


def test_the_readme_tool_list_is_the_one_made_from_the_code():
    readme = (ROOT / "README.md").read_text()
    listed = readme.split("<!-- tools:start -->\n", 1)[1].split("\n<!-- tools:end -->", 1)[0]
    assert listed == readme_tools_block(), "run: python -m mcp_server.catalogue"
    for tool in all_tools():
        assert f"`{tool.name}`" in listed, tool.name


def test_output_schemas_are_typed_down_to_the_records_a_list_tool_returns():
    for tool in all_tools():
        items = tool.output_schema["properties"].get("items") if tool.output_schema else None
        if items is None or "items" not in items:  # a list is known by its items
            continue
        record = items.get("items", {})
        assert record.get("properties") or record.get("type") in ("string", "integer"), tool.name
    listed = next(t for t in all_tools() if t.name == "snov_list_prospects_in_list").output_schema
    assert listed is not None
    contacts = listed["properties"]
    columns = contacts["columns"]["items"]["enum"]
    cells = contacts["rows"]["items"]["prefixItems"]
    assert len(cells) <= len(columns), "text cells past the last typed one are left unsaid"
    assert cells[columns.index("status")] == {}, "a text cell: its column's name says what it holds"
    assert cells[columns.index("verified")] == {"type": ["boolean", "null"]}

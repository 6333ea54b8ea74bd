"""What a package index and a newcomer see: license, changelog, metadata, the registry schema, the warning policy."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from mcp_server import __version__

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_the_license_file_is_the_mit_license_pyproject_declares():
    assert PYPROJECT["license"] == "MIT"
    assert PYPROJECT["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in text


def test_the_changelog_has_a_section_for_the_current_version():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## [{__version__}]" in changelog
    assert "## [Unreleased]" in changelog


def test_the_project_has_urls_and_classifiers_for_the_package_index():
    assert {"Homepage", "Source", "Issues", "Changelog"} <= set(PYPROJECT["urls"])
    classifiers = PYPROJECT["classifiers"]
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert not any(c.startswith("License ::") for c in classifiers), "PEP 639: the license expression says it"


def test_the_registry_schema_copy_is_the_one_server_json_names():
    schema = json.loads((ROOT / "tests" / "fixtures" / "server.schema.json").read_text())
    manifest = json.loads((ROOT / "server.json").read_text())
    assert schema["$id"] == manifest["$schema"]


WARNINGS = """
import warnings

def test_a_dependency_deprecates_something_inside_itself():
    warnings.warn_explicit("old", DeprecationWarning, "somedep/__init__.py", 1, module="somedep")

def test_our_code_calls_something_deprecated():
    warnings.warn_explicit("old", DeprecationWarning, "mcp_server/x.py", 1, module="mcp_server.x")
"""


@pytest.mark.e2e
def test_a_deprecation_inside_a_dependency_is_shown_but_one_from_our_code_fails(tmp_path: Path):
    (tmp_path / "test_warnings.py").write_text(WARNINGS)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",
            str(tmp_path),
            "-rA",
            "test_warnings.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "PASSED test_warnings.py::test_a_dependency_deprecates_something_inside_itself" in result.stdout
    assert "FAILED test_warnings.py::test_our_code_calls_something_deprecated" in result.stdout

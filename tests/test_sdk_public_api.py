"""The package uses the SDK's public API only, so its ``mcp`` requirement can follow the SDK's minor
releases: no module reaches into SDK internals (``fn_metadata``, ``_tool_manager``, private modules or
names), except the one stdio seam that falls back to the public runner when it is gone."""

from __future__ import annotations

import ast
from pathlib import Path

import mcp_server

PACKAGE = Path(mcp_server.__file__).parent
INTERNALS = {"fn_metadata", "_tool_manager", "_lowlevel_server", "_mcp_server"}
ALLOWED = {("stdio.py", "_lowlevel_server")}  # read with getattr and a public fallback


def internal_uses(tree: ast.AST, name: str) -> list[str]:
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in INTERNALS:
            found.append(f"{name}:{node.lineno} .{node.attr}")
        elif isinstance(node, ast.Constant) and node.value in INTERNALS and (name, node.value) not in ALLOWED:
            found.append(f"{name}:{node.lineno} {node.value!r}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "mcp":
            parts = (node.module or "").split(".") + [alias.name for alias in node.names]
            found += [f"{name}:{node.lineno} {node.module}.{p}" for p in parts if p.startswith("_")]
    return found


def test_no_module_of_the_package_reaches_into_sdk_internals():
    found: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += internal_uses(ast.parse(path.read_text()), str(path.relative_to(PACKAGE)))
    assert found == []


def test_the_check_finds_an_internal_use_when_there_is_one():
    code = "tool.fn_metadata.output_schema = {}\nfrom mcp.server.mcpserver.utilities import _private\n"
    assert len(internal_uses(ast.parse(code), "x.py")) == 2


def sdk_subclasses(tree: ast.AST, name: str) -> list[str]:
    """Classes that subclass one of the SDK's internal registration classes (its ``Tool``, ``FuncMetadata``)."""
    internal = {"Tool", "FuncMetadata", "ToolManager"}
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "mcp"
        for alias in node.names
        if alias.name in internal
    }
    return [
        f"{name}:{node.lineno} {node.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        for base in node.bases
        if isinstance(base, ast.Name) and base.id in imported
    ]


def test_tools_are_registered_as_the_sdk_makes_them_not_through_a_subclass_of_its_tool():
    found: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += sdk_subclasses(ast.parse(path.read_text()), str(path.relative_to(PACKAGE)))
    assert found == []
    code = "from mcp.server.mcpserver.tools import Tool\nclass Strict(Tool):\n    pass\n"
    assert sdk_subclasses(ast.parse(code), "x.py") == ["x.py:2 Strict"]

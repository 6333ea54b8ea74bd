"""The server and its sandbox stay apart: ``outbound_sandbox`` imports nothing from ``mcp_server``, and
``mcp_server`` imports ``outbound_sandbox`` only lazily, inside the ``cli.py`` functions that start it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVER, SANDBOX = "mcp_server", "outbound_sandbox"
# The one seam: (file, function) pairs whose body may import the sandbox, so a plain
# ``import mcp_server`` never loads it. ``_configured`` serves ``--sandbox``, ``_sandbox`` ``outbound-mcp sandbox``.
SEAM = {("mcp_server/cli.py", "_configured"), ("mcp_server/cli.py", "_sandbox")}
FORBIDDEN = {SERVER: SANDBOX, SANDBOX: SERVER}


def imported_modules(node: ast.Import | ast.ImportFrom, path: Path) -> list[str]:
    """Absolute names the statement imports; relative ones resolved against the file's package."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not node.level:
        return [node.module or ""]
    package = list(path.parent.parts)  # a module's package, and an __init__'s own package, alike
    if node.level - 1 >= len(package):
        return [f"<{'.' * node.level}{node.module or ''} above the top level>"]
    base = ".".join(package[: len(package) - (node.level - 1)])
    if node.module:
        return [f"{base}.{node.module}"]
    return [f"{base}.{alias.name}" for alias in node.names]


class Imports(ast.NodeVisitor):
    """Every import of a module (statements, and ``import_module``/``__import__`` of a literal name) as
    (line, absolute name, innermost function around it or None at module level)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.found: list[tuple[int, str, str | None]] = []
        self.functions: list[str] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def note(self, line: int, names: list[str]) -> None:
        self.found += [(line, name, self.functions[-1] if self.functions else None) for name in names]

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        self.note(node.lineno, imported_modules(node, self.path))

    visit_ImportFrom = visit_Import

    def visit_Call(self, node: ast.Call) -> None:
        callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        first = node.args[0] if node.args else None
        if callee in {"import_module", "__import__"} and isinstance(first, ast.Constant):
            self.note(node.lineno, [str(first.value)])
        self.generic_visit(node)


def crossings(root: Path) -> tuple[list[str], set[tuple[str, str]], int]:
    """Imports across the boundary as ``file:line: ...`` lines, the seam entries actually used, files read."""
    bad: list[str] = []
    used: set[tuple[str, str]] = set()
    files = 0
    for package, other in FORBIDDEN.items():
        for file in sorted((root / package).rglob("*.py")):
            files += 1
            rel = file.relative_to(root)
            visitor = Imports(rel)
            visitor.visit(ast.parse(file.read_text(), filename=str(rel)))
            for line, name, function in visitor.found:
                if name.split(".")[0] != other and not name.startswith("<"):
                    continue
                where = (rel.as_posix(), function or "")
                if where in SEAM:
                    used.add(where)
                    continue
                scope = f"in {function}()" if function else "at module level"
                bad.append(f"{rel.as_posix()}:{line}: imports {name} {scope}")
    return bad, used, files


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_no_module_imports_across_the_boundary_except_at_the_cli_seam():
    bad, _, files = crossings(ROOT)
    assert files > 50, "the walk found too few modules to mean anything"
    assert not bad, "imports across the mcp_server / outbound_sandbox boundary:\n" + "\n".join(bad)


def test_every_seam_entry_the_test_allows_is_one_cli_py_uses():
    _, used, _ = crossings(ROOT)
    assert used == SEAM, f"unused seam entries (drop them from SEAM): {sorted(SEAM - used)}"


def test_the_check_names_file_and_line_of_a_crossing_in_either_direction(tmp_path: Path):
    write(tmp_path, "mcp_server/core/x.py", "import os\nfrom outbound_sandbox.kit import SandboxEnv\n")
    write(tmp_path, "outbound_sandbox/snov/app.py", "def f():\n    import mcp_server.settings\n")
    write(tmp_path, "outbound_sandbox/kit.py", "import importlib\nimportlib.import_module('mcp_server.core')\n")
    write(
        tmp_path,
        "mcp_server/cli.py",
        "import outbound_sandbox\n\ndef _sandbox():\n    from outbound_sandbox import app\n",
    )
    bad, used, _ = crossings(tmp_path)
    assert bad == [
        "mcp_server/cli.py:1: imports outbound_sandbox at module level",
        "mcp_server/core/x.py:2: imports outbound_sandbox.kit at module level",
        "outbound_sandbox/kit.py:2: imports mcp_server.core at module level",
        "outbound_sandbox/snov/app.py:2: imports mcp_server.settings in f()",
    ]
    assert used == {("mcp_server/cli.py", "_sandbox")}


def test_a_lazy_import_in_cli_py_outside_the_seam_functions_is_a_crossing(tmp_path: Path):
    write(tmp_path, "mcp_server/cli.py", "def main():\n    from outbound_sandbox.runner import serve_sandbox\n")
    write(tmp_path, "outbound_sandbox/__init__.py", "")
    assert crossings(tmp_path)[0] == ["mcp_server/cli.py:2: imports outbound_sandbox.runner in main()"]


def resolved(source: str, path: str) -> list[str]:
    (node,) = ast.parse(source).body
    assert isinstance(node, ast.ImportFrom)
    return imported_modules(node, Path(path))


def test_relative_imports_are_resolved_against_the_importing_package():
    module, init = "outbound_sandbox/snov/app.py", "outbound_sandbox/snov/__init__.py"
    assert resolved("from .core import ok", module) == ["outbound_sandbox.snov.core"]
    assert resolved("from .. import kit, config", module) == ["outbound_sandbox.kit", "outbound_sandbox.config"]
    assert resolved("from . import data", init) == ["outbound_sandbox.snov.data"]
    assert resolved("from ... import x", module) == ["<... above the top level>"]

"""The server's modules import in one direction: no cycle anywhere in ``mcp_server``, the core never reaches
the app around it (settings, providers, wiring, transports), and inside the core each layer imports only the
layers below it, in the order a newcomer reads them (docs/architecture.md):

    base (errors, guards, redact, scrub, tokens) < call < state < upstream < tools < lists

``tools`` (the wrapper, arguments, confirmations, answers) sits below ``lists`` because a page is cut to the size
an answer may carry. Every import counts: module level, inside functions, and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "mcp_server"
CORE = "mcp_server.core"
LAYERS = ("base", "call", "state", "upstream", "tools", "lists")
"""The core's layers, lowest first; a core module outside a subpackage is ``base``."""
ABOVE_CORE = ("mcp_server.settings", "mcp_server.app", "mcp_server.providers", "mcp_server.outcomes", "mcp_server.http")
"""What the core may never import: the app built on it."""


def modules(root: Path) -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own name, for its ``__init__``)."""
    found: dict[str, Path] = {}
    for file in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(file.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = file
    return found


def resolve(name: str, known: Iterable[str]) -> str | None:
    """The package module ``name`` loads: itself, or the longest known prefix (``from a import b`` of a name)."""
    names = set(known)
    while name:
        if name in names:
            return name
        name = name.rpartition(".")[0]
    return None


def loaded(node: ast.AST) -> list[str]:
    """The modules one statement or call loads, by their dotted names (their parent packages, which Python
    initialises first, are not counted: a package's ``__init__`` importing its own modules is no loop)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        return [f"{node.module}.{alias.name}" for alias in node.names]
    if isinstance(node, ast.Call) and node.args and isinstance(first := node.args[0], ast.Constant):
        callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        return [str(first.value)] if callee in {"import_module", "__import__"} else []
    return []


def all_edges(root: Path) -> dict[str, dict[str, int]]:
    """Each module's imports of other package modules, with the line of the first: ``from pkg import module``
    loads that module, ``from module import name`` the module."""
    known = modules(root)
    edges: dict[str, dict[str, int]] = {}
    for name, file in known.items():
        found = sorted(
            (node.lineno, imported)
            for node in ast.walk(ast.parse(file.read_text(), filename=str(file)))
            if isinstance(node, ast.Import | ast.ImportFrom | ast.Call)
            for imported in loaded(node)
        )
        targets: dict[str, int] = {}
        for line, imported in found:
            target = resolve(imported, known) if imported.startswith(PACKAGE) else None
            if target is not None and target != name:
                targets.setdefault(target, line)
        edges[name] = targets
    return edges


def cycles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """The import loops, each as the modules around it (strongly connected components of two or more)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def layer(module: str) -> str | None:
    """A core module's layer; None outside the core (and for the core package itself)."""
    if not module.startswith(CORE + "."):
        return None
    sub = module.removeprefix(CORE + ".").split(".")[0]
    return sub if sub in LAYERS else "base"


def violations(edges: dict[str, dict[str, int]]) -> list[str]:
    """Core imports of the app, and core imports of a higher layer, as ``module:line imports target`` lines."""
    bad: list[str] = []
    for module, targets in sorted(edges.items()):
        own = layer(module)
        if own is None:
            continue
        for target, line in sorted(targets.items()):
            if target.startswith(ABOVE_CORE) or not target.startswith(CORE):
                bad.append(f"{module}:{line} imports {target} (the app, above the core)")
                continue
            theirs = layer(target)
            if theirs is not None and LAYERS.index(theirs) > LAYERS.index(own):
                bad.append(f"{module}:{line} imports {target} ({theirs} is above {own})")
    return bad


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_no_module_of_the_server_takes_part_in_an_import_loop():
    edges = all_edges(ROOT)
    assert len(edges) > 100, "the walk found too few modules to mean anything"
    assert cycles(edges) == []


def test_the_core_imports_nothing_of_the_app_and_no_layer_imports_one_above_it():
    assert violations(all_edges(ROOT)) == []


def test_a_loop_through_a_from_import_of_a_module_is_found(tmp_path: Path):
    write(
        tmp_path,
        {
            "mcp_server/__init__.py": "",
            "mcp_server/a.py": "from mcp_server import b\n",
            "mcp_server/b.py": "def f():\n    from mcp_server.c import x\n",
            "mcp_server/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import mcp_server.a\nx = 1\n",
            "mcp_server/d.py": "import mcp_server.a\n",
        },
    )
    assert cycles(all_edges(tmp_path)) == [["mcp_server.a", "mcp_server.b", "mcp_server.c"]]


def test_a_core_import_of_the_settings_or_of_a_higher_layer_is_named_with_its_line(tmp_path: Path):
    write(
        tmp_path,
        {
            "mcp_server/settings.py": "",
            "mcp_server/core/__init__.py": "",
            "mcp_server/core/errors.py": "",
            "mcp_server/core/call/__init__.py": "",
            "mcp_server/core/call/deadline.py": "from mcp_server.core.errors import X\n",
            "mcp_server/core/lists/__init__.py": "",
            "mcp_server/core/lists/pages.py": "from mcp_server.core.call import deadline\n",
            "mcp_server/core/state/__init__.py": "import os\n\nfrom mcp_server.core.lists import pages\n",
            "mcp_server/core/tools/__init__.py": "",
            "mcp_server/core/tools/registry.py": "from mcp_server.settings import Settings\n",
        },
    )
    assert violations(all_edges(tmp_path)) == [
        "mcp_server.core.state:3 imports mcp_server.core.lists.pages (lists is above state)",
        "mcp_server.core.tools.registry:1 imports mcp_server.settings (the app, above the core)",
    ]

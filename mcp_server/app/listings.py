"""Each of the package's tools as tools/list shows it, saved once per version of the code, so that a start
serves tools/list from the saved entries and builds a tool only at its first call (``server.OutboundServer``).

Building the 62 tools (the SDK's ``Tool.from_function``, each argument model, pydantic's input and output
schemas) took about 0.25 s of every start. What they publish depends on the package's code and on the
libraries that write schemas, never on a setting (``built``), so the entries are saved under a key
hashed from exactly those: every Python source of the package, by content, and the running Python and the
installed pydantic, pydantic-core, mcp and mcp-types. An edit or an upgrade changes the key, and a start
under a new key builds every tool and saves them afresh: a stale schema is never served. The file lives in
``$XDG_CACHE_HOME/outbound-mcp`` (``~/.cache`` when unset); one that cannot be read or written costs only
the build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mcp
import mcp_types
import pydantic
import pydantic_core
from mcp.server.mcpserver.tools import Tool
from mcp.types import Tool as MCPTool
from mcp.types import ToolAnnotations

import mcp_server
from mcp_server.core.guards import is_str_dict
from mcp_server.core.tools.registry import ToolDef
from mcp_server.examples import declared

PACKAGE = Path(mcp_server.__file__).resolve().parent
LIBRARIES = {"pydantic": pydantic, "pydantic_core": pydantic_core, "mcp": mcp, "mcp_types": mcp_types}
"""The distributions whose code writes a published entry, by the module each installs."""
KEPT = 4
"""Saved files kept (the newest): a few versions run side by side (a checkout beside an installed copy)."""


@dataclass(frozen=True)
class Listing:
    """The package's tools as tools/list shows them, each beside its declaration (only that declaration
    may be served from its entry: a test's tool of the same name is another tool)."""

    entries: Mapping[str, tuple[ToolDef, MCPTool]]

    def of(self, tool: ToolDef) -> MCPTool | None:
        found = self.entries.get(tool.name)
        return found[1] if found is not None and found[0] is tool else None


def saved_listing(folder: Path | None = None, package: Path = PACKAGE) -> Listing:
    """The package's tools/list entries: read from the file saved under this code's key, or built (every
    tool, each once per process: ``built``) and saved there for the next start."""
    tools = declared()
    key = code_key(package)
    folder = folder or cache_dir()
    path = folder / f"tools-{key}.json" if folder is not None else None
    documents = read(path, key) if path is not None else None
    if documents is None or set(documents) != {tool.name for tool in tools}:
        documents = {tool.name: document(built(tool)) for tool in tools}
        if path is not None:
            write(path, key, documents)
    return Listing({tool.name: (tool, entry(documents[tool.name])) for tool in tools})


BUILT: dict[int, tuple[ToolDef, Tool]] = {}
"""Each declaration's SDK tool, built once per process: a build depends on the declaration alone (no setting),
and building all of them again cost every new server (one per test, per-call clients) about 150 ms."""


def built(tool: ToolDef) -> Tool:
    entry = BUILT.get(id(tool))
    if entry is None or entry[0] is not tool:  # the entry holds its declaration, so an id is never reused
        entry = BUILT[id(tool)] = (tool, tool.build())
    return entry[1]


def cache_dir() -> Path | None:
    """``$XDG_CACHE_HOME/outbound-mcp`` (``~/.cache`` when unset; a relative one is ignored, as the XDG rules
    say), or None when there is no home folder to put it in (nothing is saved then)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or "")
    if not base.is_absolute():
        base = Path(os.path.expanduser("~")) / ".cache"
    return base / "outbound-mcp" if base.is_absolute() else None


def code_key(package: Path = PACKAGE) -> str:
    """A hash of everything a published entry is made from: the package's sources (each file's path and
    content) and the running Python and schema-writing libraries (about 10 ms)."""
    digest = hashlib.sha256(sys.version.encode())
    for name, module in sorted(LIBRARIES.items()):
        digest.update(f"\0{name}\0{installed(name, module)}".encode())
    for path in sources(package):
        digest.update(f"\0{path.relative_to(package).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def sources(package: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found += [Path(root) / name for name in sorted(files) if name.endswith(".py")]
    return found


def installed(name: str, module: Any) -> str:
    """A library's installed version, from its ``.dist-info`` folder's name (importlib.metadata takes about
    100 ms), and its module file's size and time (a copy changed in place, or one installed without metadata)."""
    init = Path(module.__file__)
    folder = init.parent.parent
    try:
        infos = sorted(entry for entry in os.listdir(folder) if entry.startswith(f"{name}-") and "-info" in entry)
        stat = init.stat()
    except OSError:
        return str(init)
    return f"{init} {stat.st_size} {stat.st_mtime_ns} {' '.join(infos)}"


def document(tool: Tool) -> dict[str, Any]:
    """A built tool's entry as the SDK lists it (``MCPServer.list_tools``), as JSON."""
    shown = tool.annotations
    annotations = shown.model_dump(mode="json", by_alias=True, exclude_unset=True) if shown is not None else None
    return {
        "name": tool.name,
        "title": tool.title,
        "description": tool.description,
        "inputSchema": tool.parameters,
        "outputSchema": tool.output_schema,
        "annotations": annotations,
        "_meta": tool.meta,
    }


def entry(document: dict[str, Any]) -> MCPTool:
    """The entry as ``MCPServer.list_tools`` makes it of the built tool (the same fields set)."""
    annotations = document["annotations"]
    return MCPTool(
        name=document["name"],
        title=document["title"],
        description=document["description"],
        input_schema=document["inputSchema"],
        output_schema=document["outputSchema"],
        annotations=ToolAnnotations.model_validate(annotations) if annotations is not None else None,
        icons=None,
        _meta=document["_meta"],
    )


def read(path: Path, key: str) -> dict[str, dict[str, Any]] | None:
    """The saved entries, or None for a file that is missing, unreadable, cut short or under another key."""
    try:
        data: object = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not is_str_dict(data) or data.get("key") != key:
        return None
    tools = data.get("tools")
    if not is_str_dict(tools) or not all(is_str_dict(value) and value.keys() >= FIELDS for value in tools.values()):
        return None
    return {name: value for name, value in tools.items() if is_str_dict(value)}


FIELDS = frozenset({"name", "title", "description", "inputSchema", "outputSchema", "annotations", "_meta"})


def write(path: Path, key: str, documents: dict[str, dict[str, Any]]) -> None:
    """Saved whole or not at all (written aside, then renamed over), so a start that reads it while another
    writes it reads one version or the other; older versions' files beyond ``KEPT`` are removed."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial.write_text(json.dumps({"key": key, "tools": documents}, ensure_ascii=False))
        os.replace(partial, path)
        saved = sorted(path.parent.glob("tools-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in saved[KEPT:]:
            old.unlink(missing_ok=True)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)

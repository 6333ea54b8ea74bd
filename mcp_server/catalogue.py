"""The tool catalogue as data: for ``outbound-mcp tools`` and the checked-in ``tool_schemas/``."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mcp.server.mcpserver.tools.base import Tool

from mcp_server.core.provider import ProviderDef
from mcp_server.outcomes import OUTCOMES
from mcp_server.providers import ALL_PROVIDERS


def all_tools(providers: Sequence[ProviderDef] = ALL_PROVIDERS, *, outcomes: bool = True) -> list[Tool]:
    """The providers' tools, then (unless ``outcomes`` is False) the outcome tools built over them."""
    extra = OUTCOMES.tools if outcomes else []
    return [tool.build() for tool in [*(t for provider in providers for t in provider.toolset.tools), *extra]]


def tool_document(tool: Tool) -> dict[str, Any]:
    annotations = tool.annotations.model_dump(by_alias=True, exclude_none=True) if tool.annotations else {}
    return {
        "name": tool.name,
        "title": tool.title,
        "description": tool.description,
        "inputSchema": tool.parameters,
        "outputSchema": tool.output_schema,
        "annotations": annotations,
        **({"_meta": tool.meta} if tool.meta else {}),
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_schemas(directory: Path) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    wanted = {f"{t.name}.json": render(tool_document(t)) for t in all_tools()}
    for stale in directory.glob("*.json"):
        if stale.name not in wanted:
            stale.unlink()
    for name, text in wanted.items():
        (directory / name).write_text(text, encoding="utf-8")
    return len(wanted)


def schema_drift(directory: Path) -> list[str]:
    """What differs between the code and ``directory``: one line per file."""
    wanted = {f"{t.name}.json": render(tool_document(t)) for t in all_tools()}
    present = {p.name: p.read_text(encoding="utf-8") for p in directory.glob("*.json")} if directory.is_dir() else {}
    drift = [f"missing: {name}" for name in sorted(set(wanted) - set(present))]
    drift += [f"not a tool any more: {name}" for name in sorted(set(present) - set(wanted))]
    drift += [f"changed: {name}" for name in sorted(set(wanted) & set(present)) if wanted[name] != present[name]]
    return drift


def annotation_flags(tool: Tool) -> str:
    """``R``/``W``, then ``D``, ``I``, ``O`` or ``-`` for each hint that is off."""
    a = tool.annotations
    return "".join(
        [
            "R" if a and a.read_only_hint else "W",
            "D" if a and a.destructive_hint else "-",
            "I" if a and a.idempotent_hint else "-",
            "O" if a and a.open_world_hint else "-",
        ]
    )


def catalogue_lines(tools: Sequence[Tool] | None = None) -> list[str]:
    """One line per tool (all of them unless ``tools`` is given): name, annotation flags, first sentence."""
    chosen = all_tools() if tools is None else tools
    return [f"{tool.name:<40} {annotation_flags(tool)}  {first_sentence(tool.description)}" for tool in chosen]


def first_sentence(text: str | None) -> str:
    """A description's first sentence, on one line (a full stop inside "e.g." does not end it)."""
    flat = " ".join((text or "").split())
    cut = re.search(r"(?<!e\.g)(?<!i\.e)\.(\s|$)", flat)
    return flat[: cut.start() + 1] if cut else flat


def readme_tools_block() -> str:
    """The README's tool list (between its ``tools:start``/``tools:end`` markers), made from the code."""
    parts = [
        "Annotations: R read-only, W writes, D destructive, I idempotent (every tool is open-world). "
        "`outbound-mcp tools` prints the same list; `tool_schemas/` holds every schema."
    ]
    groups = [(provider.label, all_tools([provider], outcomes=False)) for provider in ALL_PROVIDERS]
    groups.append(("Outcomes, across providers", all_tools([])))
    for label, tools in groups:
        rows = [f"**{label}** ({len(tools)})", "", "| tool | ann | what it does |", "|---|---|---|"]
        for tool in tools:
            flags = annotation_flags(tool).replace("-", "").rstrip("O")
            rows.append(f"| `{tool.name}` | {flags} | {first_sentence(tool.description).replace('|', '/')} |")
        parts.append("\n".join(rows))
    return "\n\n".join(parts)


def write_readme_tools(readme: Path) -> bool:
    """Rewrite the README's tool list from the code; True when it changed."""
    text = readme.read_text()
    start, end = "<!-- tools:start -->", "<!-- tools:end -->"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    updated = f"{head}{start}\n{readme_tools_block()}\n{end}{tail}"
    readme.write_text(updated)
    return updated != text


if __name__ == "__main__":  # python -m mcp_server.catalogue: refresh the README's tool list
    changed = write_readme_tools(Path(__file__).resolve().parents[1] / "README.md")
    print("README tool list " + ("updated" if changed else "already current"))  # noqa: T201

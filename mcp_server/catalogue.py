"""The tool catalogue as data: for ``outbound-mcp tools`` and the checked-in ``tool_schemas/``."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mcp.server.mcpserver.tools.base import Tool

from mcp_server.app.listings import built, document
from mcp_server.app.providers import ProviderDef
from mcp_server.app.registry import ALL_PROVIDERS
from mcp_server.core.guards import is_dict, is_list
from mcp_server.core.tokens import count_tokens
from mcp_server.core.tools.answers import ANSWER_TOKENS, PAGE_TOKENS, RESULT_TOKENS
from mcp_server.figures import fill_inline
from mcp_server.outcomes import OUTCOMES

CHECKOUT = Path(__file__).resolve().parents[1]
"""The repository root when the package runs from a checkout (editable install or PYTHONPATH)."""


def all_tools(providers: Sequence[ProviderDef] = ALL_PROVIDERS, *, outcomes: bool = True) -> list[Tool]:
    """The providers' tools, then (unless ``outcomes`` is False) the outcome tools built over them; each built
    once per process, as servers build them (building all again cost about a second on every call)."""
    extra = OUTCOMES.tools if outcomes else []
    return [built(tool) for tool in [*(t for provider in providers for t in provider.toolset.tools), *extra]]


def tool_document(tool: Tool) -> dict[str, Any]:
    """The tool as ``tool_schemas/`` keeps it: its tools/list entry with every annotation given (none unset
    dropped) and no ``_meta`` key when it has none."""
    listed = document(tool)
    meta = listed.pop("_meta")
    listed["annotations"] = tool.annotations.model_dump(by_alias=True, exclude_none=True) if tool.annotations else {}
    return {**listed, **({"_meta": meta} if meta else {})}


def as_sent(document: dict[str, Any]) -> dict[str, Any]:
    """What pydantic-ai (``ToolDefinition``) and openai-agents (``FunctionTool``) send a model for one tool: name,
    description and input schema (the title and annotations stay with the client)."""
    return {"name": document["name"], "description": document.get("description") or "", **_rules(document)}


def as_adk(document: dict[str, Any]) -> dict[str, Any]:
    """What google-adk sends (``FunctionDeclaration`` with ``response_json_schema``): the output schema too."""
    return {**as_sent(document), "response": document.get("outputSchema")}


def as_rules(document: dict[str, Any]) -> dict[str, Any]:
    """The floor: the name and the input rules alone, every description left out."""
    return {"name": document["name"], "parameters": undescribed(document["inputSchema"])}


def as_adk_rules(document: dict[str, Any]) -> dict[str, Any]:
    """google-adk's floor: the name, the input rules and the output schema, every description left out."""
    return {**as_rules(document), "response": document.get("outputSchema")}


def as_output(document: dict[str, Any]) -> object:
    """The output schema alone: what google-adk adds to what pydantic-ai sends."""
    return document.get("outputSchema")


def as_argument_words(document: dict[str, Any]) -> dict[str, Any]:
    """What pydantic-ai sends with the tool's own description left empty: its arguments' words remain."""
    return {**as_sent(document), "description": ""}


def as_unsaid(document: dict[str, Any]) -> dict[str, Any]:
    """What pydantic-ai sends with no words at all (an empty description, none on any argument)."""
    return {"name": document["name"], "description": "", "parameters": undescribed(document["inputSchema"])}


def undescribed(schema: object) -> object:
    """A schema without its descriptions (a property named "description" stays)."""
    if is_dict(schema):
        return {k: undescribed(v) for k, v in schema.items() if not (k == "description" and isinstance(v, str))}
    return [undescribed(v) for v in schema] if is_list(schema) else schema


def _rules(document: dict[str, Any]) -> dict[str, Any]:
    return {"parameters": document["inputSchema"]}


def compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def tokens_per_tool(form: Any, tools: Sequence[Tool] | None = None) -> float:
    """Mean o200k tokens of ``form(tool document)`` over the catalogue (every tool unless ``tools`` is given)."""
    chosen = all_tools() if tools is None else tools
    return sum(count_tokens(compact(form(tool_document(t)))) for t in chosen) / max(1, len(chosen))


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


def default_schema_dir() -> Path:
    """The checkout's ``tool_schemas/`` wherever the command runs from; ``./tool_schemas`` when the package
    is installed from a wheel (no checkout beside it)."""
    beside = CHECKOUT / "tool_schemas"
    return beside if beside.is_dir() else Path("tool_schemas")


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


def kind_of(tool: Tool) -> str:
    """read, spend, write or delete: the kind its declaration (``ToolDef``) gives it."""
    declared = [*(t for provider in ALL_PROVIDERS for t in provider.toolset.tools), *OUTCOMES.tools]
    return next(t.access.kind for t in declared if t.name == tool.name)


def catalogue_lines(tools: Sequence[Tool] | None = None) -> list[str]:
    """One line per tool (all of them unless ``tools`` is given): name, kind, annotation flags, first sentence."""
    chosen = all_tools() if tools is None else tools
    return [
        f"{tool.name:<40} {kind_of(tool):<6} {annotation_flags(tool)}  {first_sentence(tool.description)}"
        for tool in chosen
    ]


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


def document_figures() -> dict[str, str]:
    """The figures README.md and docs/ quote inline (``<!-- figure:NAME -->``), made from the registry."""
    tools = all_tools()
    figures = {"tools": str(len(tools))}
    figures |= {f"tools-{p.name}": str(len(p.toolset.tools)) for p in ALL_PROVIDERS}
    figures["tools-read-only"] = str(sum(bool(t.annotations and t.annotations.read_only_hint) for t in tools))
    figures["tools-destructive"] = str(sum(bool(t.annotations and t.annotations.destructive_hint) for t in tools))
    # Every token figure the documents state is counted by the one counter (core.tokens, o200k).
    figures["catalogue-tokens"] = f"{tokens_per_tool(as_sent, tools):.0f}"
    figures["catalogue-tokens-adk"] = f"{tokens_per_tool(as_adk, tools):.0f}"
    figures["catalogue-floor-tokens"] = f"{tokens_per_tool(as_rules, tools):.0f}"
    figures["catalogue-floor-tokens-adk"] = f"{tokens_per_tool(as_adk_rules, tools):.0f}"
    figures["catalogue-output-tokens"] = f"{tokens_per_tool(as_output, tools):.0f}"
    words = sum(count_tokens(tool.description or "") for tool in tools) / max(1, len(tools))
    figures["catalogue-tool-words"] = f"{words:.0f}"
    said = tokens_per_tool(as_argument_words, tools) - tokens_per_tool(as_unsaid, tools)
    figures["catalogue-argument-words"] = f"{said:.0f}"
    figures |= {"answer-tokens": f"{ANSWER_TOKENS:,}", "result-tokens": f"{RESULT_TOKENS:,}"}
    figures["page-tokens"] = f"{PAGE_TOKENS:,}"
    return figures


def documents(root: Path = CHECKOUT) -> list[Path]:
    """The documents whose figures are checked: README.md and every page under docs/."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def refresh_documents(root: Path = CHECKOUT) -> list[Path]:
    """Refill the README's tool list and every inline figure from the code; the files that changed."""
    changed = [root / "README.md"] if write_readme_tools(root / "README.md") else []
    figures = document_figures()
    for path in documents(root):
        text = path.read_text()
        filled = fill_inline(text, figures)
        if filled != text:
            path.write_text(filled)
            changed.append(path)
    return sorted(set(changed))


if __name__ == "__main__":  # python -m mcp_server.catalogue: refresh the README's tool list and figures
    refreshed = refresh_documents()
    print("updated: " + ", ".join(p.name for p in refreshed) if refreshed else "already current")  # noqa: T201

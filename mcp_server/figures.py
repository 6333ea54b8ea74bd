"""Figures the documents quote, kept between markers and filled by a command, so that none can drift.

- Inline figures made from the code: ``<!-- figure:tools -->57<!-- /figure -->``; ``python -m
  mcp_server.catalogue`` fills them (the names and values: ``catalogue.document_figures``).
- Blocks a run writes (benchmark tables): ``<!-- NAME:start -->`` ... ``<!-- NAME:end -->``, ending in a
  seal line with a digest of the block's text and the tool count the run saw: a hand edit, or a tool
  added since the run, is caught by tests/test_documents.py.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

INLINE = re.compile(r"<!-- figure:([a-z0-9-]+) -->(.*?)<!-- /figure -->")
SEAL = re.compile(r"\n<!-- sealed: sha256 ([0-9a-f]{16}), tools (\d+) -->$")


class UnknownFigure(KeyError):
    """A document names a figure no command makes."""


def fill_inline(text: str, figures: Mapping[str, str]) -> str:
    """``text`` with every inline figure set to its value in ``figures``."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in figures:
            raise UnknownFigure(f"figure:{name} (known: {', '.join(sorted(figures))})")
        return f"<!-- figure:{name} -->{figures[name]}<!-- /figure -->"

    return INLINE.sub(value, text)


def replace_block(text: str, name: str, body: str) -> str:
    """``text`` with the block ``name`` holding ``body``; the block must already be there."""
    start, end = f"<!-- {name}:start -->\n", f"\n<!-- {name}:end -->"
    if start not in text or end not in text:
        raise ValueError(f"no {start.strip()} ... {end.strip()} block")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}{body}{end}{tail}"


def blocks(text: str) -> dict[str, str]:
    """Every ``NAME:start``/``NAME:end`` block of ``text``, by name."""
    found = re.finditer(r"<!-- ([a-z0-9-]+):start -->\n(.*?)\n<!-- \1:end -->", text, flags=re.S)
    return {match.group(1): match.group(2) for match in found}


def digest(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def seal(body: str, tools: int) -> str:
    """``body`` with its seal line: what the run wrote and how many tools it saw."""
    return f"{body}\n<!-- sealed: sha256 {digest(body)}, tools {tools} -->"


@dataclass(frozen=True)
class Sealed:
    intact: bool
    """The text is the one the run wrote (no hand edit since)."""
    tools: int | None
    """The tool count the run saw; None when the block carries no seal."""


def read_seal(block: str) -> Sealed:
    match = SEAL.search(block)
    if match is None:
        return Sealed(intact=False, tools=None)
    body = block[: match.start()]
    return Sealed(intact=digest(body) == match.group(1), tools=int(match.group(2)))

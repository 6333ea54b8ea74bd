"""A value checked against the names the vendor knows (statuses, campaign names): the closest names for a
value that is not one, so a refusal or an empty answer says what would have matched."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from mcp_server.core.errors import InvalidInput


def _folded(text: str) -> str:
    """``"Opted Out"`` -> ``"optedout"``: spacing, case and punctuation set aside for likeness only."""
    return re.sub(r"[\W_]+", "", text.casefold())


def closest(value: str, names: Iterable[str], n: int = 3) -> list[str]:
    """The names most like ``value``: those containing it first, then look-alikes of the whole name or of
    one of its words (``Q3`` is like ``Q4 SaaS founders``)."""
    wanted = _folded(value)
    scored: list[tuple[float, str]] = []
    for name in dict.fromkeys(names):
        parts = [_folded(name), *(_folded(word) for word in name.split())]
        if wanted and wanted in parts[0]:
            scored.append((2.0, name))
            continue
        score = max(difflib.SequenceMatcher(None, wanted, part).ratio() for part in parts if part) if name else 0.0
        if score >= LIKENESS:
            scored.append((score, name))
    return [name for _, name in sorted(scored, key=lambda pair: -pair[0])[:n]]


LIKENESS = 0.5
"""How alike (difflib's ratio) a name must be to be offered."""


def known(value: str, names: Iterable[str], field: str, what: str, source: str) -> str:
    """``value`` if it is one of ``names`` (case aside: the vendor's own spelling is answered); otherwise
    refused listing the valid names, the closest first. ``source``: the tool that lists them."""
    valid = list(dict.fromkeys(names))
    exact = {name.casefold(): name for name in valid}.get(value.casefold())
    if exact is not None:
        return exact
    near = closest(value, valid, n=1)
    guess = f"Did you mean {near[0]}? " if near else ""
    listed = ", ".join(valid) if valid else f"none ({source} lists none)"
    raise InvalidInput(
        f"{value!r} is not a {what}",
        field=field,
        hint=f"{guess}Valid: {listed} (from {source}).",
    )

"""The figures the reliability suite produces (printed at the end of the run, quoted in the README)."""

from __future__ import annotations

from collections import Counter

FIGURES: Counter[str] = Counter()

LABELS = {
    "faults": "fault cases tried (fault x operation x provider)",
    "writes": "written items checked for loss or duplication",
    "fuzzed": "tool inputs fuzzed",
    "fuzzed_invalid": "  of which deliberately invalid (each refused naming its field, nothing sent)",
    "scanned": "tool outputs, errors and log lines scanned for canary secrets",
    "secret_hits": "canary secret hits",
    "hostile_links": "hostile links, URLs and bodies tried",
    "off_origin": "requests that reached an off-origin listener",
    "concurrent": "concurrent tool calls over streamable HTTP",
    "deputy_links": "links, cursors and handles aimed at write endpoints or other paths (read-only mode too)",
    "deputy_sent": "  requests they sent",
    "forged": "forged, altered or foreign cursors and handles (each refused, nothing sent)",
    "breakage": "upstream answers that used to break a call (surrogates, absurd waits, shapes, bombs, empty pages)",
    "fuzzed_hostile": "tool calls fuzzed against a hostile upstream (lone surrogates, absurd rate headers)",
    "encoded_secrets": "encoded forms of secrets checked for masking (form, query, JSON, base64)",
}


def count(name: str, n: int = 1) -> None:
    FIGURES[name] += n


def summary() -> list[str]:
    return [f"{FIGURES[key]:>7}  {label}" for key, label in LABELS.items() if key in FIGURES]

"""Build the Apps' pages: each ui/*.html with its shared script and style inlined (an App gets one
self-contained document; its CSP allows no network). ``python -m mcp_server.apps.build`` writes
mcp_server/apps/html/; ``--check`` fails when they differ from what ui/ builds (CI)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

SOURCES = Path(__file__).resolve().parents[2] / "ui"
BUILT = Path(__file__).resolve().parent / "html"
_INLINE = re.compile(r"/\* inline: ([\w.-]+) \*/")


def build(page: str, sources: Path = SOURCES) -> str:
    html = (sources / page).read_text(encoding="utf-8")
    return _INLINE.sub(lambda match: (sources / match.group(1)).read_text(encoding="utf-8").strip(), html)


def pages(sources: Path = SOURCES) -> dict[str, str]:
    return {path.name: build(path.name, sources) for path in sorted(sources.glob("*.html"))}


def main(argv: list[str]) -> int:
    built = pages()
    stale = [name for name, html in built.items() if not (BUILT / name).is_file() or (BUILT / name).read_text() != html]
    if "--check" in argv:
        for name in stale:
            print(f"mcp_server/apps/html/{name} differs from ui/{name}: run python -m mcp_server.apps.build")  # noqa: T201
        return 1 if stale else 0
    BUILT.mkdir(exist_ok=True)
    for name, html in built.items():
        (BUILT / name).write_text(html, encoding="utf-8")
        print(f"mcp_server/apps/html/{name}: {len(html.encode()):,} bytes")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Run every benchmark against the sandbox on loopback and print one table: ``python -m benchmarks.run``.

``python -m benchmarks.run overhead latency`` runs only those (names: the ``bench_*`` modules).
``--write-docs`` also writes each suite's table into its sealed block of docs/benchmarks.md, with when and
on what machine it ran (tests/test_documents.py fails on a hand-edited block or one older than the catalogue).
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import anyio

from benchmarks.common import Figure, table
from mcp_server.catalogue import all_tools
from mcp_server.figures import replace_block, seal

SUITES = [
    "catalogue",
    "startup",
    "overhead",
    "rate_budget",
    "strict_budget",
    "state",
    "latency",
    "poller",
    "output",
    "answer_tokens",
    "memory",
    "tasks",
]
DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def block_name(suite: str) -> str:
    return "bench-" + suite.replace("_", "-")


def machine() -> str:
    load = f", load average {os.getloadavg()[0]:.1f} at the start" if hasattr(os, "getloadavg") else ""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"Run {when}: {os.cpu_count()} CPU cores{load}, Python {platform.python_version()}."


def write_docs(results: dict[str, list[Figure]], ran_on: str) -> None:
    text = DOCS.read_text()
    tools = len(all_tools())
    for suite, figures in results.items():
        text = replace_block(text, block_name(suite), seal(f"{ran_on}\n\n{table(figures)}", tools))
    DOCS.write_text(text)
    print(f"wrote {len(results)} tables to {DOCS}", file=sys.stderr)


async def main(argv: list[str]) -> None:
    write = "--write-docs" in argv
    selected = [name for name in argv if name != "--write-docs"]
    unknown = sorted(set(selected) - set(SUITES))
    if unknown:
        sys.exit(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(SUITES)}")
    ran_on = machine()
    results: dict[str, list[Figure]] = {}
    for name in SUITES:
        if selected and name not in selected:
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        suite = importlib.import_module(f"benchmarks.bench_{name}")
        results[name] = await suite.run()
        print(f"  {name} took {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    print(table([figure for figures in results.values() for figure in figures]))
    if write:
        write_docs(results, ran_on)


if __name__ == "__main__":
    anyio.run(main, sys.argv[1:])

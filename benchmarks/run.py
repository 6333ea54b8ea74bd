"""Run every benchmark against the sandbox on loopback and print one table: ``python -m benchmarks.run``.

``python -m benchmarks.run overhead latency`` runs only those (names: the ``bench_*`` modules).
"""

from __future__ import annotations

import importlib
import sys
import time

import anyio

from benchmarks.common import Figure, table

SUITES = ["catalogue", "startup", "overhead", "rate_budget", "state", "latency", "poller", "output", "memory", "tasks"]


async def main(selected: list[str]) -> None:
    unknown = sorted(set(selected) - set(SUITES))
    if unknown:
        sys.exit(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(SUITES)}")
    figures: list[Figure] = []
    for name in SUITES:
        if selected and name not in selected:
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        suite = importlib.import_module(f"benchmarks.bench_{name}")
        figures.extend(await suite.run())
        print(f"  {name} took {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    print(table(figures))


if __name__ == "__main__":
    anyio.run(main, sys.argv[1:])

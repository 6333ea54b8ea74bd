"""Run every benchmark against the sandbox on loopback and print one table: ``python -m benchmarks.run``."""

from __future__ import annotations

import sys

import anyio

from benchmarks import bench_catalogue, bench_startup
from benchmarks.common import Figure, table

SUITES = [bench_catalogue, bench_startup]


async def main(selected: list[str]) -> None:
    figures: list[Figure] = []
    for suite in SUITES:
        name = suite.__name__.rsplit(".", 1)[-1].removeprefix("bench_")
        if selected and name not in selected:
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        figures.extend(await suite.run())
    print(table(figures))


if __name__ == "__main__":
    anyio.run(main, sys.argv[1:])

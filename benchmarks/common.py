"""Shared helpers: medians, a sandbox on loopback, and the result table."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass
class Figure:
    name: str
    value: str
    baseline: str
    goal: str
    met: bool | None

    def row(self) -> str:
        mark = {True: "yes", False: "NO", None: "-"}[self.met]
        return f"| {self.name} | {self.value} | {self.baseline} | {self.goal} | {mark} |"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(figures: list[Figure]) -> str:
    head = "| figure | measured | baseline (same run) | goal | met |\n|---|---|---|---|---|"
    return "\n".join([head, *(f.row() for f in figures)])

"""A manual clock for the sandbox: vendor time passes when a test says so, not by sleeping."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class SandboxClock:
    """Starts at the real time (the sandbox stamps requests and tokens in epoch seconds) and stands still
    until ``advance``; thread-safe enough for the sandbox's thread to read while the test advances it."""

    at: float = field(default_factory=time.time)

    def __call__(self) -> float:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += seconds

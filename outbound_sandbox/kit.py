"""What every simulated vendor shares: the clock, fixed-window rate limits, the request log."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from outbound_sandbox.config import SandboxConfig


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: str
    body: bytes
    at: float
    fault: str | None = None
    """The injected fault's kind, or None when the vendor handled the request."""


@dataclass
class Window:
    start: float
    used: int = 0


@dataclass
class RateLimiter:
    """Fixed window of ``limit`` requests per ``vendor_window`` vendor seconds, per key."""

    config: SandboxConfig
    limit: int
    vendor_window: float = 60.0
    windows: dict[str, Window] = field(default_factory=dict[str, Window])
    clock: Callable[[], float] = time.time

    @property
    def window(self) -> float:
        return self.config.real_seconds(self.vendor_window)

    def hit(self, key: str) -> tuple[bool, int, float]:
        """Count one request; answer (allowed, remaining, reset epoch in real seconds)."""
        now = self.clock()
        win = self.windows.get(key)
        if win is None or now >= win.start + self.window:
            win = self.windows[key] = Window(start=now)
        reset = win.start + self.window
        if not self.config.rate_limits:
            return True, self.limit, reset
        if win.used >= self.limit:
            return False, 0, reset
        win.used += 1
        return True, self.limit - win.used, reset

    def reset_header(self, reset: float) -> str:
        # Real APIs send whole epoch seconds; a scaled window needs the fraction to be usable.
        return str(math.ceil(reset)) if self.config.time_scale == 1 else f"{reset:.3f}"


class Vendor(Protocol):
    """One simulated API. Mounted under its prefix; ``reset`` reseeds its state."""

    prefix: str

    def routes(self) -> list[BaseRoute]: ...

    def reset(self) -> None: ...

    def error_response(self, status: int, message: str) -> Response:
        """The vendor's own error body, used for injected faults."""
        ...

    def rate_limited_response(self, request: Request) -> Response:
        """The vendor's documented 429."""
        ...


REQUEST_LOG_LIMIT = 10_000
"""Requests the sandbox remembers (each keeps its body): enough for any test, bounded for a server left running."""


class SandboxEnv:
    """Handed to every vendor: configuration, clock and the shared request log."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.requests: list[LoggedRequest] = []
        self.clock: Callable[[], float] = time.time
        """Epoch seconds. Tests swap in a manual clock (tests/sandbox_clock.py) to let vendor time pass
        (jobs finish, tokens and rate windows expire) without sleeping."""

    def log(self, entry: LoggedRequest) -> None:
        """Keep ``entry``; past ``REQUEST_LOG_LIMIT`` the oldest tenth goes, so a long ``--sandbox`` run stays
        bounded while a test's few thousand requests are all kept (trimming in chunks keeps appends cheap)."""
        self.requests.append(entry)
        if len(self.requests) > REQUEST_LOG_LIMIT:
            del self.requests[: REQUEST_LOG_LIMIT // 10]

    def now(self) -> float:
        return self.clock()

    def expired(self, started: float, vendor_seconds: float) -> bool:
        """True when ``vendor_seconds`` (scaled) have passed since ``started`` (real epoch)."""
        return self.clock() >= started + self.config.real_seconds(vendor_seconds)

    def limiter(self, limit: int, vendor_window: float = 60.0) -> RateLimiter:
        return RateLimiter(self.config, limit, vendor_window, clock=self.now)

    def handled(self, method: str, path_prefix: str = "") -> list[LoggedRequest]:
        """Requests that reached a vendor handler (no fault), e.g. to count writes."""
        return [r for r in self.requests if r.fault is None and r.method == method and r.path.startswith(path_prefix)]

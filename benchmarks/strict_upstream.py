"""Strict upstreams for the rate-budget benchmark: the sandbox's APIs behind a gate that answers 429 the moment
its own window is exceeded, in a process of its own (``python -m benchmarks.strict_upstream --kind sliding``).

The sandbox's own limiter is lenient (a fixed window opened by its first request); a real API may count a
sliding window, or fixed windows aligned to the clock. Each kind reports in the least helpful way the
vendor documents allow:

- ``sliding``: at most ``limit`` requests in any ``window`` seconds. PersistIQ's ``X-RateLimit-Reset`` says
  when its whole window clears (the newest request + window), not when the next slot frees; a 429 carries
  ``Retry-After`` (when the oldest request leaves).
- ``fixed``: at most ``limit`` requests in each clock-aligned window; the reset is the window's end.

Snov.io sends no rate figures at all (its document has none): a bare 429 with its body. Its token request
counts like any other. A refused request is not counted (as the sandbox does). ``GET /_strict/log`` answers
every request seen since ``POST /_strict/reset``: ``[arrival, provider, status]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import socket
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Literal

import uvicorn
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from outbound_sandbox import config as cfg
from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import SandboxConfig

Kind = Literal["sliding", "fixed"]
KINDS: tuple[Kind, ...] = ("sliding", "fixed")
LOG_PATH = "/_strict/log"
RESET_PATH = "/_strict/reset"


@dataclass
class Verdict:
    allowed: bool
    remaining: int
    reset: float
    retry_after: float


@dataclass
class StrictWindow:
    kind: Kind
    limit: int
    window: float
    arrivals: deque[float] = field(default_factory=deque[float])
    """Sliding: the arrivals still inside the window. Fixed: those of the current aligned window."""

    def hit(self, now: float) -> Verdict:
        if self.kind == "sliding":
            while self.arrivals and self.arrivals[0] <= now - self.window:
                self.arrivals.popleft()
            if len(self.arrivals) >= self.limit:
                return Verdict(False, 0, self.arrivals[-1] + self.window, self.arrivals[0] + self.window - now)
            self.arrivals.append(now)
            return Verdict(True, self.limit - len(self.arrivals), now + self.window, 0.0)
        start = math.floor(now / self.window) * self.window
        if self.arrivals and self.arrivals[0] < start:
            self.arrivals.clear()
        reset = start + self.window
        if len(self.arrivals) >= self.limit:
            return Verdict(False, 0, reset, reset - now)
        self.arrivals.append(now)
        return Verdict(True, self.limit - len(self.arrivals), reset, 0.0)


@dataclass
class Upstream:
    name: str
    prefix: str
    limit: int
    reports: bool
    """Whether it sends ``X-RateLimit-*`` and ``Retry-After`` (PersistIQ) or nothing (Snov.io)."""


UPSTREAMS = [
    Upstream("PersistIQ", cfg.PERSISTIQ_PREFIX, 100, reports=True),
    Upstream("Snov.io", cfg.SNOV_PREFIX, 60, reports=False),
]


class StrictGate:
    """In front of the sandbox (its own limiter off): counts, refuses, and rewrites the rate headers."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox, kind: Kind, window: float) -> None:
        self.app = app
        self.sandbox = sandbox
        self.kind: Kind = kind
        self.window = window
        self.log: list[tuple[float, str, int]] = []
        self.windows: dict[str, StrictWindow] = {}
        self.reset()

    def reset(self) -> None:
        self.log.clear()
        self.windows = {u.name: StrictWindow(self.kind, u.limit, self.window) for u in UPSTREAMS}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/_strict/"):
            await self._control(scope, send)
            return
        upstream = next((u for u in UPSTREAMS if path.startswith(u.prefix)), None)
        if scope["type"] != "http" or upstream is None:
            await self.app(scope, receive, send)
            return
        now = time.time()
        verdict = self.windows[upstream.name].hit(now)
        self.log.append((now, upstream.name, 200 if verdict.allowed else 429))
        if not verdict.allowed:
            await self._refuse(scope, receive, send, upstream, verdict)
            return
        await self.app(scope, receive, self._with_figures(send, upstream, verdict))

    def _headers(self, upstream: Upstream, verdict: Verdict) -> list[tuple[bytes, bytes]]:
        if not upstream.reports:
            return []
        figures = [
            (b"x-ratelimit-limit", str(upstream.limit).encode()),
            (b"x-ratelimit-remaining", str(verdict.remaining).encode()),
            (b"x-ratelimit-reset", f"{verdict.reset:.3f}".encode()),
        ]
        if not verdict.allowed:
            figures.append((b"retry-after", f"{verdict.retry_after:.3f}".encode()))
        return figures

    def _with_figures(self, send: Send, upstream: Upstream, verdict: Verdict) -> Send:
        async def rewritten(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if not k.lower().startswith(b"x-ratelimit-")]
                message = {**message, "headers": kept + self._headers(upstream, verdict)}
            await send(message)

        return rewritten

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, upstream: Upstream, verdict: Verdict) -> None:
        vendor = self.sandbox.vendor_for(upstream.prefix)
        assert vendor is not None
        response = vendor.rate_limited_response(Request(scope, receive))
        await response(scope, receive, self._with_figures(send, upstream, verdict))

    async def _control(self, scope: Scope, send: Send) -> None:
        if scope["path"] == RESET_PATH:
            self.reset()
            body = b"{}"
        else:
            body = json.dumps(self.log).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})


def serve(kind: Kind, window: float, port: int) -> None:
    sandbox = Sandbox(SandboxConfig(rate_limits=False))
    app = StrictGate(sandbox.app, sandbox, kind, window)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms Nagle stalls on loopback
    sock.bind(("127.0.0.1", port))
    sock.listen(2048)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    print(f"serving on http://127.0.0.1:{port}", flush=True)
    asyncio.run(server.serve(sockets=[sock]))


def main() -> None:
    args = argparse.ArgumentParser(description="A strict upstream for the rate-budget benchmark.")
    args.add_argument("--kind", choices=KINDS, required=True)
    args.add_argument("--window", type=float, required=True, help="seconds")
    args.add_argument("--port", type=int, required=True)
    parsed = args.parse_args()
    kind: Kind = "sliding" if parsed.kind == "sliding" else "fixed"
    serve(kind, parsed.window, parsed.port)


if __name__ == "__main__":
    main()

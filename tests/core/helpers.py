"""Building a server on the demo provider, and a respx upstream that enforces a rate limit."""

from __future__ import annotations

import time
from collections import deque
from contextlib import asynccontextmanager
from typing import Any

import httpx
from mcp import Client

from mcp_server.server import create_server
from mcp_server.settings import load_settings
from tests.core.demo_provider import DEMO

CANARY = "canary-secret-7f3a9c2e"


@asynccontextmanager
async def demo_client(**overrides: Any):
    settings = load_settings(persistiq_api_key=CANARY, **overrides)
    async with Client(create_server(settings, providers=[DEMO])) as client:
        yield client


class LimitedUpstream:
    """Answers 200, or 429 when more than ``limit`` requests came within ``window - slack`` seconds: ``slack`` is
    how late a request may arrive after the client counted it (a loaded machine schedules it late)."""

    def __init__(self, limit: int, window: float, slack: float = 0.0) -> None:
        self.limit, self.window = limit, window - slack
        self.seen: deque[float] = deque()
        self.too_many = 0
        self.ok = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        now = time.monotonic()
        while self.seen and self.seen[0] <= now - self.window:
            self.seen.popleft()
        if len(self.seen) >= self.limit:
            self.too_many += 1
            return httpx.Response(429, json={"error": {"reason": "too_many_requests", "message": "slow down"}})
        self.seen.append(now)
        self.ok += 1
        return httpx.Response(200, json={"id": request.url.path.rsplit("/", 1)[-1]})


def text_of(result: Any) -> str:
    return " ".join(getattr(block, "text", "") for block in result.content)

"""The reliability suite's ground: canary credentials in every secret, a leak watch over every tool
output, error and log line, fast retries, narrow servers, and the figures printed at the end."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from mcp import Client

from mcp_server.core.upstream.retry import RetryPolicy
from outbound_sandbox import config as cfg
from tests.confirm_helpers import agrees
from tests.reliability.figures import count

# Every credential the sandbox accepts, replaced by a value that must never be seen again.
CANARIES = {
    "PERSISTIQ_API_KEY": "canary-pq-key-5b0c9e1d7a",
    "SNOV_CLIENT_ID": "canary-snov-id-8f2a6c3b41",
    "SNOV_CLIENT_SECRET": "canary-snov-secret-4e7d1a9f02",
    "EPIXEL_API_KEY": "canary-epx-key-2c8b5f0e93",
    "EPIXEL_PASSWORD": "canary-epx-password-9a3d7e6c18",
}
HTTP_TOKEN = "canary-http-token-6f1b8d2a55"
LOGGERS = {"outbound_mcp": logging.DEBUG, "httpx": logging.INFO, "mcp": logging.INFO}


@dataclass
class LeakWatch:
    """What the model or an operator could see during one test: tool results, errors, log lines."""

    outputs: list[str] = field(default_factory=list[str])
    logs: list[str] = field(default_factory=list[str])
    extra_secrets: set[str] = field(default_factory=set[str])

    def see(self, text: str) -> None:
        """Add something else a user sees (an HTTP body, an exception)."""
        self.outputs.append(text)

    def hits(self, secrets: set[str]) -> list[tuple[str, str]]:
        return [(secret, text[:300]) for text in self.outputs + self.logs for secret in secrets if secret in text]


class _Capture(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.sink = sink
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(self.format(record))


@pytest.fixture(autouse=True)
def canary_credentials(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The sandbox accepts only the canaries, and ``settings_for`` hands them to the server."""
    for name, value in CANARIES.items():
        monkeypatch.setattr(cfg, name, value)
    return CANARIES


@pytest.fixture(autouse=True)
def leak_watch(monkeypatch: pytest.MonkeyPatch, sandbox_thread: Any) -> Iterator[LeakWatch]:
    """Records every tool result and error and every log line; after the test, none may hold a secret."""
    watch = LeakWatch()
    original = Client.call_tool

    async def recording(self: Client, *args: Any, **kwargs: Any) -> Any:
        try:
            result = await original(self, *args, **kwargs)
        except BaseException as exc:
            watch.see(f"{type(exc).__name__}: {exc}")
            raise
        watch.see(result.model_dump_json())
        return result

    monkeypatch.setattr(Client, "call_tool", recording)
    handler = _Capture(watch.logs)
    root = logging.getLogger()
    root.addHandler(handler)
    levels: dict[str, int] = {}
    for name, level in LOGGERS.items():
        logger = logging.getLogger(name)
        levels[name] = logger.level
        logger.setLevel(level)
    try:
        yield watch
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    sandbox = sandbox_thread.sandbox
    issued = set(sandbox.snov.core.tokens) | set(sandbox.epixel.tokens)
    secrets = {*CANARIES.values(), HTTP_TOKEN, *issued, *watch.extra_secrets}
    hits = watch.hits(secrets)
    count("scanned", len(watch.outputs) + len(watch.logs))
    count("secret_hits", len(hits))
    assert not hits, f"a secret reached an output or a log line: {hits[:3]}"


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Backoff in milliseconds instead of seconds: the same retry decisions, run quickly."""

    def backoff(self: RetryPolicy, attempt: int) -> float:
        return 0.005 * (2**attempt)

    monkeypatch.setattr(RetryPolicy, "backoff", backoff)


Connect = Callable[..., AbstractAsyncContextManager[Client]]


@pytest.fixture
def connect(settings_for: Callable[..., Any]) -> Connect:
    """``async with connect(["tool", ...], http_timeout=0.2) as client``: a server with only those tools."""
    from mcp_server.server import create_server

    @asynccontextmanager
    async def open_client(tools: list[str] | None = None, **overrides: Any) -> AsyncGenerator[Client]:
        if tools:
            # An outcome tool (outreach_*) works across providers: it is served with all three on.
            prefixes = {name.split("_", 1)[0] for name in tools}
            providers = sorted(
                prefixes - {"outreach"} if "outreach" not in prefixes else {"persistiq", "snov", "epixel"}
            )
            overrides = {
                "outbound_mcp_toolsets": ",".join(providers),
                "outbound_mcp_tools": ",".join(tools),
            } | overrides
        overrides = {"poll_interval": 0.05, "snov_rate_limit": 10_000, "persistiq_rate_limit": 10_000} | overrides
        async with Client(create_server(settings_for(**overrides)), elicitation_callback=agrees) as client:
            yield client

    return open_client

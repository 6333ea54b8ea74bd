"""The sandbox's request log stays bounded when it runs as a long-lived server (``outbound-mcp --sandbox``)."""

from __future__ import annotations

import httpx
import pytest

from outbound_sandbox import kit
from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import SandboxConfig
from outbound_sandbox.kit import LoggedRequest, SandboxEnv
from outbound_sandbox.runner import SandboxUrls
from tests.sandbox.plain_http import SHARED_TLS


def entry(n: int) -> LoggedRequest:
    return LoggedRequest(method="GET", path=f"/persistiq/v1/leads/{n}", query="", body=b"", at=float(n))


def test_the_log_keeps_every_request_up_to_its_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kit, "REQUEST_LOG_LIMIT", 50)
    env = SandboxEnv(SandboxConfig())
    for n in range(50):
        env.log(entry(n))
    assert [r.at for r in env.requests] == [float(n) for n in range(50)]


def test_past_its_limit_the_log_forgets_the_oldest_requests_and_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kit, "REQUEST_LOG_LIMIT", 50)
    env = SandboxEnv(SandboxConfig())
    for n in range(1_000):
        env.log(entry(n))
    assert len(env.requests) <= 50
    assert env.requests[-1].at == 999.0
    assert [r.at for r in env.requests] == sorted(r.at for r in env.requests)


def test_requests_over_http_go_through_the_bounded_log(
    monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox, sandbox_urls: SandboxUrls
) -> None:
    monkeypatch.setattr(kit, "REQUEST_LOG_LIMIT", 20)
    sandbox.env.requests.clear()
    with httpx.Client(base_url=sandbox_urls.persistiq, timeout=10, verify=SHARED_TLS) as client:
        for _ in range(60):
            client.get("v1/users")
    assert 0 < len(sandbox.env.requests) <= 20

"""Hosts, proxies and browsers: listed Host names pass, CORS answers the allowed origins (preflight
included) and nobody else, and a malformed origin stops the server at start-up with one line."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from mcp_server.cli import main, overrides_of, parser
from mcp_server.settings import load_settings
from tests.http_helpers import mcp_headers, serving_demo

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
TOKEN = "http-token-0123456789"
APP = "https://app.example.com"
LIST: dict[str, Any] = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


def serving(**options: Any) -> Any:
    return serving_demo(TOKEN, **options)


def headers(**extra: str) -> dict[str, str]:
    return mcp_headers(TOKEN, **extra)


async def test_a_configured_hostname_in_host_passes_and_an_unlisted_one_gets_421():
    async with serving(allowed_hosts=("mcp.example.com",)) as url, httpx2.AsyncClient() as http:
        proxied = await http.post(url, json=INIT, headers=headers(Host="mcp.example.com"))
        with_port = await http.post(url, json=INIT, headers=headers(Host="MCP.example.com:8443"))
        unlisted = await http.post(url, json=INIT, headers=headers(Host="other.example.com"))
    assert proxied.status_code == 200, proxied.text
    assert with_port.status_code == 200, with_port.text
    assert unlisted.status_code == 421
    assert "--allowed-host" in unlisted.text


async def test_a_preflight_from_an_allowed_origin_gets_the_cors_headers_without_a_bearer():
    preflight = {
        "Origin": APP,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
    }
    async with serving(allowed_origins=(APP,)) as url, httpx2.AsyncClient() as http:
        response = await http.options(url, headers=preflight)
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == APP
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    for needed in ("authorization", "content-type", "mcp-session-id", "mcp-protocol-version", "mcp-method", "mcp-name"):
        assert needed in allowed
    exposed = response.headers["access-control-expose-headers"].lower()
    for needed in ("mcp-session-id", "mcp-protocol-version", "www-authenticate"):
        assert needed in exposed


async def test_a_preflight_from_another_origin_gets_403_and_no_cors_headers():
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    async with serving(allowed_origins=(APP,)) as url, httpx2.AsyncClient() as http:
        response = await http.options(url, headers=preflight)
    assert response.status_code == 403
    assert not [h for h in response.headers if h.lower().startswith("access-control-")]


async def test_a_call_from_an_allowed_origin_carries_the_cors_headers_and_exposes_the_session_header():
    async with serving(allowed_origins=(APP,), stateless=False) as url, httpx2.AsyncClient() as http:
        response = await http.post(url, json=INIT, headers=headers(Origin=APP))
        refused = await http.post(url, json=INIT, headers=headers(Origin=APP, Authorization="Bearer nope"))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == APP
    assert "mcp-session-id" in response.headers["access-control-expose-headers"].lower()
    assert response.headers.get("mcp-session-id")
    # A browser can read why it was refused (WWW-Authenticate is exposed on the 401 too).
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == APP


@pytest.mark.parametrize("origin", ["app.example.com", "https://app.example.com/path", "*"])
def test_an_origin_without_a_scheme_or_with_a_path_is_refused_at_start_up_with_one_line(
    origin: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("OUTBOUND_MCP_ALLOWED_ORIGINS", raising=False)
    code = main(["--transport", "http", "--allowed-origin", origin])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1
    assert "OUTBOUND_MCP_ALLOWED_ORIGINS" in err and "scheme://host" in err


def test_allowed_hosts_and_origins_come_from_the_environment_too(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OUTBOUND_MCP_ALLOWED_HOSTS", "mcp.example.com, 10.0.0.5:8000")
    monkeypatch.setenv("OUTBOUND_MCP_ALLOWED_ORIGINS", "HTTPS://App.Example.com")
    settings = load_settings()
    assert settings.outbound_mcp_allowed_hosts == ["mcp.example.com", "10.0.0.5:8000"]
    assert settings.outbound_mcp_allowed_origins == [APP]


async def test_the_health_check_answers_without_a_bearer_and_says_nothing_else():
    async with serving() as url, httpx2.AsyncClient() as http:
        health = await http.get(url.replace("/mcp", "/healthz"))
        foreign = await http.get(url.replace("/mcp", "/healthz"), headers={"Host": "evil.example"})
    assert health.status_code == 200 and health.text == "ok"
    assert foreign.status_code == 421


def test_the_flags_add_to_the_variables_and_are_checked_the_same_way(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OUTBOUND_MCP_ALLOWED_HOSTS", "mcp.example.com")
    args = parser().parse_args(["--transport", "http", "--allowed-host", "10.0.0.5", "--no-stateless"])
    settings = load_settings(**overrides_of(args))
    assert settings.outbound_mcp_allowed_hosts == ["mcp.example.com", "10.0.0.5"]
    assert settings.outbound_mcp_http_stateless is False
    assert load_settings().outbound_mcp_http_stateless is True


def test_a_malformed_allowed_host_is_refused_at_start_up_with_one_line(capsys: pytest.CaptureFixture[str]):
    code = main(["--transport", "http", "--allowed-host", "https://mcp.example.com/mcp"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "OUTBOUND_MCP_ALLOWED_HOSTS" in err

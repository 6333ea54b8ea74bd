"""Snov.io simulator: OAuth token, token expiry, the ways to pass a token, rate limit, unknown paths."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from outbound_sandbox import config as cfg
from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault
from outbound_sandbox.runner import SandboxUrls
from tests.sandbox.snov_helpers import get_token, snov_client
from tests.sandbox_clock import SandboxClock


@pytest.fixture
def snov(sandbox_urls: SandboxUrls) -> Iterator[httpx.Client]:
    with snov_client(sandbox_urls.snov) as client:
        yield client


def test_token_endpoint_answers_bearer_token_with_configured_lifetime(
    sandbox: Sandbox, sandbox_urls: SandboxUrls
) -> None:
    sandbox.config.token_lifetime = 1800
    body = get_token(sandbox_urls.snov)
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 1800
    assert len(body["access_token"]) >= 20


def test_token_endpoint_refuses_wrong_secret_and_wrong_grant_type(sandbox_urls: SandboxUrls) -> None:
    url = f"{sandbox_urls.snov}/v1/oauth/access_token"
    bad_secret = {"grant_type": "client_credentials", "client_id": cfg.SNOV_CLIENT_ID, "client_secret": "nope"}
    response = httpx.post(url, data=bad_secret)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    bad_grant = {"grant_type": "password", "client_id": cfg.SNOV_CLIENT_ID, "client_secret": cfg.SNOV_CLIENT_SECRET}
    response = httpx.post(url, data=bad_grant)
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_token_endpoint_also_accepts_a_json_body(sandbox_urls: SandboxUrls) -> None:
    body = {
        "grant_type": "client_credentials",
        "client_id": cfg.SNOV_CLIENT_ID,
        "client_secret": cfg.SNOV_CLIENT_SECRET,
    }
    response = httpx.post(f"{sandbox_urls.snov}/v1/oauth/access_token", json=body)
    assert response.status_code == 200
    assert response.json()["access_token"]


def test_calls_without_a_token_or_with_an_unknown_one_get_401_with_snov_error_body(sandbox_urls: SandboxUrls) -> None:
    response = httpx.get(f"{sandbox_urls.snov}/v1/get-balance")
    assert response.status_code == 401
    assert response.json() == {"success": False, "errors": "Invalid or expired access token"}
    response = httpx.get(f"{sandbox_urls.snov}/v1/get-balance", headers={"Authorization": "Bearer forged"})
    assert response.status_code == 401


def test_token_works_as_bearer_header_bare_header_form_field_and_query_parameter(sandbox_urls: SandboxUrls) -> None:
    base = sandbox_urls.snov
    token = get_token(base)["access_token"]
    assert httpx.get(f"{base}/v1/get-balance", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert httpx.get(f"{base}/v1/get-balance", headers={"Authorization": token}).status_code == 200
    assert httpx.get(f"{base}/v1/get-balance", params={"access_token": token}).status_code == 200
    response = httpx.post(f"{base}/v1/get-domain-emails-count", data={"access_token": token, "domain": "acme.com"})
    assert response.status_code == 200
    assert response.json() == {"success": True, "domain": "acme.com", "webmail": False, "result": 130}


def test_token_expires_after_its_scaled_lifetime_and_a_new_one_works(
    sandbox_clock: SandboxClock, sandbox: Sandbox, sandbox_urls: SandboxUrls
) -> None:
    sandbox.config.time_scale = 100.0
    sandbox.config.token_lifetime = 30.0  # 0.3 real seconds
    base = sandbox_urls.snov
    body = get_token(base)
    assert body["expires_in"] == 30
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert httpx.get(f"{base}/v1/get-balance", headers=headers).status_code == 200
    sandbox_clock.advance(0.35)
    expired = httpx.get(f"{base}/v1/get-balance", headers=headers)
    assert expired.status_code == 401
    assert expired.json()["success"] is False
    fresh = {"Authorization": f"Bearer {get_token(base)['access_token']}"}
    assert httpx.get(f"{base}/v1/get-balance", headers=fresh).status_code == 200


def test_sixty_first_request_in_a_minute_gets_429_without_retry_after(snov: httpx.Client) -> None:
    statuses = [snov.get("/v1/get-balance").status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429
    limited = snov.get("/v1/get-balance")
    assert limited.json() == {"success": False, "errors": "Too many requests"}
    assert "retry-after" not in limited.headers


def test_the_token_endpoint_does_not_count_against_the_minute_limit(
    sandbox_urls: SandboxUrls, snov: httpx.Client
) -> None:
    for _ in range(5):
        get_token(sandbox_urls.snov)
    assert all(snov.get("/v1/get-balance").status_code == 200 for _ in range(60))


def test_rate_limits_switched_off_let_the_sixty_first_request_through(sandbox: Sandbox, snov: httpx.Client) -> None:
    sandbox.config.rate_limits = False
    assert all(snov.get("/v1/get-balance").status_code == 200 for _ in range(65))


def test_injected_rate_limit_fault_uses_the_snov_429_body(sandbox: Sandbox, snov: httpx.Client) -> None:
    sandbox.config.add_fault("GET /snov/v1/get-balance", Fault("rate_limit", count=1))
    response = snov.get("/v1/get-balance")
    assert response.status_code == 429
    assert response.json() == {"success": False, "errors": "Too many requests"}
    assert snov.get("/v1/get-balance").status_code == 200


def test_injected_status_fault_uses_the_snov_error_body(sandbox: Sandbox, snov: httpx.Client) -> None:
    sandbox.config.add_fault("GET /snov/v1/get-balance", Fault("status", status=503, count=1))
    response = snov.get("/v1/get-balance")
    assert response.status_code == 503
    assert response.json() == {"success": False, "errors": "Injected sandbox fault"}


def test_unknown_path_answers_404_in_snov_shape(snov: httpx.Client) -> None:
    response = snov.get("/v1/no-such-method")
    assert response.status_code == 404
    assert response.json() == {"success": False, "errors": "Not found"}


def test_balance_answers_the_doc_shape_with_the_configured_balance(sandbox: Sandbox, snov: httpx.Client) -> None:
    sandbox.config.snov_balance = 1234.5
    sandbox.reset()
    body = snov.get("/v1/get-balance")
    assert body.status_code == 401  # reset forgets tokens
    with snov_client(str(snov.base_url).rstrip("/")) as fresh:
        data = fresh.get("/v1/get-balance").json()
    assert data["success"] is True
    assert set(data["data"]) == {"balance", "teamwork", "unique_recipients_used", "limit_resets_in", "expires_in"}
    assert data["data"]["balance"] == "1234.50"

"""Helpers for the Snov.io simulator tests: an authenticated client and a result poller."""

from __future__ import annotations

import time
from typing import Any

import httpx

from outbound_sandbox import config as cfg
from tests.sandbox.plain_http import SHARED_TLS


def get_token(base: str) -> dict[str, Any]:
    form = {
        "grant_type": "client_credentials",
        "client_id": cfg.SNOV_CLIENT_ID,
        "client_secret": cfg.SNOV_CLIENT_SECRET,
    }
    response = httpx.post(f"{base}/v1/oauth/access_token", data=form)
    assert response.status_code == 200, response.text
    return response.json()


def snov_client(base: str) -> httpx.Client:
    token = get_token(base)["access_token"]
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30, verify=SHARED_TLS)


def poll(
    client: httpx.Client, url: str, *, done: tuple[str, ...] = ("completed",), timeout: float = 5.0
) -> dict[str, Any]:
    """GET ``url`` until its status is one of ``done``."""
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(url).json()
        if body.get("status") in done or time.monotonic() > deadline:
            return body
        time.sleep(0.02)

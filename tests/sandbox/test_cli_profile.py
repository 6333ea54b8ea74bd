"""``outbound-mcp sandbox --profile documented`` serves the documented profile (here: Epixel's v1/ create path)."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from outbound_sandbox import config as cfg

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def documented_sandbox() -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "mcp_server", "sandbox", "--port", str(port), "--profile", "documented"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True) as process:
        try:
            assert process.stdout is not None
            yield process.stdout.readline()  # printed once the sandbox listens
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_the_sandbox_command_serves_the_profile_it_is_given(documented_sandbox: str) -> None:
    assert "(documented profile)" in documented_sandbox
    origin = documented_sandbox.split(" serving on ")[1].split()[0]
    base = origin + cfg.EPIXEL_PREFIX
    with httpx.Client(base_url=base, headers={"apikey": cfg.EPIXEL_API_KEY}, timeout=10) as http:
        login = {"username": cfg.EPIXEL_USERNAME, "password": cfg.EPIXEL_PASSWORD}
        access = http.post("/user/login/", data=login).json()["access"]
        http.headers["Authorization"] = f"Bearer {access}"
        lead = {"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com", "phone": "5551234567"}
        assert http.post("/leads/create/lead/", data=lead).status_code == 404
        assert http.post("/v1/leads/create/lead/", data=lead).status_code == 201

"""Serving the sandbox on loopback: in the caller's event loop, or in a thread of its own."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn

from outbound_sandbox import config as cfg
from outbound_sandbox.app import Sandbox


@dataclass(frozen=True)
class SandboxUrls:
    origin: str

    @property
    def persistiq(self) -> str:
        return self.origin + cfg.PERSISTIQ_PREFIX

    @property
    def snov(self) -> str:
        return self.origin + cfg.SNOV_PREFIX

    @property
    def epixel(self) -> str:
        return self.origin + cfg.EPIXEL_PREFIX

    def environment(self) -> dict[str, str]:
        """Environment variables that point all three providers at this sandbox."""
        return {
            "PERSISTIQ_BASE_URL": self.persistiq,
            "PERSISTIQ_API_KEY": cfg.PERSISTIQ_API_KEY,
            "SNOV_BASE_URL": self.snov,
            "SNOV_CLIENT_ID": cfg.SNOV_CLIENT_ID,
            "SNOV_CLIENT_SECRET": cfg.SNOV_CLIENT_SECRET,
            "EPIXEL_BASE_URL": self.epixel,
            "EPIXEL_API_KEY": cfg.EPIXEL_API_KEY,
            "EPIXEL_USERNAME": cfg.EPIXEL_USERNAME,
            "EPIXEL_PASSWORD": cfg.EPIXEL_PASSWORD,
        }


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Without it every loopback request waits ~40 ms on Nagle + delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _server(sandbox: Sandbox) -> uvicorn.Server:
    config = uvicorn.Config(sandbox.app, log_level="warning", access_log=False, lifespan="off")
    return uvicorn.Server(config)


@asynccontextmanager
async def serve_sandbox(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> AsyncGenerator[SandboxUrls, None]:
    """Serve in the current (asyncio) event loop for as long as the block runs."""
    sock = _bind(host, port)
    server = _server(sandbox)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.005)
        yield SandboxUrls(f"http://{host}:{sock.getsockname()[1]}")
    finally:
        server.should_exit = True
        await task
        sock.close()


class SandboxThread:
    """The sandbox on its own thread and event loop: what tests and benchmarks use."""

    def __init__(self, sandbox: Sandbox | None = None) -> None:
        self.sandbox = sandbox or Sandbox()
        self._sock = _bind("127.0.0.1", 0)
        self._server = _server(self.sandbox)
        self._thread = threading.Thread(target=self._run, name="sandbox", daemon=True)
        self.urls = SandboxUrls(f"http://127.0.0.1:{self._sock.getsockname()[1]}")

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._sock]))

    def start(self) -> SandboxThread:
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("sandbox failed to start")
            threading.Event().wait(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

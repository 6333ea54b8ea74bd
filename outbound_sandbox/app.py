"""The sandbox ASGI app: the three vendors mounted on one origin, behind the fault injector."""

from __future__ import annotations

import fnmatch
import json
import time
from dataclasses import dataclass, fields

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from outbound_sandbox.config import FaultRule, SandboxConfig
from outbound_sandbox.epixel.app import EpixelSandbox
from outbound_sandbox.kit import LoggedRequest, SandboxEnv, Vendor
from outbound_sandbox.persistiq.app import PersistIQSandbox
from outbound_sandbox.snov.app import SnovSandbox


@dataclass
class AnsweredRequest(LoggedRequest):
    status: int | None = None
    """The status the sandbox answered with (None until it answers), e.g. to tell accepted writes apart."""


FRESH_FOR = 30.0
"""Seconds an untouched vendor's seeded state stands for a fresh one."""


class Sandbox:
    """Holds the vendors' state; ``app`` is the ASGI app to serve."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.env = SandboxEnv(self.config)
        self._persistiq = PersistIQSandbox(self.env)
        self._snov = SnovSandbox(self.env)
        self._epixel = EpixelSandbox(self.env)
        self._vendors: list[Vendor] = [self._persistiq, self._snov, self._epixel]
        self._untouched: set[str] = set()
        """Prefixes of the vendors no request and no caller has reached since they were seeded."""
        self._seeded_with: tuple[object, ...] | None = None
        """The settings (all but the faults) of the last reset: seeding and its state read them."""
        self._seeded_at = 0.0
        inner = Starlette(routes=[Mount(v.prefix, routes=v.routes()) for v in self._vendors])
        self.app: ASGIApp = FaultInjector(inner, self)

    # Reaching a vendor (a request, or a caller taking it to read or change its state) marks it touched.
    @property
    def persistiq(self) -> PersistIQSandbox:
        self._untouched.discard(self._persistiq.prefix)
        return self._persistiq

    @property
    def snov(self) -> SnovSandbox:
        self._untouched.discard(self._snov.prefix)
        return self._snov

    @property
    def epixel(self) -> EpixelSandbox:
        self._untouched.discard(self._epixel.prefix)
        return self._epixel

    @property
    def vendors(self) -> list[Vendor]:
        self._untouched.clear()
        return self._vendors

    def reset(self) -> None:
        """Reseed every vendor touched since it was seeded (every one when the settings differ from the last
        reset's), forget faults and the request log. An untouched vendor is as freshly seeded already: a test
        suite resets before every test, most tests reach one vendor, and reseeding all three cost more than
        many a test."""
        self.config.faults.clear()
        self.env.requests.clear()
        settings = tuple(getattr(self.config, f.name) for f in fields(self.config) if f.name != "faults")
        # Epixel seeds appointments around the current minute: a world kept longer would drift from a fresh one.
        stale = settings != self._seeded_with or time.time() - self._seeded_at > FRESH_FOR
        for vendor in self._vendors:
            if stale or vendor.prefix not in self._untouched:
                vendor.reset()
        if stale:
            self._seeded_with, self._seeded_at = settings, time.time()
        self._untouched = {v.prefix for v in self._vendors}

    def touched(self, path: str) -> Vendor | None:
        """The vendor serving ``path``, marked touched."""
        vendor = next((v for v in self._vendors if path.startswith(v.prefix)), None)
        if vendor is not None:
            self._untouched.discard(vendor.prefix)
        return vendor

    def vendor_for(self, path: str) -> Vendor | None:
        return self.touched(path)


class FaultInjector:
    """Logs every request and, where a fault rule matches, answers with the fault instead."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.sandbox.touched(scope["path"])
        body = await _read_body(receive)
        entry = AnsweredRequest(
            method=scope["method"],
            path=scope["path"],
            query=scope.get("query_string", b"").decode(),
            body=body,
            at=self.sandbox.env.now(),
        )
        self.sandbox.env.log(entry)
        rule = self._match(f"{scope['method']} {scope['path']}")
        replay = _replay(body)
        send = _recording(send, entry)
        if rule is None:
            await self.app(scope, replay, send)
            return
        fault = rule.fault
        entry.fault = fault.kind
        if fault.kind == "latency":
            await anyio.sleep(fault.seconds)
            entry.fault = None
            await self.app(scope, replay, send)
            return
        if fault.kind == "drop":
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]})
            await send({"type": "http.response.body", "body": b'{"partial": ', "more_body": True})
            raise ConnectionAbortedError("sandbox fault: connection dropped")
        response = self._fault_response(scope, replay, rule)
        await response(scope, replay, send)

    def _match(self, key: str) -> FaultRule | None:
        for rule in self.sandbox.config.faults:
            if not fnmatch.fnmatchcase(key, rule.pattern):
                continue
            rule.seen += 1
            if rule.seen <= rule.fault.skip:
                continue
            if rule.fault.count is not None and rule.applied >= rule.fault.count:
                continue
            rule.applied += 1
            return rule
        return None

    def _fault_response(self, scope: Scope, receive: Receive, rule: FaultRule) -> Response:
        fault = rule.fault
        vendor = self.sandbox.vendor_for(scope["path"])
        if fault.kind == "malformed":
            return Response('{"status": "success", "data": [{"id": ', status_code=200, media_type="application/json")
        if fault.kind == "body":
            raw = fault.body if isinstance(fault.body, str | bytes) else json.dumps(fault.body)
            return Response(raw, status_code=fault.status, media_type="application/json")
        if fault.kind == "html":
            page = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
            return HTMLResponse(page, status_code=fault.status)
        if vendor is None:
            return Response(json.dumps({"error": "injected fault"}), status_code=fault.status)
        if fault.kind == "rate_limit":
            return vendor.rate_limited_response(Request(scope, receive))
        return vendor.error_response(fault.status, "Injected sandbox fault")


def _recording(send: Send, entry: AnsweredRequest) -> Send:
    async def answer(message: Message) -> None:
        if message["type"] == "http.response.start":
            entry.status = message["status"]
        await send(message)

    return answer


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    return receive

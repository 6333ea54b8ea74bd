"""Chaos run: many workers call the server over stdio and HTTP while the upstream fails and the state store
stumbles, then every write and spend is accounted for. ``python -m benchmarks.chaos [--workers 40]
[--seconds 120]`` (bounded: at most 100 workers, 600 s; everything on loopback).

Two server processes (one stdio, one HTTP) share one SQLite state file and the sandbox. Meanwhile:
- upstream faults: every half second a new rule makes the next requests of one provider fail (5xx, an HTML
  page, malformed JSON, a dropped connection, a 429, a slow answer), and some writes are applied and then
  answered 502 (the case a retry must not repeat);
- store hiccups: a separate process holds the SQLite file's write lock for 1-3 s every few seconds.

Printed: calls, faults, crashes, duplicates, phantoms, silent writes, unasked spends, the longest call
against OUTBOUND_MCP_MAX_WAIT + 5 s, and the servers' peak RSS. Every figure but the first two should be 0.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx2
import mcp.types as t
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from benchmarks.common import PROVIDER_VARS, SERVER_LOG, stdio_server
from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault, FaultRule, SandboxConfig
from outbound_sandbox.runner import SandboxThread, SandboxUrls

MAX_WORKERS, MAX_SECONDS = 100, 600.0
MAX_WAIT = 10.0
"""OUTBOUND_MCP_MAX_WAIT of the servers under chaos: short, so that its bound is tested within the run."""
TIME_SCALE = 60.0
"""Sandbox seconds per real second: its per-minute limits pass in a second..."""
RATE_WINDOW = 60.0 / TIME_SCALE
"""...and so do the servers' rate windows."""
HTTP_TOKEN = "chaos-http-token-0123456789"
MAYBE = re.compile(r"(?i)may have been applied|may or may not|probably applied|check with")
CRASH = re.compile(r"(?i)stopped on something unexpected|traceback|internal error")
MARK = re.compile(r"chaos-\d+-\d+")
FAULTS = [
    Fault("status", status=500, count=3),
    Fault("status", status=503, count=3),
    Fault("html", status=502, count=3),
    Fault("malformed", count=2),
    Fault("drop", count=2),
    Fault("rate_limit", status=429, count=2),
    Fault("latency", seconds=2.0, count=2),
]
PROVIDERS = ["/persistiq/*", "/snov/*", "/epixel/*"]
HOLDER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
db.execute("BEGIN IMMEDIATE")
time.sleep(float(sys.argv[2]))
db.execute("ROLLBACK")
"""


@dataclass
class Tally:
    calls: int = 0
    crashes: int = 0
    reasked: int = 0
    longest: float = 0.0
    writes: dict[str, tuple[str, bool, bool]] = field(default_factory=dict[str, tuple[str, bool, bool]])
    """marker -> (tool, reported done, said it may have been applied)"""
    asked: set[str] = field(default_factory=set[str])
    """Paid markers the person was asked about and accepted."""
    errors: Counter[str] = field(default_factory=Counter[str])
    crash_texts: list[str] = field(default_factory=list[str])


class AppliedThenFailed:
    """Some writes are applied by the vendor and then answered 502 with an HTML page (a gateway timing out)."""

    def __init__(self, app: ASGIApp, rate: float) -> None:
        self.app = app
        self.rate = rate
        self.count = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or random.random() >= self.rate:
            await self.app(scope, receive, send)
            return

        async def swallow(message: Message) -> None:
            pass

        await self.app(scope, receive, swallow)
        self.count += 1
        page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        await send({"type": "http.response.start", "status": 502, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": page})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else 0.0


@contextmanager
def http_server(urls: SandboxUrls, state: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(PROVIDER_VARS)}
    env.update(urls.environment())
    env.update(
        OUTBOUND_MCP_STATE=state,
        OUTBOUND_MCP_MAX_WAIT=str(MAX_WAIT),
        OUTBOUND_MCP_RATE_WINDOW=str(RATE_WINDOW),
        OUTBOUND_MCP_HTTP_TOKEN=HTTP_TOKEN,
        OUTBOUND_MCP_LOG_LEVEL="WARNING",
    )
    args = [sys.executable, "-m", "mcp_server", "--transport", "http", "--host", "127.0.0.1", "--port", str(port)]
    with SERVER_LOG.open("ab") as log:
        process = subprocess.Popen(args, env=env, stdout=log, stderr=log)
    try:
        for _ in range(400):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/mcp", process
    finally:
        process.terminate()
        process.wait(timeout=15)


class Person:
    """Accepts the paid questions of even-numbered markers, declines the others; remembers what it accepted."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally

    async def __call__(self, context: Any, params: Any) -> t.ElicitResult:
        found = MARK.search(params.message)
        accept = found is not None and int(found.group(0).rsplit("-", 1)[1]) % 2 == 0
        if accept and found is not None:
            self.tally.asked.add(found.group(0))
        return t.ElicitResult(action="accept" if accept else "decline", content={"confirm": True} if accept else None)


@asynccontextmanager
async def stdio_client(urls: SandboxUrls, state: str, person: Person) -> AsyncIterator[Client]:
    # Its stderr is this terminal's: only errors are logged there, the figures stay readable.
    params = stdio_server(urls, state=state, max_wait=MAX_WAIT, rate_window=RATE_WINDOW, log_level="ERROR")
    async with Client(params, elicitation_callback=person) as client:
        yield client


@asynccontextmanager
async def http_client(url: str, person: Person) -> AsyncIterator[Client]:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {HTTP_TOKEN}"}, timeout=MAX_WAIT + 30)
    async with http, Client(streamable_http_client(url, http_client=http), elicitation_callback=person) as client:
        yield client


class Run:
    def __init__(self, run_id: int, tally: Tally, slug: str) -> None:
        self.run_id = run_id
        self.tally = tally
        self.slug = slug
        self.n = 0

    def marker(self) -> str:
        self.n += 1
        return f"chaos-{self.run_id}-{self.n}"

    async def one(self, client: Client) -> None:
        kind = random.choices(["read", "write", "paid"], weights=[5, 3, 1])[0]
        mark = self.marker()
        if kind == "read":
            name, args = random.choice(
                [
                    ("persistiq_list_users", {}),
                    ("persistiq_list_leads", {"limit": 20}),
                    ("epixel_list_leads", {"limit": 20}),
                    ("snov_get_balance", {}),
                ]
            )
        elif kind == "write":
            name, args = random.choice(
                [
                    ("epixel_create_lead_note", {"slug": self.slug, "note": f"note {mark}"}),
                    ("snov_create_prospect_list", {"name": f"list {mark}"}),
                    ("persistiq_create_leads", {"leads": [{"email": f"{mark}@chaos.example.org"}]}),
                ]
            )
        else:
            name, args = "snov_domain_search", {"domain": f"{mark}.example.com"}
        started = time.monotonic()
        try:
            result = await client.call_tool(name, args)
        except Exception as exc:  # the transport or the server died: a crash, whatever the cause
            if type(exc).__name__ == "InputRequiredRoundsExceededError":
                self.tally.reasked += 1  # the question changed every round (its live figures): never answered
                return
            self.tally.crashes += 1
            self.tally.crash_texts.append(f"{name}: {type(exc).__name__}: {str(exc)[:200]}")
            return
        finally:
            self.tally.calls += 1
            self.tally.longest = max(self.tally.longest, time.monotonic() - started)
        text = " ".join(getattr(block, "text", "") for block in result.content)
        if result.is_error:
            self.tally.errors[text.split(":", 2)[-1].strip()[:60]] += 1
            if CRASH.search(text):
                self.tally.crashes += 1
                self.tally.crash_texts.append(f"{name}: {text[:300]}")
        if kind == "write":
            # Reported done: the marker in the answer, outside what it lists as failed or skipped.
            kept = {
                k: v for k, v in (result.structured_content or {}).items() if k not in ("failed", "skipped", "hint")
            }
            done = not result.is_error and mark in json.dumps(kept)
            self.tally.writes[mark] = (name, done, bool(MAYBE.search(text)))


async def worker(client: Client, run: Run, ends: float) -> None:
    while time.monotonic() < ends:
        await run.one(client)


async def inject_faults(sandbox: Sandbox, ends: float, applied: list[int]) -> None:
    while time.monotonic() < ends:
        applied[0] += sum(rule.applied for rule in sandbox.config.faults)
        fault = random.choice(FAULTS)
        rule = FaultRule(
            f"* {random.choice(PROVIDERS)}", Fault(fault.kind, fault.status, fault.seconds, count=fault.count)
        )
        sandbox.config.faults = [rule]
        await anyio.sleep(0.5)
    applied[0] += sum(rule.applied for rule in sandbox.config.faults)
    sandbox.config.faults = []


async def store_hiccups(path: Path, ends: float, held: list[int]) -> None:
    await anyio.sleep(2.0)
    while time.monotonic() < ends - 3:
        if path.exists():
            await anyio.run_process([sys.executable, "-c", HOLDER, str(path), f"{random.uniform(1, 3):.1f}"])
            held[0] += 1
        await anyio.sleep(random.uniform(2, 5))


async def sample_rss(pids: list[int], ends: float, peak: list[float]) -> None:
    while time.monotonic() < ends:
        peak[0] = max(peak[0], *(rss_mb(pid) for pid in pids))
        await anyio.sleep(1.0)


def account(sandbox: Sandbox, tally: Tally) -> dict[str, int]:
    """Duplicates, phantoms, silent writes and unasked spends, from what the vendors really handled."""
    applied: Counter[str] = Counter()
    spent: set[str] = set()
    for entry in sandbox.env.requests:
        status = getattr(entry, "status", None) or 0
        if entry.fault is not None or not 200 <= status < 300 or entry.method != "POST":
            continue
        text = entry.body.decode(errors="replace") + " " + entry.query
        for mark in set(MARK.findall(text)):
            if "domain-search" in entry.path:
                spent.add(mark)
            else:
                applied[mark] += 1
    figures = Counter[str]()
    for mark, (tool, done, maybe) in tally.writes.items():
        for name, wrong in (
            ("duplicates", applied[mark] > 1),
            ("phantoms", done and applied[mark] == 0),
            ("silent writes", not done and not maybe and applied[mark] > 0),
        ):
            if wrong:
                figures[name] += 1
                tally.crash_texts.append(f"{name[:-1]}: {tool} {mark} (applied {applied[mark]}x)")
    figures["unasked spends"] = len(spent - tally.asked)
    return dict(figures)


async def chaos(workers: int, seconds: float) -> None:
    config = SandboxConfig(time_scale=TIME_SCALE, job_delay=0.5)
    sandbox = Sandbox(config)
    applied_then_failed = AppliedThenFailed(sandbox.app, rate=0.05)
    sandbox.app = applied_then_failed
    thread = SandboxThread(sandbox).start()
    tally = Tally()
    person = Person(tally)
    folder = Path(tempfile.mkdtemp(prefix="outbound-chaos-"))
    path = folder / "state.sqlite3"
    state = f"sqlite:///{path}"
    slug = next(iter(lead.slug for lead in sandbox.epixel.store.leads.values() if sandbox.epixel.store.visible(lead)))
    started = time.monotonic()
    try:
        with http_server(thread.urls, state) as (url, http_process):
            async with stdio_client(thread.urls, state, person) as over_stdio, http_client(url, person) as over_http:
                ends = time.monotonic() + seconds
                faults, held, peak = [0], [0], [0.0]
                pids = [http_process.pid, *server_pids(http_process.pid)]
                async with anyio.create_task_group() as group:
                    group.start_soon(inject_faults, sandbox, ends, faults)
                    group.start_soon(store_hiccups, path, ends, held)
                    group.start_soon(sample_rss, pids, ends, peak)
                    for n in range(workers):
                        client = over_stdio if n % 2 == 0 else over_http
                        group.start_soon(worker, client, Run(n, tally, slug), ends)
    finally:
        thread.stop()
    figures = account(sandbox, tally)
    took = time.monotonic() - started
    print(f"chaos: {workers} workers, {seconds:.0f} s, stdio + HTTP on one SQLite store ({took:.0f} s in all)")
    rows = [
        ("calls", tally.calls),
        ("upstream faults injected", faults[0] + applied_then_failed.count),
        ("  of them writes applied, then answered 502", applied_then_failed.count),
        ("store hiccups (write lock held 1-3 s by another process)", held[0]),
        ("writes with a marker", len(tally.writes)),
        ("crashes", tally.crashes),
        ("paid calls re-asked past the client's 10 rounds (HTTP)", tally.reasked),
        ("duplicates", figures.get("duplicates", 0)),
        ("phantoms", figures.get("phantoms", 0)),
        ("silent writes", figures.get("silent writes", 0)),
        ("unasked spends", figures.get("unasked spends", 0)),
        ("longest call (s)", f"{tally.longest:.1f} (bound: MAX_WAIT {MAX_WAIT:g} + 5 = {MAX_WAIT + 5:g})"),
        ("peak RSS of the servers (MB)", f"{peak[0]:.0f}"),
    ]
    for name, value in rows:
        print(f"  {name:<58} {value}")
    print("  most common error answers:")
    for text, count in tally.errors.most_common(6):
        print(f"    {count:>5}  {text}")
    for text in tally.crash_texts[:8]:
        print(f"  seen: {text}")
    print(json.dumps(dict(rows), default=str), file=sys.stderr)


def server_pids(parent: int) -> list[int]:
    """The stdio server is this process's child; found by its command line."""
    pids: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == parent:
            continue
        try:
            stat = (entry / "stat").read_text().split()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[3]) == os.getpid() and b"mcp_server" in cmdline:
            pids.append(int(entry.name))
    return pids


def main() -> None:
    logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)  # the sandbox's own dropped connections
    parser = argparse.ArgumentParser(prog="python -m benchmarks.chaos", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--workers", type=int, default=40, help=f"concurrent callers (default 40, at most {MAX_WORKERS})"
    )
    parser.add_argument("--seconds", type=float, default=120.0, help=f"run time (default 120, at most {MAX_SECONDS:g})")
    args = parser.parse_args()
    if not 1 <= args.workers <= MAX_WORKERS or not 1 <= args.seconds <= MAX_SECONDS:
        parser.error(f"--workers 1..{MAX_WORKERS}, --seconds 1..{MAX_SECONDS:g}")
    anyio.run(chaos, args.workers, args.seconds)


if __name__ == "__main__":
    main()

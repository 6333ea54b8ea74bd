"""Knobs of the sandbox: time scale, job delay, token lifetime, faults, sandbox credentials."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

FaultKind = Literal["status", "latency", "malformed", "html", "drop", "rate_limit", "body"]

# Credentials the sandbox accepts; `outbound-mcp --sandbox` configures the providers with them.
PERSISTIQ_API_KEY = "sandbox-persistiq-key"
SNOV_CLIENT_ID = "sandbox-snov-client-id"
SNOV_CLIENT_SECRET = "sandbox-snov-client-secret"
EPIXEL_API_KEY = "sandbox-epixel-apikey"
EPIXEL_USERNAME = "demo"
EPIXEL_PASSWORD = "sandbox-epixel-password"

# Where each vendor lives on the sandbox's origin.
PERSISTIQ_PREFIX = "/persistiq"
SNOV_PREFIX = "/snov"
EPIXEL_PREFIX = "/epixel/api/v1"


@dataclass
class Fault:
    """One injected failure.

    kind: ``status`` (answer ``status`` with the vendor's error body), ``latency`` (wait
    ``seconds`` then answer normally), ``malformed`` (200 with broken JSON), ``html``
    (``status`` with an HTML error page), ``drop`` (start a response, then cut the
    connection), ``rate_limit`` (the vendor's 429), ``body`` (answer ``status`` with ``body``:
    a JSON value, or a ``str``/``bytes`` sent as it is, e.g. hostile or oversized data).
    Applies to matching requests after the first ``skip`` of them, ``count`` times
    (None: every time).
    """

    kind: FaultKind
    status: int = 500
    seconds: float = 0.0
    body: Any = None
    count: int | None = None
    skip: int = 0


@dataclass
class FaultRule:
    """``pattern`` is an fnmatch pattern over ``"METHOD /path"``, e.g. ``"POST /persistiq/v1/leads"``."""

    pattern: str
    fault: Fault
    seen: int = 0
    applied: int = 0


Profile = Literal["current", "documented", "recorded"]
"""``current``: the vendors' newer pages (the default). ``documented``: only what ../shared/api-docs says;
where the documents are silent, the least helpful reading a real server could give. ``recorded``: the
documented profile, plus the shapes public clients recorded from the real servers where they differ from the
documents (docs/upstream-assumptions*.md lists each with its source): object-shaped ``data``, ``in_progress``
states, 502 out-of-credits, message-only success bodies, absolute ``next_page`` links on the vendor's origin."""


@dataclass
class SandboxConfig:
    profile: Profile = "current"
    time_scale: float = 1.0
    """Vendor seconds per real second: 60 makes a one-minute rate window pass in one second."""
    job_delay: float = 2.0
    """Vendor seconds an async job (Snov.io tasks, v1 queues) stays in progress."""
    token_lifetime: float = 3600.0
    """Vendor seconds a Snov.io or Epixel access token lives."""
    rate_limits: bool = True
    snov_v1_retired: bool = False
    """Answer 404 on the v1 finder, verifier and URL methods, as the vendor's current page implies."""
    snov_hourly_limit: int = 500
    """Queued names/emails/URLs per (vendor) hour before "too many prospects processing"."""
    snov_balance: float = 2500.0
    seed: int = 7
    faults: list[FaultRule] = field(default_factory=list[FaultRule])

    def real_seconds(self, vendor_seconds: float) -> float:
        return vendor_seconds / self.time_scale

    def add_fault(self, pattern: str, fault: Fault) -> FaultRule:
        rule = FaultRule(pattern, fault)
        self.faults.append(rule)
        return rule

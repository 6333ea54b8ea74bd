"""``Sandbox.reset`` (run before every test) reseeds every vendor a request or a caller reached since its last
reset, and only those: an untouched vendor is as freshly seeded already."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from outbound_sandbox import config as cfg
from outbound_sandbox.app import Sandbox
from outbound_sandbox.epixel.app import EpixelSandbox
from outbound_sandbox.kit import Vendor
from outbound_sandbox.persistiq.app import PersistIQSandbox
from outbound_sandbox.snov.app import SnovSandbox

pytestmark = pytest.mark.anyio


@pytest.fixture
def reseeded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The prefixes of the vendors reseeded, in order."""
    seen: list[str] = []
    for vendor in (PersistIQSandbox, SnovSandbox, EpixelSandbox):
        original = vendor.reset

        def recording(self: Vendor, original: Callable[[Any], None] = original) -> None:
            seen.append(self.prefix)
            original(self)

        monkeypatch.setattr(vendor, "reset", recording)
    yield seen


def persistiq(sandbox: Sandbox) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(sandbox.app),
        base_url=f"http://sandbox{cfg.PERSISTIQ_PREFIX}",
        headers={"x-api-key": cfg.PERSISTIQ_API_KEY},
    )


async def test_a_lead_a_request_created_is_gone_after_a_reset(reseeded: list[str]) -> None:
    sandbox = Sandbox()
    sandbox.reset()
    async with persistiq(sandbox) as http:
        before = (await http.get("/v1/leads")).json()
        created = await http.post("/v1/leads", json={"leads": [{"email": "reset-me@example.org"}]})
        assert created.status_code < 300, created.text
        sandbox.reset()
        after = (await http.get("/v1/leads")).json()
    assert after == before


async def test_a_reset_reseeds_the_vendors_a_request_or_a_caller_reached_and_no_other(reseeded: list[str]) -> None:
    sandbox = Sandbox()
    sandbox.reset()
    reseeded.clear()
    async with persistiq(sandbox) as http:
        await http.get("/v1/users")
    sandbox.snov.core.spent += 1  # a test changing a vendor's state directly
    sandbox.reset()
    assert reseeded == [cfg.PERSISTIQ_PREFIX, cfg.SNOV_PREFIX]
    assert sandbox.snov.spent == 0


async def test_a_reset_under_other_settings_reseeds_every_vendor(reseeded: list[str]) -> None:
    sandbox = Sandbox()
    sandbox.reset()
    reseeded.clear()
    sandbox.config.snov_balance = 10.0
    sandbox.reset()
    assert sorted(reseeded) == sorted([cfg.PERSISTIQ_PREFIX, cfg.SNOV_PREFIX, cfg.EPIXEL_PREFIX])

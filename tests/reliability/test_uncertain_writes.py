"""Writes whose outcome is uncertain, through the real interface: the API applies the write and a proxy then
answers an HTML 500 or 504 (respx in front of the sandbox); the retry is answered from the guard, never sent
again, until ``repeat: true`` says to."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import respx

from outbound_sandbox import config as cfg
from outbound_sandbox.app import Sandbox
from outbound_sandbox.runner import SandboxUrls
from tests.reliability.conftest import Connect
from tests.reliability.proxy import applied_then
from tests.reliability.writes import accepted, text_of

pytestmark = pytest.mark.anyio
PREFIXES = {"snov": cfg.SNOV_PREFIX, "epixel": cfg.EPIXEL_PREFIX}


def _note(sandbox: Sandbox) -> dict[str, Any]:
    return {"slug": sandbox.epixel.store.owned()[0].slug, "note": "Called back about the renewal"}


WRITES: list[tuple[str, Callable[[Sandbox], dict[str, Any]], str, str]] = [
    ("epixel_create_lead_note", _note, "epixel", "/leads/create/leadnote/"),
    (
        "snov_create_webhook",
        lambda s: {"event": "campaign_email.sent", "endpoint_url": "https://hooks.example/uncertain"},
        "snov",
        "/v2/webhooks",
    ),
    ("snov_create_prospect_list", lambda s: {"name": "Uncertain outcome"}, "snov", "/v1/lists"),
]


@pytest.fixture
def proxy() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


def _route(proxy: respx.MockRouter, urls: SandboxUrls, provider: str, path: str, status: int) -> respx.Route:
    base = getattr(urls, provider)
    route = proxy.route(method="POST", url=f"{base}{path}").mock(side_effect=applied_then(status))
    proxy.route().pass_through()
    return route


@pytest.mark.parametrize("status", [500, 504])
@pytest.mark.parametrize(("tool", "arguments", "provider", "path"), WRITES)
async def test_a_write_answered_5xx_html_after_it_was_applied_is_not_written_again_when_retried(
    tool: str,
    arguments: Callable[[Sandbox], dict[str, Any]],
    provider: str,
    path: str,
    status: int,
    sandbox: Sandbox,
    sandbox_urls: SandboxUrls,
    proxy: respx.MockRouter,
    connect: Connect,
    fast_retries: None,
):
    route = _route(proxy, sandbox_urls, provider, path, status)
    args = arguments(sandbox)
    async with connect([tool]) as client:
        first = await client.call_tool(tool, args)
        retried = await client.call_tool(tool, args)
        on_purpose = await client.call_tool(tool, {**args, "repeat": True})

    assert first.is_error and "may have been applied" in text_of(first)
    # The retry is answered from the guard: nothing is sent, and it says what the first call's outcome was.
    assert retried.is_error
    assert "nothing was sent now" in text_of(retried) and "may have been applied" in text_of(retried)
    assert route.call_count == 2  # the first call and the repeat: true, never the retry
    assert not on_purpose.is_error or "may have been applied" in text_of(on_purpose)
    assert len(accepted(sandbox, "POST", PREFIXES[provider] + path)) == 2

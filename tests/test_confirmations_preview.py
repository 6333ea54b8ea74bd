"""A client that cannot show a confirmation form: every spend and delete answers a preview and a one-time
token instead of running; the same call with the token runs once; any other use of the token is refused and
sends nothing (docs/confirmations.md)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.types import CallToolResult

from mcp_server.server import create_server
from outbound_sandbox.app import Sandbox
from tests.confirm_helpers import MODES
from tests.core.helpers import text_of
from tests.fixture_types import SettingsFor
from tests.test_confirmations_destructive import CASES

pytestmark = pytest.mark.anyio

ALEX = {"first_name": "Alex", "last_name": "Rivera", "domain": "acme.com"}
SPENDS: dict[str, dict[str, Any]] = {
    "snov_domain_search": {"domain": "octagon.io"},
    "snov_list_domain_prospects": {"domain": "octagon.io", "limit": 20},
    "snov_find_prospect_email": {"prospect": "0123456789abcdef0123456789abcdef"},
    "snov_list_domain_emails": {"domain": "octagon.io", "limit": 50},
    "snov_list_generic_contacts": {"domain": "octagon.io", "limit": 50},
    "snov_find_email": {**ALEX, "queue_if_missing": True},
    "snov_verify_emails": {"emails": ["new.person1@acme.com"], "queue_unverified": True},
    "snov_find_profile_by_url": {"url": "https://www.linkedin.com/in/alex-rivera"},
    "snov_get_profile_by_email": {"email": "alex@acme.com"},
}
FAST = {"poll_interval": 0.05, "poll_wait": 0.3, "snov_rate_limit": 10_000}


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def quick(sandbox: Sandbox) -> Sandbox:
    sandbox.config.job_delay = 0.1
    sandbox.config.rate_limits = False
    return sandbox


@pytest.fixture
def blind(settings_for: SettingsFor) -> Callable[..., Any]:
    """``async with blind(mode) as client``: a client without elicitation, on a server on the sandbox."""

    @asynccontextmanager
    async def open_client(
        mode: str = "2026-07-28", clock: Clock | None = None, **overrides: Any
    ) -> AsyncGenerator[Client]:
        server = create_server(settings_for(**{**FAST, **overrides}), clock=clock or Clock())
        async with Client(server, mode=mode) as client:
            yield client

    return open_client


def preview_of(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None, text_of(result)
    return result.structured_content["confirmation_required"]


def requests(sandbox: Sandbox, since: int) -> list[str]:
    return [f"{r.method} {r.path}" for r in sandbox.env.requests[since:]]


async def arguments_for(client: Client, tool: str) -> dict[str, Any]:
    if tool in SPENDS:
        return SPENDS[tool]
    prepare, args, _ = CASES[tool]
    return {**args, **await prepare(client)}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("tool", sorted([*SPENDS, *CASES]))
async def test_a_spend_or_delete_answers_a_preview_then_runs_once_with_its_token(
    blind: Callable[..., Any], quick: Sandbox, mode: str, tool: str
):
    async with blind(mode) as client:
        args = await arguments_for(client, tool)
        before = len(quick.env.requests)
        first = await client.call_tool(tool, args)
        previewed = requests(quick, before)
        preview = preview_of(first)
        token = preview["confirmation_token"]

        ran = await client.call_tool(tool, {**args, "confirmation_token": token})
        sent = requests(quick, before)
        again = await client.call_tool(tool, {**args, "confirmation_token": token})

    assert [r for r in previewed if not r.startswith("GET ")] == [], previewed  # at most a read to name it
    assert "Nothing was" in text_of(first) and token in text_of(first) and preview["preview"] in text_of(first)
    assert len(sent) > len(previewed)
    assert ran.structured_content is None or "confirmation_required" not in ran.structured_content
    assert again.is_error and "already used" in text_of(again)
    assert requests(quick, before)[len(sent) :] == []


async def test_the_paid_preview_says_the_credits_at_most_the_cap_and_the_balance(
    blind: Callable[..., Any], quick: Sandbox
):
    async with blind(snov_max_credits=40) as client:
        await client.call_tool("snov_get_balance", {})
        preview = preview_of(await client.call_tool("snov_list_domain_emails", {"domain": "octagon.io", "limit": 120}))

    lines = preview["preview"].splitlines()
    assert lines[0].startswith("Snov.io: reading up to 120 emails of octagon.io will spend up to 3 credits")
    assert lines[1] == "This server has spent 0 credits today, of its SNOV_MAX_CREDITS=40 (40 credits left)."
    assert lines[2].startswith("Account balance: ")
    assert quick.snov.spent == 0


async def test_a_token_with_other_arguments_is_refused_naming_them_and_still_works_for_its_own(
    blind: Callable[..., Any], quick: Sandbox
):
    args = {"domain": "octagon.io", "limit": 50}
    async with blind() as client:
        token = preview_of(await client.call_tool("snov_list_domain_emails", args))["confirmation_token"]
        before = len(quick.env.requests)
        other = await client.call_tool("snov_list_domain_emails", {**args, "limit": 200, "confirmation_token": token})
        assert requests(quick, before) == []
        elsewhere = await client.call_tool("snov_domain_search", {"domain": "octagon.io", "confirmation_token": token})
        assert requests(quick, before) == []
        own = await client.call_tool("snov_list_domain_emails", {**args, "confirmation_token": token})

    assert other.is_error and "other arguments (they differ in limit)" in text_of(other)
    assert elsewhere.is_error and "made for snov_list_domain_emails" in text_of(elsewhere)
    assert not own.is_error and "confirmation_required" not in (own.structured_content or {})
    assert requests(quick, before) != []


async def test_a_token_expires_after_ten_minutes_on_the_server_s_clock(blind: Callable[..., Any], quick: Sandbox):
    clock = Clock()
    async with blind(clock=clock) as client:
        token = preview_of(await client.call_tool("snov_delete_webhook", {"webhook_id": 8}))["confirmation_token"]
        clock.now += 601
        late = await client.call_tool("snov_delete_webhook", {"webhook_id": 8, "confirmation_token": token})

    assert late.is_error and "expired at" in text_of(late) and "Nothing was deleted" in text_of(late)
    assert quick.env.handled("DELETE", "/snov/v2/webhooks") == []


async def test_a_made_up_token_is_refused_and_nothing_is_sent(blind: Callable[..., Any], quick: Sandbox):
    async with blind() as client:
        result = await client.call_tool("snov_delete_webhook", {"webhook_id": 8, "confirmation_token": "ct_made-up"})

    assert result.is_error and "unknown here" in text_of(result)
    assert quick.env.handled("DELETE", "/snov/v2/webhooks") == []


async def test_a_token_from_one_process_runs_once_in_another_sharing_the_store(
    settings_for: SettingsFor, quick: Sandbox, tmp_path: Path
):
    shared = {**FAST, "outbound_mcp_state": f"sqlite:///{tmp_path / 'state.db'}"}
    async with Client(create_server(settings_for(**shared))) as a:
        token = preview_of(await a.call_tool("snov_delete_webhook", {"webhook_id": 8}))["confirmation_token"]
    async with Client(create_server(settings_for(**shared))) as b:
        ran = await b.call_tool("snov_delete_webhook", {"webhook_id": 8, "confirmation_token": token})
    async with Client(create_server(settings_for(**shared))) as a_again:
        again = await a_again.call_tool("snov_delete_webhook", {"webhook_id": 8, "confirmation_token": token})

    assert not ran.is_error, text_of(ran)
    assert again.is_error and "already used" in text_of(again)
    assert len(quick.env.handled("DELETE", "/snov/v2/webhooks")) == 1


@pytest.mark.parametrize(("setting", "said"), [("allow", None), ("refuse", "OUTBOUND_MCP_UNCONFIRMED=refuse")])
async def test_allow_and_refuse_stay_as_settings(
    blind: Callable[..., Any], quick: Sandbox, setting: str, said: str | None
):
    async with blind(outbound_mcp_unconfirmed=setting) as client:
        result = await client.call_tool("snov_delete_webhook", {"webhook_id": 8})

    deleted = quick.env.handled("DELETE", "/snov/v2/webhooks")
    if said is None:
        assert not result.is_error and len(deleted) == 1
    else:
        assert result.is_error and said in text_of(result) and deleted == []


async def test_the_instructions_tell_the_model_what_a_preview_asks_of_it(blind: Callable[..., Any], quick: Sandbox):
    async with blind("legacy") as client:
        told = client.instructions or ""
    async with blind("legacy", outbound_mcp_unconfirmed="allow") as client:
        untold = client.instructions or ""

    assert "confirmation_required did nothing yet" in told and "confirmation_token" in told
    assert "confirmation_required" not in untold

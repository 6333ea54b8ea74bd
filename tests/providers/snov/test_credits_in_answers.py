"""Every paid Snov.io answer says what it spent and what is left of the ceiling; ``dry_run`` says what a call
would spend and sends nothing."""

from __future__ import annotations

from typing import Any

import pytest

from outbound_sandbox.app import Sandbox
from tests.providers.snov.outreach_helpers import ok
from tests.providers.typed import Connect

pytestmark = pytest.mark.anyio
ALLOW = {"outbound_mcp_unconfirmed": "allow"}
"""These tests are about the answers, not the question: a client that cannot be asked runs the call."""

PAID: list[tuple[str, dict[str, Any], int]] = [
    ("snov_domain_search", {"domain": "acme.com"}, 1),
    ("snov_list_domain_prospects", {"domain": "acme.com", "limit": 45}, 3),
    ("snov_find_prospect_email", {"prospect": "0123456789abcdef"}, 1),
    ("snov_list_domain_emails", {"domain": "acme.com", "limit": 120}, 3),
    ("snov_list_generic_contacts", {"domain": "acme.com"}, 1),
    ("snov_find_email", {"first_name": "Ada", "last_name": "Lovelace", "domain": "acme.com", "queue_if_missing": True}, 1),
    ("snov_verify_emails", {"emails": ["a@acme.com", "b@acme.com"], "queue_unverified": True}, 2),
    ("snov_find_profile_by_url", {"url": "https://www.linkedin.com/in/ada-lovelace"}, 1),
    ("snov_get_profile_by_email", {"email": "ada@acme.com"}, 1),
]  # fmt: skip


@pytest.mark.parametrize(("tool", "arguments", "most"), PAID)
async def test_a_dry_run_of_every_paid_tool_says_the_most_it_would_cost_and_sends_nothing_upstream(
    tool: str, arguments: dict[str, Any], most: int, connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    async with connect(snov_max_credits=10, **ALLOW) as client:
        answer = ok(await client.call_tool(tool, {**arguments, "dry_run": True}))

    assert answer["dry_run"] is True and answer["credits_at_most"] == most
    assert answer["credits_left"] == 10 and "Nothing was sent" in answer["cost"]
    assert [r.path for r in sandbox.env.requests] == []  # not even a token


async def test_a_paid_answer_carries_the_credits_it_spent_and_what_is_left_of_the_ceiling(
    connect: Connect, quick_jobs: Sandbox
):
    async with connect(snov_max_credits=10, **ALLOW) as client:
        first = ok(await client.call_tool("snov_list_domain_prospects", {"domain": "acme.com", "limit": 40}))
        again = ok(await client.call_tool("snov_list_domain_prospects", {"domain": "acme.com", "limit": 40}))

    assert (first["credits_spent"], first["credits_left"]) == (2, 8)
    # The same pages again were paid for already: free, and said so.
    assert (again["credits_spent"], again["credits_left"]) == (0, 8)


async def test_without_a_ceiling_a_paid_answer_says_what_it_spent_only(connect: Connect, quick_jobs: Sandbox):
    async with connect(**ALLOW) as client:
        company = ok(await client.call_tool("snov_domain_search", {"domain": "acme.com"}))

    assert company["credits_spent"] == 1 and "credits_left" not in company


async def test_a_dry_run_shows_the_balance_last_read_without_reading_it_again(
    connect: Connect, quick_jobs: Sandbox, sandbox: Sandbox
):
    async with connect(**ALLOW) as client:
        balance = ok(await client.call_tool("snov_get_balance", {}))
        before = len(sandbox.env.requests)
        dry = ok(await client.call_tool("snov_domain_search", {"domain": "acme.com", "dry_run": True}))

    assert dry["balance"] == balance["balance"] and dry["balance_at"]
    assert len(sandbox.env.requests) == before

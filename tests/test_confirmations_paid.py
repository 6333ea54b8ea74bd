"""Paid Snov.io steps ask the person first (README "Confirmations"), in both protocol eras."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import mcp.types as t
import pytest
from mcp import Client

from mcp_server.server import create_server
from outbound_sandbox.app import Sandbox
from tests.confirm_helpers import MODES, Action, Person
from tests.core.helpers import text_of
from tests.fixture_types import OpenClient, SettingsFor

pytestmark = pytest.mark.anyio

ALEX = {"first_name": "Alex", "last_name": "Rivera", "domain": "acme.com"}
QUEUE = "/snov/v1/add-names-to-find-emails"
FAST = {"poll_interval": 0.05, "snov_rate_limit": 10_000}


@pytest.fixture
def jobs(sandbox: Sandbox) -> Sandbox:
    sandbox.config.job_delay = 0.2
    sandbox.config.rate_limits = False
    return sandbox


@pytest.fixture
def connect(settings_for: SettingsFor) -> OpenClient:
    @asynccontextmanager
    async def open_client(mode: str, person: Person | None, **overrides: Any) -> AsyncGenerator[Client]:
        server = create_server(settings_for(**{**FAST, **overrides}))
        async with Client(server, mode=mode, elicitation_callback=person) as client:
            yield client

    return open_client


@pytest.mark.parametrize("mode", MODES)
async def test_an_accepted_paid_step_runs_once_and_spends_its_credit(connect: OpenClient, jobs: Sandbox, mode: str):
    person = Person("accept")
    async with connect(mode, person) as client:
        found = await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True})

    assert not found.is_error, text_of(found)
    assert found.structured_content["status"] == "found"
    assert len(person.asked) == 1
    assert len(jobs.env.handled("POST", QUEUE)) == 1
    assert jobs.snov.spent == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("action", "said"),
    [("decline", "the user declined"), ("cancel", "closed the confirmation"), ("accept", "without ticking")],
)
async def test_a_paid_step_the_person_does_not_confirm_sends_nothing_and_says_what_to_do(
    connect: OpenClient, jobs: Sandbox, mode: str, action: Action, said: str
):
    person = Person(action, ticked=False)
    async with connect(mode, person) as client:
        result = await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True})

    assert result.is_error
    text = text_of(result)
    assert said in text and "Nothing was sent and no credits were spent" in text
    assert "Call without queue_if_missing" in text
    assert len(person.asked) == 1
    assert jobs.env.requests == []
    assert jobs.snov.spent == 0


@pytest.mark.parametrize("mode", MODES)
async def test_the_question_shows_the_estimate_the_spending_the_ceiling_and_the_balance_last_seen(
    connect: OpenClient, jobs: Sandbox, mode: str
):
    person = Person("decline")
    emails = ["new.person1@acme.com", "new.person2@acme.com", "NEW.person2@acme.com", "x@initech.com"]
    async with connect(mode, person, snov_max_credits=40) as client:
        balance = (await client.call_tool("snov_get_balance", {})).structured_content
        before = len(jobs.env.requests)
        await client.call_tool("snov_verify_emails", {"emails": emails, "queue_unverified": True})

    assert len(jobs.env.requests) == before
    (question,) = person.asked
    lines = question.splitlines()
    assert lines[0] == (
        "Snov.io: verifying 3 emails will spend up to 3 credits "
        "(only emails Snov.io never verified are charged; greylisted ones are free)."
    )
    assert lines[1] == "This server has spent 0 credits today, of its SNOV_MAX_CREDITS=40 (40 credits left)."
    assert lines[2].startswith(f"Account balance: {balance['balance']:g} credits at ")
    assert lines[3] == "Spend the credits?"
    assert person.forms[0]["required"] == ["confirm"]


async def test_before_any_balance_check_the_question_says_the_balance_is_unknown(connect: OpenClient, jobs: Sandbox):
    person = Person("decline")
    async with connect("legacy", person) as client:
        await client.call_tool("snov_domain_search", {"domain": "https://www.Octagon.io/"})

    assert person.asked[0].splitlines()[0] == (
        "Snov.io: a domain search for octagon.io will spend 1 credit (nothing if Snov.io has no results)."
    )
    assert "not checked yet (snov_get_balance shows it, free)" in person.asked[0]
    assert "SNOV_MAX_CREDITS" not in person.asked[0]


@pytest.mark.parametrize("mode", MODES)
async def test_a_free_call_of_a_paid_tool_asks_nothing(connect: OpenClient, jobs: Sandbox, mode: str):
    person = Person("decline")
    async with connect(mode, person) as client:
        missing = await client.call_tool("snov_find_email", ALEX)

    assert not missing.is_error and missing.structured_content["status"] == "not_found"
    assert person.asked == []


@pytest.mark.parametrize("mode", MODES)
async def test_allow_mode_lets_a_client_without_elicitation_spend_by_the_flags(
    connect: OpenClient, jobs: Sandbox, mode: str
):
    async with connect(mode, None, outbound_mcp_unconfirmed="allow") as client:
        free = await client.call_tool("snov_find_email", ALEX)
        paid = await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True})

    assert free.structured_content["status"] == "not_found"
    assert paid.structured_content["status"] == "found"
    assert len(jobs.env.handled("POST", QUEUE)) == 1 and jobs.snov.spent == 1


@pytest.mark.parametrize("mode", MODES)
async def test_refuse_mode_refuses_a_paid_step_the_client_cannot_confirm_with_no_request(
    connect: OpenClient, jobs: Sandbox, mode: str
):
    async with connect(mode, None, outbound_mcp_unconfirmed="refuse") as client:
        refused = await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True})
        assert jobs.env.requests == []
        free = await client.call_tool("snov_find_email", ALEX)

    assert refused.is_error
    assert "cannot show a confirmation form (it declared no form elicitation)" in text_of(refused)
    assert "OUTBOUND_MCP_UNCONFIRMED=preview" in text_of(refused)
    assert not free.is_error and jobs.env.handled("POST", QUEUE) == [] and jobs.snov.spent == 0


async def test_confirm_none_asks_nothing_even_where_the_client_could(connect: OpenClient, jobs: Sandbox):
    person = Person("decline")
    async with connect("2026-07-28", person, outbound_mcp_confirm="none") as client:
        found = await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True})

    assert not found.is_error and person.asked == [] and jobs.snov.spent == 1


async def test_confirm_destructive_only_lets_paid_steps_run_unasked(connect: OpenClient, jobs: Sandbox):
    person = Person("decline")
    async with connect("legacy", person, outbound_mcp_confirm="destructive") as client:
        await client.call_tool("snov_domain_search", {"domain": "octagon.io"})
        deleted = await client.call_tool("snov_delete_webhook", {"webhook_id": 8})

    assert deleted.is_error and len(person.asked) == 1 and "Delete Snov.io webhook 8 (" in person.asked[0]


async def test_a_read_only_server_refuses_the_paid_flag_without_asking(connect: OpenClient, jobs: Sandbox):
    person = Person("accept")
    async with connect("legacy", person, outbound_mcp_read_only=True) as client:
        result = await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True})

    assert result.is_error and "read-only" in text_of(result)
    assert person.asked == [] and jobs.env.requests == []


async def test_a_resumed_job_is_free_and_asks_nothing(connect: OpenClient, jobs: Sandbox):
    jobs.config.job_delay = 0.8
    person = Person("accept")
    async with connect("2026-07-28", person, poll_wait=0.2) as client:
        first = (await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True})).structured_content
        assert first["status"] == "running"
        await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True, "handle": first["handle"]})

    assert len(person.asked) == 1 and len(jobs.env.handled("POST", QUEUE)) == 1


async def test_a_paid_question_answered_over_2026_rounds_runs_though_its_figures_moved_between_rounds(
    connect: OpenClient, jobs: Sandbox
):
    # The question quotes live figures (the balance last read); a balance read between the rounds changed them,
    # and the answer was then discarded as an answer to another question: the person was asked round after round.
    call = ("snov_find_email", {**ALEX, "queue_if_missing": True})
    async with connect("2026-07-28", Person("accept")) as client:
        first = await client.session.call_tool(*call, allow_input_required=True)
        assert isinstance(first, t.InputRequiredResult) and first.input_requests is not None
        (key,) = first.input_requests
        await client.call_tool("snov_get_balance", {})
        answer = t.ElicitResult(action="accept", content={"confirm": True})
        done = await client.session.call_tool(
            *call, input_responses={key: answer}, request_state=first.request_state, allow_input_required=True
        )

    assert isinstance(done, t.CallToolResult), "the person was asked again"
    assert not done.is_error, text_of(done)
    assert len(jobs.env.handled("POST", QUEUE)) == 1

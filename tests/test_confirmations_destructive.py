"""Every destructive tool (found by its annotation) asks the person first: accept deletes once, no sends nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from mcp import Client

from mcp_server.server import create_server
from outbound_sandbox.app import Sandbox
from tests.confirm_helpers import MODES, Person
from tests.core.helpers import text_of
from tests.fixture_types import SettingsFor
from tests.tables import rows

pytestmark = pytest.mark.anyio


async def persistiq_pair(client: Client) -> dict[str, Any]:
    lead = rows((await client.call_tool("persistiq_list_leads", {"limit": 1})).structured_content)[0]["id"]
    campaign = (await client.call_tool("persistiq_list_campaigns", {"limit": 1})).structured_content["items"][0]["id"]
    await client.call_tool("persistiq_add_leads_to_campaign", {"campaign_id": campaign, "lead_ids": [lead]})
    return {"campaign_id": campaign, "lead_id": lead}


async def warm(client: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    await client.call_tool(tool, args)  # signs in, so the delete is the only request that follows
    return {}


# Each destructive tool: how to get arguments for it (after any sign-in), and what the question names.
Prepare = Callable[[Client], Awaitable[dict[str, Any]]]
CASES: dict[str, tuple[Prepare, dict[str, Any], str]] = {
    "snov_delete_webhook": (
        lambda c: warm(c, "snov_list_webhooks", {}),
        {"webhook_id": 8},
        "Snov.io webhook 8 (campaign_email.sent to https://hooks.example.com/snov/sent)",
    ),
    "persistiq_remove_lead_from_campaign": (persistiq_pair, {}, "Remove PersistIQ lead Zoe Garcia (Pioneer Bank) from"),
    "epixel_delete_lead": (
        lambda c: warm(c, "epixel_get_leads_overview", {}),
        {"slug": "lead2"},
        "Delete Epixel lead Sara Berg (sara.berg2@mail.example.net)?",
    ),
    "epixel_delete_appointment": (
        lambda c: warm(c, "epixel_get_leads_overview", {}),
        {"appointment_id": 1001},
        "appointment 1001",
    ),
    "epixel_delete_lead_note": (lambda c: warm(c, "epixel_get_leads_overview", {}), {"note_id": 5001}, "note 5001"),
}


async def test_the_cases_cover_exactly_the_tools_annotated_destructive(mcp: Client):
    destructive = {t.name for t in (await mcp.list_tools()).tools if t.annotations and t.annotations.destructive_hint}
    assert destructive == set(CASES)


async def call(
    settings_for: SettingsFor, sandbox: Sandbox, mode: str, person: Person, tool: str
) -> tuple[Any, list[Any]]:
    prepare, args, _ = CASES[tool]
    async with Client(create_server(settings_for()), mode=mode, elicitation_callback=person) as client:
        args = {**args, **await prepare(client)}
        before = len(sandbox.env.requests)
        result = await client.call_tool(tool, args)
    return result, sandbox.env.requests[before:]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("tool", sorted(CASES))
async def test_an_accepted_delete_is_sent_once(settings_for: SettingsFor, sandbox: Sandbox, mode: str, tool: str):
    person = Person("accept")
    result, sent = await call(settings_for, sandbox, mode, person, tool)

    assert not result.is_error, text_of(result)
    writes = [r for r in sent if r.method != "GET"]  # a read may name what goes before the question
    assert len(writes) == 1 and writes[0].method in ("DELETE", "POST")
    (question,) = person.asked
    assert CASES[tool][2] in question and question.endswith("This cannot be undone.")
    assert person.forms[0]["properties"]["confirm"]["type"] == "boolean"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("tool", sorted(CASES))
async def test_a_declined_delete_sends_nothing_and_says_nothing_was_deleted(
    settings_for: SettingsFor, sandbox: Sandbox, mode: str, tool: str
):
    person = Person("decline")
    result, sent = await call(settings_for, sandbox, mode, person, tool)

    assert result.is_error
    assert "the user declined" in text_of(result) and "Nothing was deleted" in text_of(result)
    assert [r for r in sent if r.method != "GET"] == []
    assert len(person.asked) == 1


async def test_a_declined_delete_leaves_the_record_in_place(settings_for: SettingsFor, sandbox: Sandbox):
    await call(settings_for, sandbox, "2026-07-28", Person("decline"), "epixel_delete_lead_note")
    assert 5001 in sandbox.epixel.store.notes
    await call(settings_for, sandbox, "2026-07-28", Person("accept"), "epixel_delete_lead_note")
    assert 5001 not in sandbox.epixel.store.notes


async def test_refuse_mode_refuses_a_delete_the_client_cannot_confirm(settings_for: SettingsFor, sandbox: Sandbox):
    async with Client(create_server(settings_for(outbound_mcp_unconfirmed="refuse"))) as client:
        result = await client.call_tool("snov_delete_webhook", {"webhook_id": 8})

    assert result.is_error and "Nothing was deleted" in text_of(result)
    assert sandbox.env.handled("DELETE") == []


@pytest.mark.parametrize(
    ("tool", "args", "says"),
    [
        ("snov_delete_webhook", {"webhook_id": 999999}, "Snov.io has no webhook 999999"),
        ("epixel_delete_lead", {"slug": "no-such-lead"}, "Epixel has no lead no-such-lead"),
        ("persistiq_remove_lead_from_campaign", {"campaign_id": "c_nope", "lead_id": "l_nope"}, "no lead l_nope"),
    ],
)
async def test_nobody_is_asked_to_delete_something_that_is_not_there(
    settings_for: SettingsFor, sandbox: Sandbox, tool: str, args: dict[str, Any], says: str
):
    person = Person("accept")
    async with Client(create_server(settings_for()), elicitation_callback=person) as client:
        result = await client.call_tool(tool, args)

    assert result.is_error and says in text_of(result) and "Nothing was deleted" in text_of(result)
    assert person.asked == []
    assert [r for r in sandbox.env.requests if r.method == "DELETE" or "/delete/" in r.path] == []


async def test_a_lead_not_in_the_campaign_is_not_asked_about(settings_for: SettingsFor, sandbox: Sandbox):
    person = Person("accept")
    async with Client(create_server(settings_for()), elicitation_callback=person) as client:
        lead = rows((await client.call_tool("persistiq_list_leads", {"limit": 1})).structured_content)[0]["id"]
        every = (await client.call_tool("persistiq_list_campaigns", {})).structured_content["items"]
        its = (await client.call_tool("persistiq_list_campaigns", {"lead_id": lead})).structured_content
        other = next(c["id"] for c in every if c["id"] not in {m["id"] for m in its.get("items", [])})
        result = await client.call_tool("persistiq_remove_lead_from_campaign", {"campaign_id": other, "lead_id": lead})

    assert result.is_error and "is not in campaign" in text_of(result) and person.asked == []
    assert sandbox.env.handled("DELETE", "/persistiq/v1/campaigns") == []

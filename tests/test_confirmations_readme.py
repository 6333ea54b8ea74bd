"""The README's "Confirmations" examples are what the server really asks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mcp import Client
from mcp.types import TextContent

from mcp_server.server import create_server
from outbound_sandbox.app import Sandbox
from tests.confirm_helpers import Person
from tests.fixture_types import SettingsFor

pytestmark = pytest.mark.anyio
README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
WHEN = re.compile(r"at \d\d:\d\d UTC on \d\d \w{3}\.")


def shown(name: str) -> str:
    block = README.split(f"<!-- {name}:start -->\n```text\n", 1)[1].split(f"\n```\n<!-- {name}:end -->", 1)[0]
    return WHEN.sub("at (time).", block)


async def test_the_readme_shows_the_questions_the_person_really_sees(settings_for: SettingsFor, sandbox: Sandbox):
    person = Person("decline")
    async with Client(create_server(settings_for(snov_max_credits=100)), elicitation_callback=person) as client:
        await client.call_tool("snov_get_balance", {})
        await client.call_tool("snov_list_domain_emails", {"domain": "octagon.io", "limit": 120})
        declined = await client.call_tool("epixel_delete_lead", {"slug": "lead2"})

    paid, delete = (
        WHEN.sub("at (time).", question) + f"\n[ ] {form['properties']['confirm']['title']}"
        for question, form in zip(person.asked, person.forms, strict=True)
    )
    assert paid == shown("confirm-paid")
    assert delete == shown("confirm-delete")
    block = declined.content[0]
    assert isinstance(block, TextContent)
    told = block.text.removeprefix("Error executing tool epixel_delete_lead: ")
    assert f"`{told}`" in " ".join(README.split())


TOKEN = re.compile(r'"ct_[A-Za-z0-9_-]+"')
UNTIL = re.compile(r"until \d\d:\d\d UTC")


async def test_the_readme_shows_the_preview_a_client_without_elicitation_really_gets(
    settings_for: SettingsFor, sandbox: Sandbox
):
    async with Client(create_server(settings_for())) as client:
        previewed = await client.call_tool("epixel_delete_lead", {"slug": "lead2"})

    block = previewed.content[0]
    assert isinstance(block, TextContent) and not previewed.is_error
    normalised = UNTIL.sub("until (time) UTC", TOKEN.sub('"ct_(token)"', block.text))
    assert normalised == shown("confirm-preview")
    assert not sandbox.epixel.store.leads["lead2"].deleted

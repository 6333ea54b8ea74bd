"""Smaller holes (issue 26, Low): a bare prospect hash followed by ``?query`` is never POSTed with that query,
Unicode digits do not pass as Epixel phone digits, and odd JSON-RPC ids are answered."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from mcp_server.server import create_server
from outbound_sandbox.app import Sandbox
from tests.confirm_helpers import Person
from tests.reliability.writes import text_of

pytestmark = pytest.mark.anyio
START = "/snov/v2/domain-search/prospects/search-emails/start/"


async def test_a_bare_prospect_hash_followed_by_a_query_is_refused_and_nothing_is_sent(
    settings_for: Any, sandbox: Sandbox
) -> None:
    sandbox.config.job_delay = 0.2
    sandbox.config.rate_limits = False
    settings = settings_for(poll_interval=0.05, snov_rate_limit=10_000)
    async with Client(create_server(settings), elicitation_callback=Person("accept")) as client:
        listed = await client.call_tool("snov_list_domain_prospects", {"domain": "acme.com", "limit": 1})
        prospect_hash = listed.structured_content["items"][0]["prospect_hash"]
        sneaky = await client.call_tool("snov_find_prospect_email", {"prospect": f"{prospect_hash}?list_id=9&x=1"})
    assert sneaky.is_error and "Nothing was sent" in text_of(sneaky), text_of(sneaky)
    assert [entry.query for entry in sandbox.env.requests if entry.path.startswith(START)] == []


UNICODE_PHONES = {
    "arabic-indic": "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",
    "fullwidth": "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17",
    "mixed": "\uff11\uff12" + "3",
}


@pytest.mark.parametrize("phone", UNICODE_PHONES.values(), ids=UNICODE_PHONES.keys())
async def test_unicode_digits_do_not_pass_as_an_epixel_phone_and_nothing_is_sent(
    connect: Any, sandbox: Sandbox, phone: str
) -> None:
    lead = {"first_name": "Ann", "last_name": "Lee", "email": "ann.lee@example.org", "phone": phone}
    async with connect(["epixel_create_lead"]) as client:
        result = await client.call_tool("epixel_create_lead", lead)
    assert result.is_error and "phone" in text_of(result), text_of(result)
    assert not [e for e in sandbox.env.handled("POST", "/epixel/") if "leads" in e.path]

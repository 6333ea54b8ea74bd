"""outreach_reference_data: the names and ids other tools take, one call, cached for a minute."""

from __future__ import annotations

import pytest

from outbound_sandbox.app import Sandbox
from tests.outcomes.helpers import ok
from tests.providers.typed import Connect

pytestmark = pytest.mark.anyio


async def test_reference_data_names_statuses_users_mailboxes_and_campaigns_then_answers_from_its_cache(
    connect: Connect, sandbox: Sandbox, profile: str
):
    world = sandbox.persistiq.world
    async with connect() as client:
        first = ok(await client.call_tool("outreach_reference_data", {}))
        sent = len(sandbox.env.requests)
        again = ok(await client.call_tool("outreach_reference_data", {}))

    persistiq = first["persistiq"]
    assert set(persistiq["lead_statuses"]) == set(world.statuses.values())
    assert persistiq["campaigns"] == {c.name: c.id for c in world.campaigns.values()}
    owner = world.users[0]
    assert persistiq["users"][owner.name] == {"id": owner.id, "default_mailbox_id": owner.default_mailbox_id}
    assert first["snov"]["campaigns"]["Acme Q3 mass outreach"] == {"id": 237945, "status": "Paused"}
    assert "fullfilled" in first["epixel"]["appointment_statuses"]
    assert again["cached"] is True and len(sandbox.env.requests) == sent
    lists = first["snov"]["do_not_email_lists"]
    if profile == "current":
        assert lists["Legal hold"]["id"] == 42002
    else:  # only the newer pages document GET /v2/blacklists
        assert isinstance(lists, str) and "Snov.io app" in lists

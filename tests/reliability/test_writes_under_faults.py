"""Every other tool that creates something, under every fault: what reached the sandbox is counted item by
item (writes.py). No item may arrive twice, none may go missing from the answer, and whatever may have
been applied is said to be so. The fault matrix covers the three batched writes; these are the rest."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mcp_server.catalogue import all_tools, kind_of
from outbound_sandbox.config import FaultRule
from outbound_sandbox.kit import LoggedRequest
from tests.reliability.test_fault_matrix import KINDS, Op, run_matrix
from tests.reliability.writes import WriteSpec, form_list, json_fields, persistiq_leads_account, single_account

pytestmark = pytest.mark.anyio


def _json_key(name: str) -> Callable[[LoggedRequest], list[str]]:
    return lambda e: [str(json_fields(e).get(name, "")).lower()]


PQ_CAMPAIGN = WriteSpec(
    "POST",
    "/persistiq/v1/campaigns/",
    lambda e: [lead["id"].lower() for lead in json_fields(e).get("leads", [])],
    persistiq_leads_account,
    asked=lambda args: args["lead_ids"],
)
PQ_DNC = WriteSpec("POST", "/persistiq/v1/dnc_domains", _json_key("name"), single_account(), lambda a: [a["name"]])
SNOV_PROSPECT = WriteSpec(
    "POST", "/snov/v1/add-prospect-to-list", lambda e: form_list(e, "email"), single_account(), lambda a: [a["email"]]
)
SNOV_LIST = WriteSpec("POST", "/snov/v1/lists", lambda e: form_list(e, "name"), single_account(), lambda a: [a["name"]])
SNOV_HOOK = WriteSpec(
    "POST", "/snov/v2/webhooks", _json_key("endpoint_url"), single_account(), lambda a: [a["endpoint_url"]]
)
SNOV_DNE = WriteSpec(
    "POST", "/snov/v1/do-not-email-list", lambda e: form_list(e, "items[]"), single_account(), lambda a: a["items"]
)
EPX_APPOINTMENT = WriteSpec(
    "POST",
    "/epixel/api/v1/leads/create/appointment/",
    lambda e: form_list(e, "appointment_note"),
    single_account(),
    lambda a: [a["appointment_note"]],
)
EPX_NOTE = WriteSpec(
    "POST",
    "/epixel/api/v1/leads/create/leadnote/",
    lambda e: form_list(e, "note"),
    single_account(),
    lambda a: [a["note"]],
)


# The meeting tool's one item is its appointment: found lead, appointment booked, no note.
def _agenda(args: dict[str, Any]) -> list[str]:
    return [args["agenda"]]


EPX_MEETING = dataclasses.replace(EPX_APPOINTMENT, asked=_agenda)


def _meeting(sandbox: Any, tag: str) -> dict[str, Any]:
    times = _appointment(sandbox, tag)
    email = sandbox.epixel.store.owned()[0].email
    return {"email": email, "starts": times["appointment_date"], "ends": times["appointment_to"], "agenda": tag}


def _campaign_add(sandbox: Any, tag: str) -> dict[str, Any]:
    world = sandbox.persistiq.world
    campaign = next(c for c in world.campaigns.values() if c.name == "Conference leads")
    return {"campaign_id": campaign.id, "lead_ids": list(world.leads)[:150]}


def _appointment(sandbox: Any, tag: str) -> dict[str, Any]:
    start = datetime.now(UTC).replace(hour=3, minute=17, second=0, microsecond=0)
    start += timedelta(days=random.randint(60, 600))
    iso = [(start + timedelta(minutes=m)).isoformat().replace("+00:00", "Z") for m in (0, 30)]
    slug = sandbox.epixel.store.owned()[0].slug
    return {"slug": slug, "appointment_date": iso[0], "appointment_to": iso[1], "appointment_note": tag}


WRITES = [
    Op("persistiq", "batched write", "persistiq_add_leads_to_campaign", "POST /persistiq/v1/campaigns/*/leads",
       _campaign_add, 1, PQ_CAMPAIGN),
    Op("persistiq", "write", "persistiq_create_dnc_domain", PQ_DNC.pattern,
       lambda s, t: {"name": f"{t}.example"}, write=PQ_DNC),
    Op("snov", "write", "snov_add_prospect_to_list", SNOV_PROSPECT.pattern,
       lambda s, t: {"list_id": 8512947, "email": f"{t}@example.org"}, write=SNOV_PROSPECT),
    Op("snov", "write", "snov_create_prospect_list", SNOV_LIST.pattern, lambda s, t: {"name": t}, write=SNOV_LIST),
    Op("snov", "write", "snov_create_webhook", SNOV_HOOK.pattern,
       lambda s, t: {"event": "campaign_email.sent", "endpoint_url": f"https://hooks.example/{t}"}, write=SNOV_HOOK),
    Op("snov", "write", "snov_add_to_do_not_email_list", SNOV_DNE.pattern,
       lambda s, t: {"items": [f"{t}-{i}@example.org" for i in range(5)], "list_id": next(iter(s.snov.core.crm.blacklists))},
       write=SNOV_DNE),
    Op("epixel", "write", "epixel_create_appointment", EPX_APPOINTMENT.pattern, _appointment, write=EPX_APPOINTMENT),
    Op("epixel", "write", "epixel_create_lead_note", EPX_NOTE.pattern,
       lambda s, t: {"slug": s.epixel.store.owned()[0].slug, "note": t}, write=EPX_NOTE),

]  # fmt: skip
OUTCOME_WRITES = [Op("epixel", "write", "outreach_log_meeting", EPX_MEETING.pattern, _meeting, write=EPX_MEETING)]
"""Run on their own: their requests share paths with the endpoint writes above, and a fault rule is per path."""


@pytest.mark.parametrize("kind", list(KINDS))
async def test_under_each_fault_no_write_is_doubled_or_lost_without_the_answer_saying_so(
    kind: str, sandbox: Any, connect: Any, fast_retries: None
) -> None:
    await _under_fault(WRITES, kind, sandbox, connect)


@pytest.mark.parametrize("kind", list(KINDS))
async def test_under_each_fault_a_logged_meeting_is_neither_doubled_nor_lost_without_the_answer_saying_so(
    kind: str, sandbox: Any, connect: Any, fast_retries: None
) -> None:
    await _under_fault(OUTCOME_WRITES, kind, sandbox, connect)


async def _under_fault(ops: list[Op], kind: str, sandbox: Any, connect: Any) -> None:
    """``ops`` run with every request to their paths failing the way ``kind`` says."""
    spec = KINDS[kind]
    sandbox.config.rate_limits = False
    sandbox.config.time_scale = spec.time_scale

    def make_rule(op: Op) -> FaultRule:
        return sandbox.config.add_fault(op.pattern, dataclasses.replace(spec.fault(), skip=op.skip, count=None))

    await run_matrix(ops, kind, sandbox, connect, make_rule)


def test_every_write_tool_that_creates_records_is_counted_somewhere() -> None:
    from tests.reliability.test_fault_matrix import OPS
    from tests.reliability.test_fuzzing import TOOLS

    # Spend tools (paid lookups such as snov_find_profile_by_url) create no record: the Snov.io tests count them.
    spends = {tool.name for tool in all_tools() if kind_of(tool) == "spend"}
    creating = {
        t["name"]
        for t in TOOLS
        if not t["annotations"]["idempotentHint"] and not t["annotations"]["readOnlyHint"] and t["name"] not in spends
    }
    counted = {op.tool for op in [*OPS, *WRITES, *OUTCOME_WRITES] if op.write is not None}
    # outreach_prospect_company writes only through persistiq_create_leads and persistiq_add_leads_to_campaign,
    # counted above; its own answer under faults is not yet counted here (issue 30, left for later).
    assert creating - counted <= {"outreach_prospect_company"}, sorted(creating - counted)

"""Every PersistIQ tool's answer conforms to its (compact) output schema, and its text copy has no nulls."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from mcp import Client

from mcp_server.providers.persistiq.models import FREE_TEXT, free_text
from tests.providers.persistiq.helpers import ok, text_of
from tests.providers.typed import is_list, is_record
from tests.tables import rows

pytestmark = pytest.mark.anyio


def has_nulls(value: object) -> bool:
    """A null (or an empty value) in an answer is noise: a field left out says the same."""
    if value in (None, "", [], {}):
        return True
    if is_record(value) and "columns" in value:  # a table: a cell with no value holds its place as null
        cells = [cell for row in value["rows"] for cell in row if cell is not None]
        return any(has_nulls(v) for k, v in value.items() if k != "rows") or any(has_nulls(c) for c in cells)
    if is_record(value):
        return any(has_nulls(v) for v in value.values())
    if is_list(value):
        return any(has_nulls(v) for v in value)
    return False


async def test_every_answer_conforms_to_its_output_schema_and_its_text_has_no_nulls(mcp: Client):
    schemas = {t.name: t.output_schema for t in (await mcp.list_tools()).tools if t.name.startswith("persistiq_")}
    lead = rows(ok(await mcp.call_tool("persistiq_list_leads", {"limit": 1})))[0]["id"]
    campaign = ok(await mcp.call_tool("persistiq_list_campaigns", {"limit": 1}))["items"][0]["id"]
    calls: list[tuple[str, dict[str, Any]]] = [
        ("persistiq_list_users", {}),
        ("persistiq_list_leads", {"limit": 3}),
        ("persistiq_get_lead", {"lead_id": lead}),
        (
            "persistiq_create_leads",
            {"leads": [{"email": "schema@example.org", "fields": {"snippet3": "x"}}, {"email": "bad"}]},
        ),
        ("persistiq_update_lead", {"lead_id": lead, "data": {"title": "Buyer"}}),
        ("persistiq_list_lead_statuses", {}),
        ("persistiq_list_lead_fields", {}),
        ("persistiq_list_campaigns", {"limit": 3}),
        ("persistiq_add_leads_to_campaign", {"campaign_id": campaign, "lead_ids": [lead, "l_nobody2"]}),
        ("persistiq_remove_lead_from_campaign", {"campaign_id": campaign, "lead_id": lead}),
        ("persistiq_list_events", {"limit": 50}),
        ("persistiq_list_dnc_domains", {}),
        ("persistiq_create_dnc_domain", {"name": "schema-check.io"}),
    ]
    assert {name for name, _ in calls} == set(schemas)
    for name, args in calls:
        result = await mcp.call_tool(name, args)
        schema = schemas[name]
        assert schema is not None, name
        jsonschema.validate(ok(result), schema)
        assert not has_nulls(json.loads(text_of(result))), name


async def test_a_page_of_leads_reads_the_same_in_the_text_as_in_the_structured_content(mcp: Client):
    result = await mcp.call_tool("persistiq_list_leads", {"limit": 20})

    assert json.loads(text_of(result)) == ok(result)
    assert len(rows(ok(result))) == 20 and all(lead["email"] for lead in rows(ok(result)))


FIELD_NAMES = [
    "first_name",
    "company_name",
    "snippet",
    "Notes",
    "ABOUT_me",
    "linkedin",
    "\u017fummary",
    "B\u00d3DY",
    "",
]


@pytest.mark.parametrize("name", FIELD_NAMES)
def test_a_lead_field_is_prose_by_the_quick_look_exactly_when_the_case_blind_search_says_so(name: str):
    assert free_text(name) is (FREE_TEXT.search(name) is not None)

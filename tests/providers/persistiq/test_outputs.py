"""Every PersistIQ tool's answer conforms to its (compact) output schema, and its text copy has no nulls."""

from __future__ import annotations

import json

import jsonschema
import pytest

from tests.providers.persistiq.helpers import SANDBOX_GAP, ok, text_of

pytestmark = [pytest.mark.anyio, SANDBOX_GAP]


def nulls_outside_table_rows(value, in_rows=False) -> bool:
    """A table row holds null where a record lacks a column; anywhere else a null is noise."""
    if value is None:
        return not in_rows
    if isinstance(value, dict):
        return any(nulls_outside_table_rows(v, (in_rows and k != "columns") or k == "rows") for k, v in value.items())
    if isinstance(value, list):
        return any(nulls_outside_table_rows(v, in_rows) for v in value)
    return False


async def test_every_answer_conforms_to_its_output_schema_and_its_text_has_no_nulls(mcp):
    schemas = {t.name: t.output_schema for t in (await mcp.list_tools()).tools if t.name.startswith("persistiq_")}
    lead = ok(await mcp.call_tool("persistiq_list_leads", {"limit": 1}))["items"][0]["id"]
    campaign = ok(await mcp.call_tool("persistiq_list_campaigns", {"limit": 1}))["items"][0]["id"]
    calls = [
        ("persistiq_list_users", {}),
        ("persistiq_list_leads", {"limit": 3}),
        ("persistiq_get_lead", {"lead_id": lead}),
        ("persistiq_create_leads", {"leads": [{"email": "schema@example.org", "snippet3": "x"}, {"email": "bad"}]}),
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
        jsonschema.validate(ok(result), schemas[name])
        assert not nulls_outside_table_rows(json.loads(text_of(result))), name


async def test_a_page_of_leads_reads_as_one_table_in_the_text_with_each_column_named_once(mcp):
    result = await mcp.call_tool("persistiq_list_leads", {"limit": 20})

    table = json.loads(text_of(result))["items"]
    assert table["columns"][:2] == ["id", "status"] and "data.email" in table["columns"]
    assert len(table["rows"]) == 20 and text_of(result).count('"data.email"') == 1
    emails = [row[table["columns"].index("data.email")] for row in table["rows"]]
    assert emails == [lead["data"]["email"] for lead in ok(result)["items"]]

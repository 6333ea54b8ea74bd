"""Every call does what it was asked or says what it did not: unknown arguments are refused before any
request, and null, "" and a strict-mode client's "every key present" fill mean the same as leaving an
argument out. Every tool in tools/list is tried as a table through its own argument check
(``tests.argument_check``), and one tool of each provider through a server on the sandbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

import pytest
from mcp import Client

from mcp_server.examples import example_of
from mcp_server.server import create_server
from tests.argument_check import built, check
from tests.fixture_types import SettingsFor
from tests.json_checks import is_list, is_object
from tests.strict_helpers import (
    UNKNOWN_FIELD,
    declared_tools,
    is_text,
    listed_tools,
    optional_names,
    planted,
    sent,
    strict_fill,
)

pytestmark = pytest.mark.anyio
TOOLS = listed_tools()
IDS = [tool["name"] for tool in TOOLS]
Call: TypeAlias = Callable[[str, dict[str, Any]], Awaitable[tuple[Any, list[Any]]]]
TUNING = {"poll_wait": 0.3, "poll_interval": 0.01, "snov_rate_limit": 10_000, "persistiq_rate_limit": 10_000}


@pytest.fixture
def quiet_sandbox(sandbox: Any) -> Any:
    sandbox.config.rate_limits = False
    sandbox.config.job_delay = 0.0
    return sandbox


@pytest.fixture
def call(quiet_sandbox: Any, settings_for: SettingsFor) -> Call:
    """``await call(name, args)`` -> (result, requests sent): a fresh server on a freshly seeded sandbox."""

    async def run(name: str, args: dict[str, Any]) -> tuple[Any, list[Any]]:
        quiet_sandbox.reset()
        async with Client(create_server(settings_for(**TUNING))) as client:
            result = await client.call_tool(name, args)
        return result, polls_once(sent(quiet_sandbox, 0))

    return run


# One tool of each provider tried through a server: the ones whose arguments nest objects and have most keys.
THROUGH_SERVER = ["persistiq_create_leads", "snov_add_prospect_to_list", "epixel_create_lead", "outreach_log_meeting"]


def polls_once(requests: list[Any]) -> list[Any]:
    """The requests with each run of identical ones (a job polled until the wait ends) counted once: how many
    polls fit in the wait depends on the machine, what is asked does not."""
    return [r for i, r in enumerate(requests) if i == 0 or r != requests[i - 1]]


def text_of(result: Any) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


def test_every_declared_tool_is_tried_once():
    assert sorted(IDS) == sorted(declared_tools()) == sorted(built())


def open_objects(node: Any, where: str) -> list[str]:
    """Where an object in a schema takes keys it does not name (``additionalProperties`` not false)."""
    found: list[str] = []
    if is_object(node):
        if (node.get("type") == "object" or "properties" in node) and node.get("additionalProperties") is not False:
            found.append(where)
        for key, child in node.items():
            found += open_objects(child, f"{where}/{key}")
    elif is_list(node):
        for index, child in enumerate(node):
            found += open_objects(child, f"{where}/{index}")
    return found


def test_every_object_at_every_depth_of_every_input_schema_is_closed():
    assert [where for tool in TOOLS for where in open_objects(tool["inputSchema"], tool["name"])] == []
    assert open_objects({"type": "object", "properties": {"a": {"type": "object"}}}, "x") == ["x", "x/properties/a"]


async def test_every_tool_refuses_an_unknown_argument_by_name():
    wrong: list[str] = []
    for name in IDS:
        refusal, _ = await check(name, {**example_of(name), "surely_not_an_argument": "x"})
        if f"surely_not_an_argument is not an argument of {name}" not in (refusal or ""):
            wrong.append(f"{name}: {refusal}")
    assert wrong == []


@pytest.mark.parametrize("name", THROUGH_SERVER)
async def test_an_unknown_argument_is_refused_by_name_before_any_request(name: str, call: Call):
    result, requests = await call(name, {**example_of(name), "surely_not_an_argument": "x"})
    assert result.is_error
    assert f"surely_not_an_argument is not an argument of {name}" in text_of(result)
    assert requests == []


NESTED = [(tool["name"], where, args) for tool in TOOLS for where, args in planted(tool)]


def test_the_nested_walk_finds_the_lists_of_objects_and_the_name_value_pairs():
    assert {"leads[0]", "leads[0].fields[0]", "data[0]", "social_links[0]"} <= {where for _, where, _ in NESTED}


async def test_every_tool_refuses_an_unknown_key_inside_a_nested_object_by_its_path():
    wrong: list[str] = []
    for name, where, args in NESTED:
        refusal, _ = await check(name, args)
        if f"{where}.{UNKNOWN_FIELD} is not a field of {where}" not in (refusal or ""):
            wrong.append(f"{name} {where}: {refusal}")
    assert wrong == []


NESTED_THROUGH_SERVER = [case for case in NESTED if case[0] in THROUGH_SERVER]


@pytest.mark.parametrize(
    ("name", "where", "args"), NESTED_THROUGH_SERVER, ids=[f"{n}:{w}" for n, w, _ in NESTED_THROUGH_SERVER]
)
async def test_an_unknown_key_inside_a_nested_object_is_refused_by_its_path_before_any_request(
    name: str, where: str, args: dict[str, Any], call: Call
):
    result, requests = await call(name, args)
    assert result.is_error
    assert f"{where}.{UNKNOWN_FIELD} is not a field of {where}" in text_of(result)
    assert requests == []


async def test_a_lead_s_misspelt_field_is_refused_naming_the_real_one_and_no_lead_is_created(call: Call):
    result, requests = await call("persistiq_create_leads", {"leads": [{"email": "a@example.org", "company": "X"}]})
    assert result.is_error and requests == []
    assert "leads[0].company is not a field of leads[0]: did you mean company_name?" in text_of(result)


async def test_a_social_network_snov_io_does_not_take_is_refused_naming_the_ones_it_does(call: Call):
    args = {"list_id": 1, "email": "a@example.org", "social_links": [{"name": "linkdin", "value": "https://x.io/a"}]}
    result, requests = await call("snov_add_prospect_to_list", args)
    assert result.is_error and requests == []
    assert "must be one of 'linkedIn', 'facebook' or 'twitter'" in text_of(result)


def left_out(tool: dict[str, Any], base: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``base`` with every optional argument it does not set given as "not given": null, "" (text ones) and a
    strict-mode client's fill of every key."""
    schema = tool["inputSchema"]
    defs, props = schema.get("$defs", {}), schema["properties"]
    others = [name for name in optional_names(tool) if name not in base]
    return {
        "null": {**base, **dict.fromkeys(others)},
        "empty text": {**base, **{k: "" for k in others if is_text(props[k], defs)}},
        "strict fill": strict_fill(tool, base),
    }


async def test_for_every_tool_null_empty_text_and_a_strict_fill_mean_leaving_arguments_out():
    wrong: list[str] = []
    for tool in TOOLS:
        name = tool["name"]
        refusal, expected = await check(name, example_of(name))
        assert refusal is None, refusal
        for label, args in left_out(tool, example_of(name)).items():
            refusal, passed = await check(name, args)
            if passed != expected:
                wrong.append(f"{name} {label}: {refusal or passed}")
    assert wrong == []


@pytest.mark.parametrize("name", THROUGH_SERVER)
async def test_null_empty_text_and_a_strict_fill_send_the_same_requests_as_leaving_arguments_out(name: str, call: Call):
    tool = next(t for t in TOOLS if t["name"] == name)
    expected_result, expected = await call(name, example_of(name))
    assert "arguments refused" not in text_of(expected_result), text_of(expected_result)
    assert expected, "the example sends nothing: nothing to compare"
    for label, args in left_out(tool, example_of(name)).items():
        result, requests = await call(name, args)
        assert "arguments refused" not in text_of(result), f"{label}: {text_of(result)}"
        assert requests == expected, label
        assert result.is_error == expected_result.is_error, label


async def test_a_strict_fill_of_an_update_changes_only_what_was_set(call: Call, quiet_sandbox: Any):
    tool = next(t for t in TOOLS if t["name"] == "epixel_update_lead")
    args = strict_fill(tool, {"slug": "lead1", "location": "Lisbon"})
    result, requests = await call("epixel_update_lead", args)
    assert not result.is_error, text_of(result)
    [update] = [r for r in requests if r[0] == "POST" and "update" in r[1]]
    assert b"location=Lisbon" in update[3]
    assert b"status=" not in update[3] and b"source=" not in update[3]


async def test_the_issue_s_analytics_call_with_the_vendor_s_campaign_id_is_refused_naming_ours(call: Call):
    args = {"date_from": "2025-01-01", "date_to": "2025-12-31", "campaign_id": "237956"}
    result, requests = await call("snov_get_campaign_analytics", args)
    assert result.is_error and requests == []
    assert "campaign_id is not an argument of snov_get_campaign_analytics: did you mean campaign_ids?" in text_of(
        result
    )


async def test_the_vendor_s_list_id_spelling_writes_to_that_do_not_email_list(call: Call):
    result, requests = await call("snov_add_to_do_not_email_list", {"items": ["x@initech.com"], "listId": 42002})
    assert not result.is_error, text_of(result)
    assert '"list_id":42002' in text_of(result).replace(" ", "")
    assert any("42002" in r[1] + r[2] + r[3].decode() for r in requests if r[0] == "POST")


async def test_the_vendor_s_prospect_field_names_are_sent_not_dropped(call: Call):
    args = {
        "listId": 1818597,
        "email": "new.person@example.org",
        "firstName": "Ada",
        "companyName": "Initech",
        "updateContact": True,
    }
    _, requests = await call("snov_add_prospect_to_list", args)
    [add] = [r for r in requests if r[1].endswith("add-prospect-to-list")]
    assert b"firstName=Ada" in add[3] and b"companyName=Initech" in add[3] and b"updateContact=1" in add[3]


async def test_the_overview_with_the_vendor_s_appointment_filter_counts_that_period(call: Call):
    result, requests = await call("epixel_get_leads_overview", {"appointment": "today"})
    assert not result.is_error, text_of(result)
    assert any("appointment=today" in r[2] for r in requests)


async def test_a_name_and_its_vendor_spelling_together_are_refused(call: Call):
    result, requests = await call("snov_get_campaign_progress", {"campaign_id": 1, "campaignId": 1})
    assert result.is_error and requests == []
    assert "campaignId and campaign_id are the same argument" in text_of(result)


async def test_a_boolean_is_not_taken_for_a_number(call: Call):
    result, requests = await call("snov_get_campaign_progress", {"campaign_id": True})
    assert result.is_error and requests == []
    assert "campaign_id: must be a number, not true." in text_of(result)


async def test_argument_errors_name_each_field_on_its_own_line_in_plain_words(call: Call):
    leads = [{"email": f"p{i}@example.org"} for i in range(8)]
    leads[7]["email"] = ""
    result, requests = await call("persistiq_create_leads", {"leads": leads, "creator_id": "nobody"})
    text = text_of(result)
    assert result.is_error and requests == []
    lines = text.splitlines()
    assert "leads[7].email: must not be empty." in lines
    assert "creator_id: must match ^u_[A-Za-z0-9]+$ (From persistiq_list_users)." in lines
    for word in ("pydantic", "errors.pydantic.dev", "Arguments", "validation error", "Input should"):
        assert word not in text


async def test_an_open_map_as_pairs_sends_what_the_map_form_sends(call: Call):
    as_map = {"lead_id": "l_abc1", "data": {"title": "CTO", "snippet2": "Met at the fair"}}
    as_pairs = {
        "lead_id": "l_abc1",
        "data": [{"name": "title", "value": "CTO"}, {"name": "snippet2", "value": "Met at the fair"}],
    }
    _, by_map = await call("persistiq_update_lead", as_map)
    _, by_pairs = await call("persistiq_update_lead", as_pairs)
    assert by_map and by_pairs == by_map
    assert b"snippet2" in by_map[-1][3]


async def test_a_new_lead_s_other_fields_as_pairs_are_sent_as_the_lead_s_own_keys(call: Call):
    pairs = {"leads": [{"email": "extra@example.org", "fields": [{"name": "snippet2", "value": "Met at the fair"}]}]}
    _, by_pairs = await call("persistiq_create_leads", pairs)
    assert b'"snippet2":"Met at the fair"' in by_pairs[-1][3]


async def test_a_pair_given_twice_keeps_its_last_value_as_a_json_object_would(call: Call):
    data = [{"name": "title", "value": "CTO"}, {"name": "title", "value": "CEO"}]
    _, by_pairs = await call("persistiq_update_lead", {"lead_id": "l_abc1", "data": data})
    _, by_map = await call("persistiq_update_lead", {"lead_id": "l_abc1", "data": {"title": "CEO"}})
    assert by_pairs and by_pairs == by_map


async def test_a_huge_value_is_refused_before_it_goes_upstream(call: Call):
    result, requests = await call("persistiq_update_lead", {"lead_id": "l_abc1", "data": {"title": "x" * 10_000_000}})
    assert result.is_error and requests == []
    assert "data.title: must be at most 5000 characters." in text_of(result)


def _unbounded(node: Any, path: str) -> list[str]:
    if is_list(node):
        return [found for item in node for found in _unbounded(item, path)]
    if not is_object(node):
        return []
    found: list[str] = []
    kind = node.get("type")
    if kind == "string" and not ({"maxLength", "enum"} & set(node) or node.get("format") in ("date", "date-time")):
        found.append(f"{path}: text without maxLength")
    if kind == "array" and "maxItems" not in node:
        found.append(f"{path}: list without maxItems")
    if kind == "object" and node.get("additionalProperties") is not False:
        found.append(f"{path}: open map")
    for key, value in node.items():
        found += _unbounded(value, f"{path}.{key}")
    return found


def test_every_text_list_and_map_argument_of_every_tool_states_its_size_limit():
    assert [found for tool in TOOLS for found in _unbounded(tool["inputSchema"], tool["name"])] == []
    loose = {"properties": {"a": {"type": "string"}, "b": {"type": "array"}, "c": {"type": "object"}}}
    assert _unbounded(loose, "x") == [
        "x.properties.a: text without maxLength",
        "x.properties.b: list without maxItems",
        "x.properties.c: open map",
    ]

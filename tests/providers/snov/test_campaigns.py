"""Snov.io campaign tools through an MCP client against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from mcp_server.providers.snov import campaigns
from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault
from outbound_sandbox.snov.crm import INJECTION_EMAIL
from tests.providers.snov.outreach_helpers import failed, fields, ok, text_of
from tests.tables import rows as table_rows

pytestmark = pytest.mark.anyio

LEADERS = 179025  # Active: 60 recipients (20 Finished), 150 sent, 70 opens, 12 clicks, 9 replies
MASS = 237945  # Paused: 10,250 sent rows
GLOBEX = 250001  # Completed: 44 sent
REPLIES = "/snov/v1/get-emails-replies"
SENT = "/snov/v1/emails-sent"
YEAR = {"date_from": "2025-01-01", "date_to": "2025-12-31"}


def records(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """An activity table's rows as records of their values (changed on purpose, issue 29: rows, not items)."""
    return [{key: value for key, value in row.items() if value is not None} for row in table_rows(answer)]


async def test_campaigns_are_listed_with_list_ids_iso_times_and_their_hashes(mcp: Client):
    result = await mcp.call_tool("snov_list_campaigns", {})

    items = {c["id"]: c for c in ok(result)["items"]}
    assert set(items) == {179025, 237945, 237956, 250001}
    assert items[LEADERS] == {
        "id": LEADERS,
        "name": "Acme engineering leaders",
        "status": "Active",
        "list_id": 8512947,
        "created_at": "2025-06-02T09:00:00Z",
        "started_at": "2025-06-02T10:00:00Z",
        "updated_at": "2025-06-02T10:00:00Z",
        "hash": "ff1b7108ac31c6a29ea8318a4de7cc62",  # changed on purpose (issue 29): a documented field kept
    }
    assert "started_at" not in items[237956]  # a draft never started


async def test_analytics_for_one_campaign_sends_the_filters_and_keeps_zero_metrics(mcp: Client, sandbox: Sandbox):
    # Changed on purpose (issue 13): zero metrics are information, so they are kept.
    args = {**YEAR, "campaign_ids": [LEADERS, GLOBEX], "all_channels": True}
    result = await mcp.call_tool("snov_get_campaign_analytics", args)

    stats = ok(result)["stats"]
    assert stats["emails_sent"] == 150 + 44
    assert stats["email_replies"] > 0 and stats["email_replies_rate"].endswith("%")
    assert stats["linkedin_views"] == 0 and stats["auto_replied_rate"] == "0%"
    entry = sandbox.env.handled("GET", "/snov/v2/statistics/campaign-analytics")[0]  # the totals; then a row each
    assert fields(entry) == {
        "date_from": ["2025-01-01"],
        "date_to": ["2025-12-31"],
        "campaign_id": [f"{LEADERS},{GLOBEX}"],
    }


async def test_analytics_without_campaigns_says_it_covers_the_active_ones_and_names_them(mcp: Client):
    got = ok(await mcp.call_tool("snov_get_campaign_analytics", {}))

    assert got["scope"].startswith("Snov.io's default, the active campaigns only (1): 179025 'Acme engineering")
    assert [row["campaign_id"] for row in got["campaigns"]] == [LEADERS]


async def test_analytics_answers_a_row_per_campaign_beside_the_totals(mcp: Client):
    got = ok(await mcp.call_tool("snov_get_campaign_analytics", {**YEAR, "campaign_ids": [LEADERS, GLOBEX]}))

    by_id = {row["campaign_id"]: row for row in got["campaigns"]}
    assert by_id[LEADERS]["stats"]["emails_sent"] == 150 and by_id[GLOBEX]["stats"]["emails_sent"] == 44
    assert by_id[LEADERS]["name"] == "Acme engineering leaders"


async def test_an_all_zero_linkedin_block_is_left_out_unless_asked_and_the_answer_says_so(mcp: Client):
    got = ok(await mcp.call_tool("snov_get_campaign_analytics", {**YEAR, "campaign_ids": [LEADERS]}))

    assert "linkedin_views" not in got["stats"] and "connection_requests" not in got["campaigns"][0]["stats"]
    assert got["stats"]["bounced"] == 3 and "unsubscribed" in got["stats"]  # email zeros are kept
    assert "LinkedIn metrics were all zero and are left out (all_channels=true shows them)" in got["hint"]


async def test_analytics_refuses_a_range_that_ends_before_it_starts_without_asking_snov(mcp: Client, sandbox: Sandbox):
    text = failed(
        await mcp.call_tool("snov_get_campaign_analytics", {"date_from": "2025-03-02", "date_to": "2025-03-01"})
    )

    assert "date_from" in text
    assert sandbox.env.handled("GET", "/snov/v2/statistics") == []


async def test_analytics_refuses_a_date_that_is_not_a_date_without_asking_snov(mcp: Client, sandbox: Sandbox):
    # Changed on purpose (issue 13): the dates are optional now; a malformed one is still refused.
    failed(await mcp.call_tool("snov_get_campaign_analytics", {"date_from": "March 1st"}))
    assert sandbox.env.handled("GET", "/snov/v2/statistics") == []


async def test_progress_counts_the_recipients_still_in_the_sequence(mcp: Client):
    progress = ok(await mcp.call_tool("snov_get_campaign_progress", {"campaign_id": LEADERS}))

    assert progress == {"campaign_id": LEADERS, "status": "Active", "progress": "33%", "unfinished": 40}


async def test_an_unknown_campaign_is_an_error_that_says_so(mcp: Client):
    assert "Campaign not found" in failed(await mcp.call_tool("snov_get_campaign_progress", {"campaign_id": 4242}))
    assert "Campaign not found" in failed(await mcp.call_tool("snov_list_campaign_replies", {"campaign_id": 4242}))


async def test_pausing_a_recipient_changes_their_status_and_a_finished_one_cannot_change(mcp: Client, sandbox: Sandbox):
    recipients = sandbox.snov.crm.campaigns[LEADERS].recipients
    active = next(email for email, status in recipients.items() if status == "Active")
    finished = next(email for email, status in recipients.items() if status == "Finished")

    args = {"campaign_id": LEADERS, "email": active, "status": "Paused"}
    assert ok(await mcp.call_tool("snov_change_recipient_status", args)) == args
    assert recipients[active] == "Paused"
    (entry,) = sandbox.env.handled("POST", "/snov/v1/change-recipient-status")
    assert fields(entry) == {"email": [active], "campaign_id": [str(LEADERS)], "status": ["Paused"]}

    text = failed(await mcp.call_tool("snov_change_recipient_status", {**args, "email": finished}))
    assert "Finished" in text
    assert recipients[finished] == "Finished"


async def test_a_status_outside_active_paused_unsubscribed_is_refused_before_any_request(mcp: Client, sandbox: Sandbox):
    failed(
        await mcp.call_tool(
            "snov_change_recipient_status", {"campaign_id": LEADERS, "email": "a@b.com", "status": "Finished"}
        )
    )
    assert sandbox.env.handled("POST", "/snov/v1/change-recipient-status") == []


async def test_completed_prospects_come_in_limits_and_resume_by_cursor(mcp: Client, sandbox: Sandbox):
    finished = {e for e, s in sandbox.snov.crm.campaigns[LEADERS].recipients.items() if s == "Finished"}

    first = ok(await mcp.call_tool("snov_list_completed_prospects", {"campaign_id": LEADERS, "limit": 15}))
    assert len(first["rows"]) == 15 and first["next_cursor"] and "cursor" in first["hint"]
    rest = ok(
        await mcp.call_tool(
            "snov_list_completed_prospects", {"campaign_id": LEADERS, "limit": 15, "cursor": first["next_cursor"]}
        )
    )
    assert len(rest["rows"]) == 5 and "next_cursor" not in rest

    rows = records(first) + records(rest)
    assert {r["email"] for r in rows} == finished
    assert all(r["prospect_id"] and r["name"] and r["id"] and r["hash"] for r in rows)
    assert (first["campaign_id"], first["campaign"]) == (LEADERS, "Acme engineering leaders")  # said once
    assert all("campaign" not in r and "campaign_id" not in r for r in rows)


async def test_replies_are_paged_by_offset_up_to_the_limit_and_the_cursor_resumes_without_loss(
    mcp: Client, sandbox: Sandbox
):
    seen: list[dict[str, Any]] = []
    cursor = None
    for expected in (4, 4, 1):
        args = {"campaign_id": LEADERS, "limit": 4, **({"cursor": cursor} if cursor else {})}
        page = ok(await mcp.call_tool("snov_list_campaign_replies", args))
        assert len(page["rows"]) == expected
        seen += records(page)
        cursor = page.get("next_cursor")
    assert cursor is None
    assert len({(r["at"], r["email"]) for r in seen}) == 9
    assert [r["at"] for r in seen] == sorted((r["at"] for r in seen), reverse=True)  # newest first
    assert all("offset" not in fields(e) for e in sandbox.env.handled("GET", REPLIES))


async def test_a_replies_cursor_is_refused_for_another_campaign(mcp: Client):
    page = ok(await mcp.call_tool("snov_list_campaign_replies", {"campaign_id": LEADERS, "limit": 2}))

    text = failed(
        await mcp.call_tool("snov_list_campaign_replies", {"campaign_id": MASS, "cursor": page["next_cursor"]})
    )
    assert "cursor" in text


async def test_reply_bodies_are_absent_by_default_and_subjects_are_fenced_as_untrusted(mcp: Client):
    result = await mcp.call_tool("snov_list_campaign_replies", {"campaign_id": LEADERS})

    rows = records(ok(result))
    assert len(rows) == 9
    assert all("body" not in r for r in rows)
    assert all(r["subject"].startswith("<untrusted-content>") for r in rows)
    assert "Ignore previous instructions" not in text_of(result)


async def test_reply_bodies_when_asked_are_fenced_so_an_injected_instruction_reads_as_data(mcp: Client):
    result = await mcp.call_tool("snov_list_campaign_replies", {"campaign_id": LEADERS, "include_bodies": True})

    rows = records(ok(result))
    (eve,) = [r for r in rows if r["email"] == INJECTION_EMAIL]
    assert eve["body"].startswith("<untrusted-content>") and eve["body"].endswith("</untrusted-content>")
    assert "Ignore previous instructions" in eve["body"]
    assert all(r["body"].startswith("<untrusted-content>") for r in rows)


async def test_opens_and_clicks_share_the_row_shape_without_bodies(mcp: Client):
    opens = records(ok(await mcp.call_tool("snov_list_campaign_opens", {"campaign_id": LEADERS, "limit": 1000})))
    clicks = records(ok(await mcp.call_tool("snov_list_campaign_clicks", {"campaign_id": LEADERS})))

    assert (len(opens), len(clicks)) == (70, 12)
    for row in opens + clicks:  # changed on purpose (issue 29): the row's id and hash, industry and source kept
        assert set(row) - {"industry"} == {"at", "prospect_id", "name", "email", "subject", "id", "hash", "source"}


async def test_sent_emails_cross_the_row_cap_by_offset_and_resume_where_they_stopped(
    mcp: Client, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(campaigns, "ROW_CAP", 100)
    sandbox.snov.core.row_cap = 100

    # 150 a call (changed on purpose, issue 29: rows now carry their id and hash, so 250 no longer fit one answer)
    first = ok(await mcp.call_tool("snov_list_sent_emails", {"campaign_id": MASS, "limit": 150}))
    assert len(first["rows"]) == 150 and first["next_cursor"]
    assert [fields(e).get("offset") for e in sandbox.env.handled("GET", SENT)] == [None, ["100"]]

    rest = ok(
        await mcp.call_tool(
            "snov_list_sent_emails", {"campaign_id": MASS, "limit": 100, "cursor": first["next_cursor"]}
        )
    )
    assert [fields(e)["offset"] for e in sandbox.env.handled("GET", SENT)[2:]] == [["100"], ["200"]]
    rows = records(first) + records(rest)
    assert len(rows) == 250
    assert set(rows[0]) == {"at", "name", "email", "id", "hash"}  # changed on purpose (issue 29): id and hash kept
    assert len({(r["at"], r["email"]) for r in rows}) == 250


async def test_campaigns_are_read_whatever_type_their_numbers_and_times_come_in_and_new_keys_are_ignored(
    mcp: Client, sandbox: Sandbox
):
    row: dict[str, Any] = {
        "id": "42",
        "campaign": 7,
        "list_id": "77",
        "status": "Active",
        "created_at": "1639469976",
        "new": {},
    }
    body: list[dict[str, Any]] = [row, {"campaign": "no id"}]
    sandbox.config.add_fault("GET /snov/v1/get-user-campaigns", Fault("body", status=200, body=body))
    result = ok(await mcp.call_tool("snov_list_campaigns", {}))

    assert result["items"] == [
        {"id": 42, "name": "7", "status": "Active", "list_id": 77, "created_at": "2021-12-14T08:19:36Z"}
    ]
    assert "1 campaigns skipped" in result["hint"]

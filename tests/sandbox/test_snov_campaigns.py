"""Snov.io simulator: campaigns, analytics, progress, recipient status, activity rows and offset paging."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from outbound_sandbox.app import Sandbox
from outbound_sandbox.runner import SandboxUrls
from tests.sandbox.snov_helpers import snov_client

DATES = {"date_from": "2025-01-01", "date_to": "2025-12-31"}


@pytest.fixture
def snov(sandbox_urls: SandboxUrls) -> Iterator[httpx.Client]:
    with snov_client(sandbox_urls.snov) as client:
        yield client


def test_user_campaigns_answer_the_doc_shape(snov: httpx.Client) -> None:
    campaigns = {c["id"]: c for c in snov.get("/v1/get-user-campaigns").json()}
    assert set(campaigns) == {179025, 237945, 237956, 250001}
    assert campaigns[179025]["status"] == "Active"
    assert campaigns[237956]["started_at"] is None
    assert set(campaigns[237945]) == {
        "id",
        "campaign",
        "list_id",
        "status",
        "created_at",
        "updated_at",
        "started_at",
        "hash",
    }


def test_replies_carry_subjects_and_bodies_including_one_injection_attempt(snov: httpx.Client) -> None:
    replies = snov.get("/v1/get-emails-replies", params={"campaignId": 179025}).json()
    assert len(replies) == 9
    assert all(r["emailSubject"] and r["emailBody"] for r in replies)
    injected = [r for r in replies if "Ignore previous instructions" in r["emailBody"]]
    assert len(injected) == 1
    assert injected[0]["prospectEmail"] == "eve.mallory@acme-partners.com"
    assert {"visitedAt", "campaignId", "campaign", "prospectId", "prospectName", "hash", "id"} <= set(replies[0])


def test_activity_rows_come_newest_first_and_offset_skips(snov: httpx.Client) -> None:
    opens = snov.get("/v1/get-emails-opened", params={"campaignId": 179025}).json()
    assert len(opens) == 70
    dates = [r["visitedAt"]["date"] for r in opens]
    assert dates == sorted(dates, reverse=True)
    skipped = snov.get("/v1/get-emails-opened", params={"campaignId": 179025, "offset": 60}).json()
    assert skipped == opens[60:]
    assert len(snov.get("/v1/get-emails-clicked", params={"campaignId": 179025}).json()) == 12


def test_sent_emails_are_capped_at_10000_per_request_and_offset_reaches_the_rest(snov: httpx.Client) -> None:
    first = snov.get("/v1/emails-sent", params={"campaignId": 237945}).json()
    rest = snov.get("/v1/emails-sent", params={"campaignId": 237945, "offset": 10000}).json()
    assert (len(first), len(rest)) == (10000, 250)
    assert {r["id"] for r in first}.isdisjoint({r["id"] for r in rest})
    assert set(first[0]) == {"sentDate", "userName", "userEmail", "campaign", "hash", "id"}


def test_row_cap_can_be_lowered_for_tests_and_reset_restores_it(sandbox: Sandbox, snov: httpx.Client) -> None:
    sandbox.snov.core.row_cap = 100
    assert len(snov.get("/v1/emails-sent", params={"campaignId": 179025}).json()) == 100
    sandbox.reset()
    assert sandbox.snov.core.row_cap == 10000


def test_rows_of_an_unknown_campaign_or_without_campaign_id_fail(snov: httpx.Client) -> None:
    assert snov.get("/v1/get-emails-replies", params={"campaignId": 1}).json() == {
        "success": False,
        "errors": "Campaign not found",
    }
    assert snov.get("/v1/get-emails-replies").status_code == 400


def test_completed_prospects_list_the_finished_recipients(snov: httpx.Client) -> None:
    finished = snov.get("/v1/prospect-finished", params={"campaignId": 179025}).json()
    assert len(finished) == 20
    assert set(finished[0]) == {"id", "prospectId", "userName", "userEmail", "campaign", "hash"}


def test_recipient_status_change_is_visible_in_progress_and_on_the_prospect(snov: httpx.Client) -> None:
    before = snov.get("/v2/campaigns/179025/progress").json()
    assert before == {"status": "Active", "unfinished": 40, "progress": "33%"}
    replies = snov.get("/v1/get-emails-replies", params={"campaignId": 179025}).json()
    reply = next(r for r in replies if r["prospectEmail"] == "eve.mallory@acme-partners.com")
    form = {"email": reply["prospectEmail"], "campaign_id": "179025", "status": "Paused"}
    assert snov.post("/v1/change-recipient-status", data=form).json() == {"success": True}
    prospect = snov.post("/v1/get-prospect-by-id", data={"id": reply["prospectId"]}).json()["data"]
    campaign = next(c for c in prospect["campaigns"] if c["id"] == 179025)
    assert campaign["status"] == "Paused"
    assert campaign["replyCount"] == 1
    unsubscribed = {**form, "status": "Unsubscribed"}
    assert snov.post("/v1/change-recipient-status", data=unsubscribed).json() == {"success": True}
    assert snov.get("/v2/campaigns/179025/progress").json()["unfinished"] == 39


def test_finished_recipients_and_bad_statuses_cannot_be_changed(snov: httpx.Client) -> None:
    finished = snov.get("/v1/prospect-finished", params={"campaignId": 179025}).json()[0]
    form = {"email": finished["userEmail"], "campaign_id": "179025", "status": "Active"}
    refused = snov.post("/v1/change-recipient-status", data=form).json()
    assert refused["success"] is False
    assert "Finished" in refused["errors"]
    bad = snov.post("/v1/change-recipient-status", data={**form, "status": "Finished"}).json()
    assert bad["success"] is False
    assert snov.get("/v2/campaigns/999/progress").status_code == 404


def test_campaign_analytics_counts_rows_in_the_date_range_and_needs_dates(sandbox: Sandbox, snov: httpx.Client) -> None:
    sandbox.config.profile = "current"  # the newer page requires the dates
    stats = snov.get("/v2/statistics/campaign-analytics", params={**DATES, "campaign_id": "179025"}).json()
    assert stats["emails_sent"] == 150
    assert stats["email_replies"] == 9
    assert stats["email_opens_rate"].endswith("%")
    assert {"total_contacted", "delivered", "bounced", "interested", "not_interested_rate"} <= set(stats)
    empty = snov.get("/v2/statistics/campaign-analytics", params={"date_from": "2020-01-01", "date_to": "2020-01-31"})
    assert empty.json()["emails_sent"] == 0
    missing = snov.get("/v2/statistics/campaign-analytics", params={"campaign_id": "179025"})
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"date_from", "date_to"}

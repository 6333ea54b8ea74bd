"""Snov.io simulator, documented profile: only what the vendor document says, and where it is silent the
least helpful answer a real server could give."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from outbound_sandbox.app import Sandbox
from outbound_sandbox.runner import SandboxUrls
from tests.sandbox.snov_helpers import snov_client
from tests.sandbox_clock import SandboxClock

ALEX = {"firstName": "Alex", "lastName": "Rivera", "domain": "acme.com"}
HOURLY = "There are too many prospects processing. Please try later"


@pytest.fixture
def snov(sandbox: Sandbox, sandbox_urls: SandboxUrls) -> Iterator[httpx.Client]:
    sandbox.config.profile = "documented"
    sandbox.config.job_delay = 0.3
    with snov_client(sandbox_urls.snov) as client:
        yield client


def test_a_queued_name_reads_not_found_until_it_is_ready_never_in_progress(
    sandbox_clock: SandboxClock, snov: httpx.Client
) -> None:
    snov.post("/v1/add-names-to-find-emails", data=ALEX)
    queued = snov.post("/v1/get-emails-from-names", data=ALEX).json()
    assert queued["status"]["identifier"] == "not_found" and queued["data"]["emails"] == []
    sandbox_clock.advance(0.35)
    ready = snov.post("/v1/get-emails-from-names", data=ALEX).json()
    assert ready["status"]["identifier"] == "complete"
    assert ready["data"]["emails"] == [{"email": "alex.rivera@acme.com", "emailStatus": "valid"}]


def test_the_finder_reads_only_the_documented_field_names(snov: httpx.Client) -> None:
    response = snov.post(
        "/v1/get-emails-from-names", data={"first_name": "Jane", "last_name": "Cooper", "domain": "acme.com"}
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"firstName", "lastName"}


def test_the_verifier_reads_the_emails_from_the_url_query_only(sandbox: Sandbox, snov: httpx.Client) -> None:
    in_body = snov.post("/v1/get-emails-verification-status", data={"emails[]": ["jane.cooper@acme.com"]})
    assert in_body.status_code == 400
    queued_in_body = snov.post("/v1/add-emails-to-verification", data={"emails[]": ["alex.rivera@acme.com"]})
    assert queued_in_body.status_code == 400 and sandbox.snov.spent == 0
    in_query = snov.post("/v1/get-emails-verification-status", params={"emails[]": ["jane.cooper@acme.com"]})
    assert in_query.json()["jane.cooper@acme.com"]["status"]["identifier"] == "complete"


def test_a_url_shows_its_profile_only_after_queueing_and_says_nothing_while_it_is_processed(
    sandbox_clock: SandboxClock, sandbox: Sandbox, snov: httpx.Client
) -> None:
    url = sandbox.snov.db.people["acme.com"][0].url  # known at once on the current profile
    assert snov.post("/v1/get-emails-from-url", data={"url": url}).json() == {"success": False}
    assert snov.post("/v1/add-url-for-search", data={"url": url}).json() == {"success": True}
    assert snov.post("/v1/get-emails-from-url", data={"url": url}).json() == {"success": False}
    sandbox_clock.advance(0.35)
    assert snov.post("/v1/get-emails-from-url", data={"url": url}).json()["data"][0]["sourcePage"] == url


def test_methods_only_the_newer_pages_list_are_not_there(snov: httpx.Client) -> None:
    assert snov.post("/v2/emails-by-domain-by-name/start", json={"rows": [{"first_name": "A"}]}).status_code == 404
    assert snov.post("/v2/email-verification/start", data={"emails[]": ["a@acme.com"]}).status_code == 404
    assert snov.post("/v2/li-profiles-by-urls/start", data={"urls[]": ["https://x.com/a"]}).status_code == 404
    assert snov.get("/v2/blacklists").status_code == 404


def test_campaign_analytics_without_dates_covers_all_time(snov: httpx.Client) -> None:
    stats = snov.get("/v2/statistics/campaign-analytics", params={"campaign_id": "179025"})
    assert stats.status_code == 200 and stats.json()["emails_sent"] == 150
    since = snov.get("/v2/statistics/campaign-analytics", params={"campaign_id": "179025", "date_from": "2030-01-01"})
    assert since.json()["emails_sent"] == 0


def test_the_hourly_plan_limit_comes_with_its_message_and_a_4xx(sandbox: Sandbox, snov: httpx.Client) -> None:
    sandbox.config.snov_hourly_limit = 0
    refused = snov.post("/v1/add-names-to-find-emails", data=ALEX)
    assert refused.status_code == 400 and refused.json() == {"success": False, "message": HOURLY}
    assert sandbox.snov.spent == 0


def test_prospects_in_a_list_stop_at_the_documents_100_a_page_without_saying_so(snov: httpx.Client) -> None:
    page = snov.post("/v1/prospect-list", data={"listId": "8512947", "page": "1", "perPage": "500"})
    assert page.status_code == 200 and len(page.json()["prospects"]) == 100

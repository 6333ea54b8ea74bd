"""Snov.io simulator: the v1 "queue, then ask again" pairs, their v2 replacements, hourly limit, credits."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from outbound_sandbox.app import Sandbox
from outbound_sandbox.runner import SandboxUrls
from tests.conftest import sandbox_defaults
from tests.sandbox.snov_helpers import poll, snov_client
from tests.sandbox_clock import SandboxClock

ALEX = {"firstName": "Alex", "lastName": "Rivera", "domain": "acme.com"}
RECORDED = sandbox_defaults().profile == "recorded"
"""The suite runs on the recorded profile: the shapes real servers were recorded giving."""


@pytest.fixture
def snov(sandbox: Sandbox, sandbox_urls: SandboxUrls) -> Iterator[httpx.Client]:
    sandbox.config.job_delay = 0.0
    with snov_client(sandbox_urls.snov) as client:
        yield client


def test_finder_knows_a_seeded_prospect_at_once_for_free(sandbox: Sandbox, snov: httpx.Client) -> None:
    body = snov.post(
        "/v1/get-emails-from-names", data={"firstName": "Jane", "lastName": "Cooper", "domain": "acme.com"}
    )
    assert body.json() == {
        "success": True,
        "params": {"firstName": "Jane", "lastName": "Cooper", "domain": "acme.com"},
        "data": {
            "firstName": "Jane",
            "lastName": "Cooper",
            "emails": [{"email": "jane.cooper@acme.com", "emailStatus": "valid"}],
        },
        "status": {"identifier": "complete", "description": "Emails search is completed"},
    }
    assert sandbox.snov.spent == 0


def test_unknown_name_is_not_found_then_in_progress_after_queueing_then_complete(
    sandbox_clock: SandboxClock, sandbox: Sandbox, snov: httpx.Client
) -> None:
    sandbox.config.profile = "current"  # the document has no in_progress identifier
    sandbox.config.job_delay = 0.3
    before = snov.post("/v1/get-emails-from-names", data=ALEX).json()
    assert before["status"]["identifier"] == "not_found"
    assert before["data"]["emails"] == []
    queued = snov.post("/v1/add-names-to-find-emails", data=ALEX).json()
    assert queued["success"] is True and queued["sent"] is True
    assert sandbox.snov.spent == 1
    assert snov.post("/v1/get-emails-from-names", data=ALEX).json()["status"]["identifier"] == "in_progress"
    sandbox_clock.advance(0.35)
    after = snov.post("/v1/get-emails-from-names", data=ALEX).json()
    assert after["status"]["identifier"] == "complete"
    assert after["data"]["emails"] == [{"email": "alex.rivera@acme.com", "emailStatus": "valid"}]
    assert sandbox.snov.spent == 1


def test_a_ghost_is_never_found_even_after_queueing(snov: httpx.Client) -> None:
    ghost = {"firstName": "Ghost", "lastName": "Writer", "domain": "acme.com"}
    snov.post("/v1/add-names-to-find-emails", data=ghost)
    assert snov.post("/v1/get-emails-from-names", data=ghost).json()["status"]["identifier"] == "not_found"


def test_finder_without_a_last_name_is_a_400_field_error(snov: httpx.Client) -> None:
    response = snov.post("/v1/get-emails-from-names", data={"firstName": "Jane", "domain": "acme.com"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"lastName": ["This value should not be blank."]}


def test_verifier_answers_known_emails_at_once_keyed_by_email(snov: httpx.Client) -> None:
    body = snov.post(
        "/v1/get-emails-verification-status", params={"emails[]": ["jane.cooper@acme.com", "alex.rivera@acme.com"]}
    ).json()
    assert body["success"] is True
    known = body["jane.cooper@acme.com"]
    assert known["status"]["identifier"] == "complete"
    assert known["data"]["smtpStatus"] == "valid"
    assert set(known["data"]) == {
        "email", "isValidFormat", "isDisposable", "isWebmail", "isGibberish", "smtpStatus", "isCatchall",
        "isGreylist", "isBannedError", "isConnectionError",
    }  # fmt: skip
    unknown = body["alex.rivera@acme.com"]
    assert unknown == {"data": [], "status": {"identifier": "not_verified", "description": "Email is not verified"}}


def test_verifier_takes_emails_from_the_query_string_as_the_php_example_does(snov: httpx.Client) -> None:
    body = snov.post("/v1/get-emails-verification-status?emails[]=jane.cooper@acme.com").json()
    assert body["jane.cooper@acme.com"]["status"]["identifier"] == "complete"


@pytest.mark.recorded_profile
def test_queued_email_stays_not_verified_until_ready_and_costs_one_credit_per_email(
    sandbox_clock: SandboxClock, sandbox: Sandbox, snov: httpx.Client
) -> None:
    sandbox.config.job_delay = 0.3
    emails = ["alex.rivera@acme.com", "bounce.back@acme.com", "kim@initech.com"]
    added = snov.post("/v1/add-emails-to-verification", params={"emails[]": emails}).json()
    assert added["success"] is True and added["sent"] is True
    assert sandbox.snov.spent == 3
    pending = snov.post("/v1/get-emails-verification-status", params={"emails[]": emails}).json()
    assert {pending[e]["status"]["identifier"] for e in emails} == {"in_progress" if RECORDED else "not_verified"}
    sandbox_clock.advance(0.35)
    done = snov.post("/v1/get-emails-verification-status", params={"emails[]": emails}).json()
    assert [done[e]["data"]["smtpStatus"] for e in emails] == ["valid", "not_valid", "unknown"]
    assert done["kim@initech.com"]["data"]["isCatchall"] is True


def test_greylisted_email_stays_greylisted(snov: httpx.Client) -> None:
    snov.post("/v1/add-emails-to-verification", params={"emails[]": ["sam.grey@globex.com"]})
    body = snov.post("/v1/get-emails-verification-status", params={"emails[]": ["sam.grey@globex.com"]}).json()
    assert body["sam.grey@globex.com"]["data"]["smtpStatus"] == "greylisted"
    assert body["sam.grey@globex.com"]["data"]["isGreylist"] is True


def test_more_than_ten_emails_for_verification_is_refused_and_costs_nothing(
    sandbox: Sandbox, snov: httpx.Client
) -> None:
    emails = [f"person{i}@acme.com" for i in range(11)]
    response = snov.post("/v1/add-emails-to-verification", params={"emails[]": emails})
    assert response.status_code == 400
    assert response.json()["success"] is False
    assert "10" in response.json()["message"]
    assert sandbox.snov.spent == 0


def test_url_pair_known_url_answers_at_once_other_prospect_url_after_queueing(
    sandbox_clock: SandboxClock, sandbox: Sandbox, snov: httpx.Client
) -> None:
    sandbox.config.profile = "current"  # the document has no "still being processed" message
    sandbox.config.job_delay = 0.3
    known = snov.post("/v1/get-emails-from-url", data={"url": "https://www.linkedin.com/in/jane-cooper-1001"}).json()
    assert known["success"] is True
    assert known["data"][0]["name"] == "Jane Cooper"
    assert known["data"][0]["emails"] == [{"email": "jane.cooper@acme.com", "status": "valid"}]
    start = snov.post("/v2/domain-search/prospects/start", data={"domain": "acme.com", "page": "2"}).json()
    sandbox_clock.advance(0.35)
    url = poll(snov, start["links"]["result"], timeout=2)["data"][0]["source_page"]
    assert "data" not in snov.post("/v1/get-emails-from-url", data={"url": url}).json()
    spent = sandbox.snov.spent
    assert snov.post("/v1/add-url-for-search", data={"url": url}).json() == {"success": True}
    assert sandbox.snov.spent == spent + 1
    processing = snov.post("/v1/get-emails-from-url", data={"url": url}).json()
    assert processing["message"].startswith("The prospect is still being processed")
    sandbox_clock.advance(0.35)
    assert snov.post("/v1/get-emails-from-url", data={"url": url}).json()["data"][0]["sourcePage"] == url


@pytest.mark.recorded_profile
def test_profile_by_email_costs_a_credit_only_when_found(sandbox: Sandbox, snov: httpx.Client) -> None:
    found = snov.post("/v1/get-profile-by-email", data={"email": "gavin.vanrooyen@octagon.com"}).json()
    assert found["success"] is True
    assert found["name"] == "Gavin Vanrooyen"
    assert found["currentJobs"][0]["position"] == "Senior Brand Director"
    assert sandbox.snov.spent == 1
    missing = snov.post("/v1/get-profile-by-email", data={"email": "nobody@nowhere.example"}).json()
    assert missing["success"] is RECORDED and "couldn't find" in missing["message"]
    assert sandbox.snov.spent == 1


def test_retired_v1_methods_answer_404_and_the_v2_pairs_answer_instead(sandbox: Sandbox, snov: httpx.Client) -> None:
    sandbox.config.profile = "current"  # the v2 pairs are only on the newer pages
    sandbox.config.snov_v1_retired = True
    for path in (
        "/v1/get-emails-from-names", "/v1/add-names-to-find-emails", "/v1/get-emails-verification-status",
        "/v1/add-emails-to-verification", "/v1/add-url-for-search", "/v1/get-emails-from-url",
    ):  # fmt: skip
        assert snov.post(path, data=ALEX).status_code == 404, path
    assert snov.post("/v1/get-domain-emails-count", data={"domain": "acme.com"}).status_code == 200
    rows = [
        {"first_name": "Jane", "last_name": "Cooper", "domain": "acme.com"},
        {"first_name": "Ghost", "last_name": "X", "domain": "acme.com"},
    ]
    start = snov.post("/v2/emails-by-domain-by-name/start", json={"rows": rows}).json()
    assert set(start) == {"data"} and set(start["data"]) == {"task_hash"}
    result = poll(snov, f"/v2/emails-by-domain-by-name/result?task_hash={start['data']['task_hash']}")
    assert result["status"] == "completed"
    assert result["data"][0]["result"] == [{"email": "jane.cooper@acme.com", "smtp_status": "valid"}]
    assert result["data"][1]["result"] == []
    assert sandbox.snov.spent == 1


def test_v2_finder_takes_php_style_rows_and_is_in_progress_with_underscore_first(
    sandbox: Sandbox, snov: httpx.Client
) -> None:
    sandbox.config.profile = "current"  # the v2 pairs are only on the newer pages
    sandbox.config.job_delay = 0.3
    form = {"rows[0][first_name]": "Alex", "rows[0][last_name]": "Rivera", "rows[0][domain]": "acme.com"}
    task_hash = snov.post("/v2/emails-by-domain-by-name/start", data=form).json()["data"]["task_hash"]
    pending = snov.get("/v2/emails-by-domain-by-name/result", params={"task_hash": task_hash}).json()
    assert pending["status"] == "in_progress"
    done = poll(snov, f"/v2/emails-by-domain-by-name/result?task_hash={task_hash}")
    assert done["data"][0]["result"][0]["email"] == "alex.rivera@acme.com"


def test_v2_verifier_and_linkedin_profiles_answer_and_charge(sandbox: Sandbox, snov: httpx.Client) -> None:
    sandbox.config.profile = "current"  # the v2 pairs are only on the newer pages
    emails = {"emails[]": ["jane.cooper@acme.com", "sam.grey@globex.com"]}
    task_hash = snov.post("/v2/email-verification/start", data=emails).json()["data"]["task_hash"]
    result = poll(snov, f"/v2/email-verification/result?task_hash={task_hash}")
    assert [r["result"]["smtp_status"] for r in result["data"]] == ["valid", "greylisted"]
    assert sandbox.snov.spent == 1
    urls = {"urls[]": ["https://www.linkedin.com/in/jane-cooper-1001", "https://www.linkedin.com/in/nobody"]}
    task_hash = snov.post("/v2/li-profiles-by-urls/start", data=urls).json()["data"]["task_hash"]
    profiles = poll(snov, f"/v2/li-profiles-by-urls/result?task_hash={task_hash}")
    assert profiles["data"][0]["result"]["name"] == "Jane Cooper"
    assert "emails" not in profiles["data"][0]["result"]
    assert profiles["data"][1]["result"] is None
    assert sandbox.snov.spent == 2
    too_many = snov.post("/v2/email-verification/start", data={"emails[]": [f"a{i}@acme.com" for i in range(11)]})
    assert too_many.status_code == 400


def test_hourly_limit_refuses_queueing_past_the_limit_with_the_documented_message(
    sandbox: Sandbox, snov: httpx.Client
) -> None:
    sandbox.config.profile = "current"  # the document gives no status: 400 there
    sandbox.config.snov_hourly_limit = 3
    for last in ("One", "Two", "Three"):
        assert snov.post("/v1/add-names-to-find-emails", data={**ALEX, "lastName": last}).json()["success"] is True
    refused = snov.post("/v1/add-names-to-find-emails", data={**ALEX, "lastName": "Four"})
    assert refused.status_code == 200
    assert refused.json() == {"success": False, "message": "There are too many prospects processing. Please try later"}
    assert snov.post("/v1/add-emails-to-verification", data={"emails[]": ["x@acme.com"]}).json()["success"] is False
    assert sandbox.snov.spent == 3
    assert snov.post("/v1/get-emails-from-names", data=ALEX).json()["success"] is True


def test_hourly_limit_window_passes_with_scaled_time(
    sandbox_clock: SandboxClock, sandbox: Sandbox, sandbox_urls: SandboxUrls
) -> None:
    sandbox.config.snov_hourly_limit = 1
    sandbox.config.time_scale = 7200.0  # an hour is half a real second
    sandbox.config.token_lifetime = 1e9
    with snov_client(sandbox_urls.snov) as snov:
        assert snov.post("/v1/add-names-to-find-emails", data=ALEX).json()["success"] is True
        assert snov.post("/v1/add-names-to-find-emails", data={**ALEX, "lastName": "B"}).json()["success"] is False
        sandbox_clock.advance(0.55)
        assert snov.post("/v1/add-names-to-find-emails", data={**ALEX, "lastName": "C"}).json()["success"] is True


@pytest.mark.recorded_profile
def test_paid_call_with_a_short_balance_is_refused_and_charges_nothing(sandbox: Sandbox, snov: httpx.Client) -> None:
    sandbox.snov.core.balance = 0.5
    refused = snov.post("/v1/add-names-to-find-emails", data=ALEX)
    if RECORDED:  # a gateway status, as public clients saw it
        assert refused.status_code == 502 and "ran out of credits" in refused.json()["message"]
    else:
        assert refused.json() == {"success": False, "message": "Not enough credits"}
    assert snov.post("/v2/domain-search/start", data={"domain": "acme.com"}).status_code == (502 if RECORDED else 402)
    assert sandbox.snov.spent == 0

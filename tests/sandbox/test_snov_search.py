"""Snov.io simulator: v2 domain search tasks (company info, prospects, emails, generic contacts), credits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from outbound_sandbox.app import Sandbox
from outbound_sandbox.runner import SandboxUrls
from tests.sandbox.snov_helpers import poll, snov_client
from tests.sandbox_clock import SandboxClock


@pytest.fixture
def snov(sandbox: Sandbox, sandbox_urls: SandboxUrls) -> Iterator[httpx.Client]:
    sandbox.config.job_delay = 0.0
    with snov_client(sandbox_urls.snov) as client:
        yield client


def test_company_search_is_in_progress_until_the_job_delay_passed_then_completed(
    sandbox_clock: SandboxClock, sandbox: Sandbox, snov: httpx.Client, sandbox_urls: SandboxUrls
) -> None:
    sandbox.config.job_delay = 0.3
    start = snov.post("/v2/domain-search/start", data={"domain": "acme.com"}).json()
    task_hash = start["meta"]["task_hash"]
    assert start["data"] == []
    assert start["meta"] == {"domain": "acme.com", "task_hash": task_hash}
    assert start["links"]["result"] == f"{sandbox_urls.snov}/v2/domain-search/result/{task_hash}"
    pending = snov.get(start["links"]["result"]).json()
    assert pending["status"] == "in progress"
    assert pending["data"] == []
    sandbox_clock.advance(0.35)
    done = snov.get(start["links"]["result"]).json()
    assert done["status"] == "completed"
    assert done["data"]["company_name"] == "Acme Corporation"
    assert set(done["data"]) == {
        "company_name", "city", "founded", "website", "hq_phone", "industry", "size", "related_domains",
    }  # fmt: skip
    assert done["meta"] == {
        "domain": "acme.com",
        "task_hash": task_hash,
        "prospects_count": 48,
        "emails_count": 130,
        "generic_contacts_count": 9,
    }
    assert done["links"]["prospects"].startswith(f"{sandbox_urls.snov}/v2/domain-search/prospects/start")


def test_domain_search_costs_one_credit_per_distinct_request_and_nothing_without_results(
    sandbox: Sandbox, snov: httpx.Client
) -> None:
    snov.post("/v2/domain-search/start", data={"domain": "acme.com"})
    snov.post("/v2/domain-search/start", data={"domain": "acme.com"})
    assert sandbox.snov.spent == 1
    snov.post("/v2/domain-search/start", data={"domain": "no-such-company.example"})
    assert sandbox.snov.spent == 1
    snov.post("/v2/domain-search/start", data={"domain": "globex.com"})
    assert sandbox.snov.spent == 2
    balance = snov.get("/v1/get-balance").json()["data"]["balance"]
    assert balance == f"{sandbox.config.snov_balance - 2:.2f}"


def test_result_of_an_unknown_task_or_a_task_of_another_kind_is_404(snov: httpx.Client) -> None:
    assert snov.get("/v2/domain-search/result/0123456789abcdef").status_code == 404
    start = snov.post("/v2/domain-search/prospects/start", data={"domain": "acme.com"}).json()
    assert snov.get(f"/v2/domain-search/result/{start['meta']['task_hash']}").status_code == 404


def test_domain_search_without_a_domain_is_a_400_field_error(snov: httpx.Client) -> None:
    response = snov.post("/v2/domain-search/start", data={})
    assert response.status_code == 400
    assert response.json() == {"success": False, "errors": {"domain": ["This value should not be blank."]}}


def test_48_acme_prospects_come_in_three_pages_of_20_20_8_with_next_links(
    snov: httpx.Client, sandbox_urls: SandboxUrls
) -> None:
    names: list[str] = []
    url: str | None = "/v2/domain-search/prospects/start"
    form: dict[str, str] | None = {"domain": "acme.com"}
    pages: list[int] = []
    while url:
        start = snov.post(url, data=form).json()
        assert start["meta"]["tab"] == "prospects"
        result = poll(snov, start["links"]["result"])
        pages.append(len(result["data"]))
        assert result["meta"]["total_count"] == 48
        names += [f"{p['first_name']} {p['last_name']}" for p in result["data"]]
        links: dict[str, Any] = result["links"] or {}
        url, form = links.get("next"), None
    assert pages == [20, 20, 8]
    assert len(set(names)) == 48
    assert names[:2] == ["Jane Cooper", "Marcus Webb"]


def test_prospect_items_carry_an_absolute_search_emails_start_url(
    snov: httpx.Client, sandbox_urls: SandboxUrls
) -> None:
    start = snov.post("/v2/domain-search/prospects/start", data={"domain": "acme.com", "page": "1"}).json()
    item = poll(snov, start["links"]["result"])["data"][0]
    assert set(item) == {"first_name", "last_name", "position", "source_page", "search_emails_start"}
    assert item["search_emails_start"].startswith(
        f"{sandbox_urls.snov}/v2/domain-search/prospects/search-emails/start/"
    )
    assert item["source_page"] == "https://www.linkedin.com/in/jane-cooper-1001"


def test_positions_filter_finds_the_five_engineering_managers(snov: httpx.Client) -> None:
    form = {"domain": "acme.com", "positions[]": ["Engineering Manager"]}
    start = snov.post("/v2/domain-search/prospects/start", data=form).json()
    assert start["meta"]["positions"] == ["Engineering Manager"]
    result = poll(snov, start["links"]["result"])
    assert result["meta"]["total_count"] == 5
    assert {p["position"] for p in result["data"]} == {"Engineering Manager"}
    assert result["links"] == []


def test_more_than_ten_positions_is_refused(snov: httpx.Client) -> None:
    form = {"domain": "acme.com", "positions[]": [f"Role {i}" for i in range(11)]}
    assert snov.post("/v2/domain-search/prospects/start", data=form).status_code == 400


def test_prospect_email_search_finds_the_email_and_costs_one_credit_per_prospect_with_email(
    sandbox: Sandbox, snov: httpx.Client
) -> None:
    start = snov.post("/v2/domain-search/prospects/start", data={"domain": "acme.com"}).json()
    people = poll(snov, start["links"]["result"])["data"]
    spent = sandbox.snov.spent
    found = snov.post(people[0]["search_emails_start"]).json()
    assert found["data"] == []
    result = poll(snov, found["links"]["result"])
    assert result["data"]["emails"] == [{"email": "jane.cooper@acme.com", "smtp_status": "valid"}]
    assert result["links"] == []
    assert sandbox.snov.spent == spent + 1
    none = poll(snov, snov.post(people[4]["search_emails_start"]).json()["links"]["result"])
    assert none["data"]["emails"] == []
    assert sandbox.snov.spent == spent + 1


def test_130_domain_emails_come_in_pages_of_50_linked_by_next_tokens(
    snov: httpx.Client, sandbox_urls: SandboxUrls
) -> None:
    start = snov.post("/v2/domain-search/domain-emails/start", data={"domain": "acme.com"}).json()
    assert start["meta"]["tab"] == "emails"
    assert start["meta"]["next"] == ""
    emails: list[str] = []
    sizes: list[int] = []
    while True:
        result = poll(snov, start["links"]["result"])
        assert result["meta"]["total_count"] == 130
        sizes.append(len(result["data"]))
        emails += [e["email"] for e in result["data"]]
        if not result["meta"]["next"]:
            assert result["links"] == []
            break
        next_url = result["links"]["next"]
        assert next_url.startswith(f"{sandbox_urls.snov}/v2/domain-search/domain-emails/start?")
        assert f"next={result['meta']['next']}" in next_url
        start = snov.post(next_url).json()
    assert sizes == [50, 50, 30]
    assert len(set(emails)) == 130


def test_domain_emails_next_token_also_works_as_a_form_field_and_a_bad_token_is_400(snov: httpx.Client) -> None:
    first = poll(
        snov, snov.post("/v2/domain-search/domain-emails/start", data={"domain": "acme.com"}).json()["links"]["result"]
    )
    form = {"domain": "acme.com", "next": first["meta"]["next"]}
    second = poll(snov, snov.post("/v2/domain-search/domain-emails/start", data=form).json()["links"]["result"])
    assert second["data"][0] != first["data"][0]
    bad = snov.post("/v2/domain-search/domain-emails/start", data={"domain": "acme.com", "next": "nonsense"})
    assert bad.status_code == 400


def test_generic_contacts_answer_the_service_tab(snov: httpx.Client) -> None:
    start = snov.post("/v2/domain-search/generic-contacts/start", data={"domain": "acme.com"}).json()
    assert start["meta"]["tab"] == "service"
    result = poll(snov, start["links"]["result"])
    assert result["meta"]["total_count"] == 9
    assert result["meta"]["next"] == ""
    assert {"email": "info@acme.com"} in result["data"]


def test_email_count_is_free_and_zero_for_webmail(sandbox: Sandbox, snov: httpx.Client) -> None:
    assert snov.post("/v1/get-domain-emails-count", data={"domain": "globex.com"}).json()["result"] == 60
    gmail = snov.post("/v1/get-domain-emails-count", data={"domain": "gmail.com"}).json()
    assert gmail == {"success": True, "domain": "gmail.com", "webmail": True, "result": 0}
    assert sandbox.snov.spent == 0

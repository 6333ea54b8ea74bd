"""The PersistIQ simulator over real HTTP: doc shapes, auth, paging, limits, batch rules, state, faults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from outbound_sandbox import config as cfg
from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault
from outbound_sandbox.runner import SandboxUrls
from tests.conftest import sandbox_defaults
from tests.sandbox.plain_http import SHARED_TLS
from tests.sandbox_clock import SandboxClock

KEY = {"x-api-key": cfg.PERSISTIQ_API_KEY}
LEAD_DATA_KEYS = {
    *("company_name", "email", "first_name", "last_name", "address", "city", "state", "phone"),
    *("title", "industry", "snippet", "snippet2", "snippet3", "snippet4"),
}
DOCUMENTED = sandbox_defaults().profile != "current"  # documented or recorded


@pytest.fixture
def http(sandbox_urls: SandboxUrls) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_urls.persistiq, headers=KEY, timeout=10, verify=SHARED_TLS) as client:
        yield client


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()


def refused(response: httpx.Response, status: int, reason: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "error" and body["error"]["reason"] == reason
    return body["error"]["message"]


def post(http: httpx.Client, path: str, body: dict[str, Any]) -> httpx.Response:
    # As the doc's curl examples do: JSON text without a JSON content type.
    return http.post(path, content=json.dumps(body))


def all_pages(http: httpx.Client, path: str, key: str, **params: str) -> list[dict[str, Any]]:
    body = ok(http.get(path, params=params))
    items = body[key]
    while body["has_more"]:
        body = ok(http.get(body["next_page"]))
        items += body[key]
    assert body["next_page"] is None
    return items


def test_users_statuses_and_fields_come_in_the_doc_shapes(http: httpx.Client) -> None:
    users = ok(http.get("/v1/users"))
    assert users["status"] == "success" and users["errors"] == []
    assert {"id", "name", "email", "activated", "default_mailbox_id", "salesforce_id"} == set(users["users"][0])
    assert {u["activated"] for u in users["users"]} == {True, False}
    statuses = ok(http.get("/v1/lead_statuses"))["lead_statuses"]
    assert {"active", "replied", "engaged", "working", "unresponsive"} <= {s["name"] for s in statuses}
    assert all(s["id"].startswith("lss_") for s in statuses)
    fields = ok(http.get("/v1/lead_fields"))["lead_fields"]
    assert {"email", "snippet"} <= {f["name"] for f in fields} and set(fields[0]) == {"id", "name", "label"}


def test_a_missing_or_wrong_api_key_gets_401_with_the_vendor_error_body(http: httpx.Client) -> None:
    anonymous = httpx.get(str(http.base_url) + "/v1/leads")
    refused(anonymous, 401, "unauthorized")
    wrong = http.get("/v1/leads", headers={"x-api-key": "nope"})
    refused(wrong, 401, "unauthorized")
    assert wrong.headers["X-RateLimit-Limit"] == "100"


def test_the_seeded_leads_come_back_in_three_pages_the_last_without_more(http: httpx.Client) -> None:
    first = ok(http.get("/v1/leads"))
    assert first["status"] == "success" and first["errors"] == [] and first["has_more"] is True
    assert len(first["leads"]) == 100
    lead = first["leads"][0]
    assert set(lead) == {"id", "status", "data"} and set(lead["data"]) >= LEAD_DATA_KEYS
    second = ok(http.get(first["next_page"]))
    third = ok(http.get(second["next_page"]))
    assert len(second["leads"]) == 100 and 50 <= len(third["leads"]) < 100
    assert third["has_more"] is False and third["next_page"] is None
    ids = [lead["id"] for page in (first, second, third) for lead in page["leads"]]
    assert len(set(ids)) == len(ids) >= 250
    assert len({lead["status"] for page in (first, second, third) for lead in page["leads"]}) >= 5


def test_next_page_is_an_absolute_url_on_the_sandbox_origin_that_keeps_the_filters(
    http: httpx.Client, sandbox_urls: SandboxUrls
) -> None:
    first = ok(http.get("/v1/leads", params={"status": "active"}))
    url = httpx.URL(first["next_page"])
    assert first["next_page"].startswith(sandbox_urls.persistiq + "/v1/leads?")
    assert url.params["status"] == "active" and url.params["page"] == "2"
    leads = all_pages(http, "/v1/leads", "leads", status="active")
    assert len(leads) > 100 and {lead["status"] for lead in leads} == {"active"}


def test_updated_after_keeps_only_leads_updated_later(http: httpx.Client, sandbox: Sandbox) -> None:
    stamps = sorted(lead.updated_at for lead in sandbox.persistiq.world.leads.values())
    middle = datetime.fromtimestamp(stamps[len(stamps) // 2], UTC).isoformat()
    leads = all_pages(http, "/v1/leads", "leads", updated_after=middle)
    expected = sum(stamp > stamps[len(stamps) // 2] for stamp in stamps)
    assert len(leads) == expected
    refused(http.get("/v1/leads", params={"updated_after": "yesterday"}), 400, "bad_params")


def test_one_lead_reads_in_the_doc_shape_and_an_unknown_one_is_404(http: httpx.Client) -> None:
    lead_id = ok(http.get("/v1/leads"))["leads"][3]["id"]
    body = ok(http.get(f"/v1/leads/{lead_id}"))
    assert body["status"] == "success" and body["errors"] is None and body["leads"][0]["id"] == lead_id
    refused(http.get("/v1/leads/l_missing"), 404, "not_found")
    refused(http.put("/v1/leads/l_missing", json={"status": "replied"}), 404, "not_found")


def test_updating_a_lead_changes_later_reads(http: httpx.Client) -> None:
    lead_id = ok(http.get("/v1/leads"))["leads"][0]["id"]
    change = {"status": "bounced", "bounced": True, "data": {"title": "", "city": "Lisbon"}}
    body = ok(http.put(f"/v1/leads/{lead_id}", json=change))
    assert body["status"] == "success" and body["error"] is None
    assert body["lead"]["status"] == "bounced" and body["lead"]["bounced"] == "true"
    lead = ok(http.get(f"/v1/leads/{lead_id}"))["leads"][0]
    assert lead["status"] == "bounced" and lead["data"]["city"] == "Lisbon" and lead["data"]["title"] is None
    refused(http.patch(f"/v1/leads/{lead_id}", json={"status": "no-such-status"}), 400, "bad_params")


def test_created_leads_are_listed_afterwards(http: httpx.Client) -> None:
    body = ok(post(http, "/v1/leads", {"leads": [{"email": "ivan@newco.example", "first_name": "Ivan"}]}))
    assert body["status"] == "success" and body["errors"] == []
    created = body["leads"][0]
    assert created["status"] == "active" and created["data"]["first_name"] == "Ivan"
    assert set(created["data"]) >= LEAD_DATA_KEYS
    assert created["id"] in {lead["id"] for lead in all_pages(http, "/v1/leads", "leads")}
    events = ok(http.get("/v1/events", params={"lead": created["id"]}))["events"]
    assert [event["kind"] for event in events] == ["lead_created"]


def test_one_invalid_email_is_reported_per_lead_while_the_others_are_created(http: httpx.Client) -> None:
    batch = [{"email": "good@one.example"}, {"email": "not-an-email"}, {"email": ""}, {"email": "good@two.example"}]
    body = ok(post(http, "/v1/leads", {"dup": "update", "leads": batch}))
    assert body["status"] == "error"
    assert [lead["data"]["email"] for lead in body["leads"]] == ["good@one.example", "good@two.example"]
    messages = {error["lead"]["data"]["email"]: error["message"] for error in body["errors"]}
    assert messages == {"not-an-email": "Email is invalid", "": "Email can't be blank"}
    assert all(error["reason"] == "invalid_request" and error["lead"]["id"] is None for error in body["errors"])


def test_more_than_ten_leads_in_one_create_is_a_400_and_creates_nothing(http: httpx.Client, sandbox: Sandbox) -> None:
    before = len(sandbox.persistiq.world.leads)
    leads = [{"email": f"n{i}@batch.example"} for i in range(11)]
    refused(post(http, "/v1/leads", {"leads": leads}), 400, "bad_params")
    refused(post(http, "/v1/leads", {"leads": []}), 400, "bad_params")
    assert len(sandbox.persistiq.world.leads) == before
    assert ok(post(http, "/v1/leads", {"leads": leads[:10]}))["status"] == "success"


@pytest.mark.current_profile  # the document does not say how a skipped duplicate is reported
def test_dup_skip_reports_the_existing_lead_and_dup_update_updates_it(http: httpx.Client) -> None:
    existing = ok(http.get("/v1/leads"))["leads"][5]
    email = existing["data"]["email"]
    skipped = ok(post(http, "/v1/leads", {"leads": [{"email": email.upper(), "title": "Skipped"}]}))
    assert skipped["leads"] == [] and skipped["status"] == "error"
    assert skipped["errors"][0]["message"] == "Email has already been taken"
    assert skipped["errors"][0]["lead"]["id"] == existing["id"]
    assert ok(http.get(f"/v1/leads/{existing['id']}"))["leads"][0]["data"]["title"] == existing["data"]["title"]
    updated = ok(post(http, "/v1/leads", {"dup": "update", "leads": [{"email": email, "title": "Updated"}]}))
    assert updated["status"] == "success" and updated["leads"][0]["id"] == existing["id"]
    assert ok(http.get(f"/v1/leads/{existing['id']}"))["leads"][0]["data"]["title"] == "Updated"
    refused(post(http, "/v1/leads", {"dup": "merge", "leads": [{"email": email}]}), 400, "bad_params")


def test_campaigns_list_in_the_doc_shape_and_filter_by_owner_and_name(http: httpx.Client) -> None:
    body = ok(http.get("/v1/campaigns"))
    assert body["has_more"] is False and body["next_page"] is None
    campaign = body["campaigns"][0]
    assert set(campaign) == {"id", "name", "creator", "stats"} and set(campaign["creator"]) == {"id", "name", "email"}
    assert len(campaign["stats"]) == 6
    owner = campaign["creator"]["id"]
    owned = ok(http.get("/v1/campaigns", params={"owner_id": owner}))["campaigns"]
    assert owned and all(c["creator"]["id"] == owner for c in owned)
    named = ok(http.get("/v1/campaigns", params={"name": campaign["name"]}))["campaigns"]
    assert [c["id"] for c in named] == [campaign["id"]]


def test_adding_and_removing_leads_changes_campaign_membership(http: httpx.Client) -> None:
    campaign_id = ok(http.get("/v1/campaigns", params={"name": "Conference leads"}))["campaigns"][0]["id"]
    lead_ids = [lead["id"] for lead in ok(http.get("/v1/leads"))["leads"][:3]]
    mailbox = ok(http.get("/v1/users"))["users"][1]["default_mailbox_id"]
    body = {"mailbox_id": mailbox, "leads": [{"id": lead_ids[0]}, {"id": lead_ids[0]}, lead_ids[1], "l_missing"]}
    added = ok(post(http, f"/v1/campaigns/{campaign_id}/leads", body))
    assert added["status"] == "error"
    entry = added["campaign_leads"][0]
    assert entry["id"].startswith("cl_") and entry["campaign_id"] == campaign_id and entry["mailbox_id"] == mailbox
    assert [e["lead"]["id"] for e in added["campaign_leads"]] == lead_ids[:2]
    errors = {e["campaign_lead"]["lead"]["id"]: e["message"] for e in added["errors"]}
    assert errors == {lead_ids[0]: "Lead has already been taken", "l_missing": "Lead not found"}
    single = ok(post(http, f"/v1/campaigns/{campaign_id}/leads", {"lead_id": lead_ids[2]}))
    assert single["status"] == "success" and single["errors"] == []
    member_of = ok(http.get("/v1/campaigns", params={"lead_id": lead_ids[0]}))["campaigns"]
    assert campaign_id in {c["id"] for c in member_of}
    removed = http.delete(f"/v1/campaigns/{campaign_id}/leads/{lead_ids[0]}")
    assert removed.status_code == 200
    assert removed.content == b"" if DOCUMENTED else removed.json()["status"] == "success"
    member_of = ok(http.get("/v1/campaigns", params={"lead_id": lead_ids[0]}))["campaigns"]
    assert campaign_id not in {c["id"] for c in member_of}
    refused(http.delete(f"/v1/campaigns/{campaign_id}/leads/{lead_ids[0]}"), 404, "not_found")
    refused(post(http, "/v1/campaigns/c_missing/leads", {"lead_id": lead_ids[0]}), 404, "not_found")


def test_more_than_a_hundred_lead_ids_for_a_campaign_is_a_400(http: httpx.Client) -> None:
    campaign_id = ok(http.get("/v1/campaigns"))["campaigns"][0]["id"]
    leads = [{"id": f"l_{i:06d}"} for i in range(101)]
    refused(post(http, f"/v1/campaigns/{campaign_id}/leads", {"leads": leads}), 400, "bad_params")
    refused(post(http, f"/v1/campaigns/{campaign_id}/leads", {}), 400, "bad_params")


def test_events_page_by_500_and_filter_by_group_lead_user_and_time(http: httpx.Client) -> None:
    first = ok(http.get("/v1/events"))
    assert len(first["events"]) == 500 and first["has_more"] is True
    event = first["events"][0]
    assert {"id", "kind", "event_at", "user_id", "user", "campaign", "lead", "params", "diff"} == set(event)
    everything = all_pages(http, "/v1/events", "events")
    assert len(everything) >= 600 and len({e["id"] for e in everything}) == len(everything)
    campaign_events = all_pages(http, "/v1/events", "events", group="campaign")
    assert campaign_events and all(e["kind"].startswith("campaign_") for e in campaign_events)
    assert {"message_sent", "lead_created"} <= {
        e["kind"] for e in all_pages(http, "/v1/events", "events", group="lead_detail")
    }
    user_id = event["user_id"]
    assert all(e["user_id"] == user_id for e in all_pages(http, "/v1/events", "events", user=user_id))
    middle = everything[len(everything) // 2]["event_at"]
    later = all_pages(http, "/v1/events", "events", start_at=middle, group="lead_detail")
    assert later and all(e["event_at"] >= middle for e in later)
    earlier = ok(http.get("/v1/events", params={"end_at": middle}))
    assert all(e["event_at"] <= middle for e in earlier["events"])
    refused(http.get("/v1/events", params={"group": "everything"}), 400, "bad_params")


def test_a_created_dnc_domain_is_listed_and_a_duplicate_is_refused(http: httpx.Client) -> None:
    body = ok(post(http, "/v1/dnc_domains", {"name": "Rival.Example"}))
    assert body == {
        "status": "success",
        "errors": None,
        "dnc_domain": {"id": body["dnc_domain"]["id"], "name": "rival.example"},
    }
    listed = ok(http.get("/v1/dnc_domains"))
    assert listed["has_more"] is False and "rival.example" in {d["name"] for d in listed["dnc_domains"]}
    refused(post(http, "/v1/dnc_domains", {"name": "rival.example"}), 400, "bad_params")
    refused(post(http, "/v1/dnc_domains", {"name": "not a domain"}), 400, "bad_params")


def test_the_101st_request_in_a_minute_gets_the_documented_429(
    sandbox_clock: SandboxClock, http: httpx.Client, sandbox: Sandbox
) -> None:
    remaining = [int(http.get("/v1/users").headers["X-RateLimit-Remaining"]) for _ in range(100)]
    assert remaining == list(range(99, -1, -1))
    limited = http.get("/v1/users")
    assert limited.status_code == 429
    reset = limited.headers["X-RateLimit-Reset"]
    assert limited.headers["X-RateLimit-Limit"] == "100" and limited.headers["X-RateLimit-Remaining"] == "0"
    assert reset.isdigit()
    assert limited.json() == {
        "error": {
            "reason": "too_many_requests",
            "message": f"You performed more than 100 requests per minute. Limit will be reseted at {reset}.",
        }
    }
    # A faster clock makes the window already over.
    sandbox.config.time_scale = 600
    sandbox_clock.advance(0.15)  # the scaled window is 0.1 s
    assert http.get("/v1/users").status_code == 200


def test_an_injected_fault_is_answered_with_the_vendor_error_body(http: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.config.add_fault("GET /persistiq/v1/leads", Fault("status", status=503, count=1))
    refused(http.get("/v1/leads"), 503, "api_error")
    assert ok(http.get("/v1/leads"))["leads"]
    sandbox.config.add_fault("GET /persistiq/v1/users", Fault("rate_limit", count=1))
    limited = http.get("/v1/users")
    assert limited.status_code == 429 and limited.json()["error"]["reason"] == "too_many_requests"
    assert "X-RateLimit-Reset" in limited.headers


def test_reseeding_gives_the_same_data(sandbox: Sandbox) -> None:
    vendor = sandbox.persistiq
    before = [(lead.id, lead.data["email"], lead.updated_at) for lead in vendor.world.leads.values()]
    vendor.reset()
    assert before == [(lead.id, lead.data["email"], lead.updated_at) for lead in vendor.world.leads.values()]


# Profiles


def test_the_documented_profile_says_nothing_of_a_skipped_duplicate_ignores_null_and_removes_without_a_body(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    sandbox.config.profile = "documented"
    existing = ok(http.get("/v1/leads"))["leads"][5]
    email, title = existing["data"]["email"], existing["data"]["title"]
    assert title  # so that a null ignored shows
    skipped = ok(
        post(http, "/v1/leads", {"leads": [{"email": email, "title": "Skipped"}, {"email": "new@example.com"}]})
    )
    assert skipped["errors"] == [] and [lead["data"]["email"] for lead in skipped["leads"]] == ["new@example.com"]
    lead_url = f"/v1/leads/{existing['id']}"
    ok(http.put(lead_url, json={"data": {"title": None, "city": ""}}))
    assert ok(http.get(lead_url))["leads"][0]["data"]["title"] == title
    assert ok(http.get(lead_url))["leads"][0]["data"]["city"] is None
    campaign_id = ok(http.get("/v1/campaigns"))["campaigns"][0]["id"]
    ok(post(http, f"/v1/campaigns/{campaign_id}/leads", {"lead_id": existing["id"]}))
    removed = http.delete(f"/v1/campaigns/{campaign_id}/leads/{existing['id']}")
    assert removed.status_code == 200 and removed.content == b""

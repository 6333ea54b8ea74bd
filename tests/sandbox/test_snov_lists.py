"""Snov.io simulator: prospect lists, prospects, custom fields, do-not-email lists, webhooks."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from outbound_sandbox.app import Sandbox
from outbound_sandbox.runner import SandboxUrls
from tests.conftest import sandbox_defaults
from tests.sandbox.snov_helpers import snov_client


@pytest.fixture
def snov(sandbox_urls: SandboxUrls) -> Iterator[httpx.Client]:
    with snov_client(sandbox_urls.snov) as client:
        yield client


def test_user_lists_show_the_seeded_lists_in_the_doc_shape(snov: httpx.Client) -> None:
    lists = {lst["id"]: lst for lst in snov.get("/v1/get-user-lists").json()}
    assert lists[8512947]["name"] == "Acme outreach"
    assert lists[8512947]["contacts"] == 130
    assert lists[1505383]["isDeleted"] is True
    assert lists[1505383]["deletionDate"]["timezone"] == "UTC"
    assert set(lists[1250344]) == {"id", "name", "contacts", "isDeleted", "creationDate", "deletionDate"}


def test_created_list_is_listed_and_starts_empty(snov: httpx.Client) -> None:
    created = snov.post("/v1/lists", data={"name": "Fresh leads"}).json()
    assert created == [{"success": True, "data": {"id": 9000001}}]
    lists = {lst["id"]: lst for lst in snov.get("/v1/get-user-lists").json()}
    assert lists[9000001]["name"] == "Fresh leads"
    assert lists[9000001]["contacts"] == 0


def test_prospect_list_pages_130_prospects_newest_first(snov: httpx.Client) -> None:
    first = snov.post("/v1/prospect-list", data={"listId": "8512947", "page": "1", "perPage": "100"}).json()
    second = snov.post("/v1/prospect-list", data={"listId": "8512947", "page": "2", "perPage": "100"}).json()
    assert first["success"] is True
    assert first["list"]["name"] == "Acme outreach"
    assert first["list"]["contacts"] == 130
    assert (len(first["prospects"]), len(second["prospects"])) == (100, 30)
    ids = [p["id"] for p in first["prospects"] + second["prospects"]]
    assert len(set(ids)) == 130
    assert second["prospects"][-1]["name"] == "Jane Cooper"
    email = second["prospects"][-1]["emails"][0]
    assert email["email"] == "jane.cooper@acme.com"
    assert {"probability", "isVerified", "jobStatus", "domainType", "smtpStatus"} <= set(email)


def test_prospect_list_accepts_up_to_5000_per_page_and_refuses_more(sandbox: Sandbox, snov: httpx.Client) -> None:
    sandbox.config.profile = "current"  # the document's maximum is 100
    all_of_them = snov.post("/v1/prospect-list", data={"listId": "8512947", "perPage": "5000"}).json()
    assert len(all_of_them["prospects"]) == 130
    assert snov.post("/v1/prospect-list", data={"listId": "8512947", "perPage": "5001"}).status_code == 400
    unknown = snov.post("/v1/prospect-list", data={"listId": "1"}).json()
    assert unknown == {"success": False, "errors": "List not found"}


def test_added_prospect_appears_in_the_list_and_is_found_by_id_and_email(snov: httpx.Client) -> None:
    form = {
        "email": "new.person@northwind.io",
        "fullName": "New Person",
        "position": "Head of Data",
        "companyName": "Northwind",
        "listId": "7654321",
        "phones[]": ["+18882073333", "+18882074444"],
        "customFields[specialization]": "Data platforms",
        "customFields[not a field]": "ignored",
        "socialLinks[linkedIn]": "https://www.linkedin.com/in/new-person",
    }
    added = snov.post("/v1/add-prospect-to-list", data=form).json()
    assert added["success"] is True and added["added"] is True and added["updated"] is False
    listed = snov.post("/v1/prospect-list", data={"listId": "7654321"}).json()
    assert listed["prospects"][0]["id"] == added["id"]
    assert listed["list"]["contacts"] == 3
    by_id = snov.post("/v1/get-prospect-by-id", data={"id": added["id"]}).json()["data"]
    assert by_id["name"] == "New Person"
    assert by_id["currentJob"][0]["position"] == "Head of Data"
    assert by_id["lists"] == [{"id": 7654321, "name": "Test list"}]
    assert by_id["customFields"] == {"specialization": "Data platforms"}
    assert by_id["social"] == [{"link": "https://www.linkedin.com/in/new-person", "type": "linkedIn"}]
    by_email = snov.post("/v1/get-prospects-by-email", data={"email": "new.person@northwind.io"}).json()
    assert [p["id"] for p in by_email["data"]] == [added["id"]]


def test_adding_an_existing_email_updates_only_with_update_contact(snov: httpx.Client) -> None:
    form = {"email": "jane.cooper@acme.com", "listId": "7654321", "position": "CEO"}
    first = snov.post("/v1/add-prospect-to-list", data=form).json()
    assert (first["added"], first["updated"]) == (True, False)
    again = snov.post("/v1/add-prospect-to-list", data={**form, "updateContact": "true"}).json()
    assert again["id"] == first["id"]
    assert (again["added"], again["updated"]) == (False, True)
    data = snov.post("/v1/get-prospect-by-id", data={"id": first["id"]}).json()["data"]
    assert data["currentJob"][0]["position"] == "CEO"


def test_add_prospect_needs_email_and_list(snov: httpx.Client) -> None:
    response = snov.post("/v1/add-prospect-to-list", data={"firstName": "No"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"email", "listId"}


@pytest.mark.recorded_profile
def test_doc_prospect_gavin_has_his_list_and_unknown_ids_fail_in_snov_shape(snov: httpx.Client) -> None:
    gavin = snov.post("/v1/get-prospect-by-id", data={"id": "xusD3-T_K5IktGoaa8Jc8A=="}).json()["data"]
    assert gavin["name"] == "Gavin Vanrooyen"
    assert gavin["lists"] == [{"id": 1250344, "name": "People List"}]
    assert gavin["lastUpdateDate"] == {"date": "2019-09-11 12:37:58.000000", "timezone_type": 3, "timezone": "UTC"}
    unknown = snov.post("/v1/get-prospect-by-id", data={"id": "nope"}).json()
    recorded = sandbox_defaults().profile == "recorded"  # real servers were recorded answering an empty data
    assert unknown == {"success": True, "data": []} if recorded else unknown["success"] is False
    none = snov.post("/v1/get-prospects-by-email", data={"email": "no.one.home@octagon.com"}).json()
    assert none == {"success": False, "errors": "Prospect with email 'no.one.home@octagon.com' not found"}


def test_custom_fields_answer_the_doc_shape(snov: httpx.Client) -> None:
    fields = snov.get("/v1/prospect-custom-fields").json()
    assert fields[0] == {"key": "customFields['company']", "label": "company", "required": False, "type": "string"}
    assert [f["label"] for f in fields] == ["company", "Project name", "SEO", "specialization"]


def test_do_not_email_list_reports_duplicates_and_blacklists_count_items(sandbox: Sandbox, snov: httpx.Client) -> None:
    sandbox.config.profile = "current"  # GET /v2/blacklists is only on the newer pages
    first = snov.post("/v1/do-not-email-list", data={"items[]": ["spam@acme.com", "competitor.com"], "listId": "42001"})
    assert first.json() == [{"success": True, "data": {"duplicates": ["competitor.com"]}}]
    lists = {b["id"]: b for b in snov.get("/v2/blacklists").json()["data"]}
    assert lists[42001]["items_count"] == 3
    assert snov.post("/v1/do-not-email-list", data={"items[]": ["a@b.com"]}).status_code == 400
    assert snov.post("/v1/do-not-email-list", data={"items[]": ["a@b.com"], "listId": "7"}).json()["success"] is False


def test_webhooks_list_create_deactivate_delete(snov: httpx.Client) -> None:
    listed = snov.get("/v2/webhooks").json()
    assert listed["meta"] == {"webhooks_count": 3, "user_id": 1313777}
    assert listed["data"][1]["data"]["status"] == "deactivated"
    body = {"event_object": "campaign_reply", "event_action": "first_received", "endpoint_url": "https://example.com/h"}
    created = snov.post("/v2/webhooks", json=body).json()
    hook_id = created["data"]["id"]
    assert created["data"]["end_point"] == "https://example.com/h"
    assert created["data"]["status"] == "active"
    assert created["meta"] == {"user_id": 1313777}
    changed = snov.put(f"/v2/webhooks/{hook_id}", json={"status": "deactivated"}).json()
    assert changed["data"]["status"] == "deactivated"
    statuses = {w["data"]["id"]: w["data"]["status"] for w in snov.get("/v2/webhooks").json()["data"]}
    assert statuses[hook_id] == "deactivated"
    assert snov.delete(f"/v2/webhooks/{hook_id}").json() == {"data": {"success": True}}
    assert hook_id not in {w["data"]["id"] for w in snov.get("/v2/webhooks").json()["data"]}
    assert snov.delete(f"/v2/webhooks/{hook_id}").status_code == 404


def test_webhook_with_an_unsupported_action_is_refused(snov: httpx.Client) -> None:
    body = {"event_object": "campaign_email", "event_action": "received", "endpoint_url": "https://example.com/h"}
    response = snov.post("/v2/webhooks", json=body)
    assert response.status_code == 400
    assert "event_action" in response.json()["errors"]


def test_at_most_50_webhooks(snov: httpx.Client) -> None:
    body = {"event_object": "campaign_email", "event_action": "opened", "endpoint_url": "https://example.com/h"}
    statuses = [snov.post("/v2/webhooks", json=body).status_code for _ in range(48)]
    assert statuses == [200] * 47 + [400]
    assert snov.get("/v2/webhooks").json()["meta"]["webhooks_count"] == 50

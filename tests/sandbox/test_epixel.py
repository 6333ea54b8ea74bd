"""The Epixel Leads & CRM simulator over real HTTP: auth, envelope, paging, validation, permissions, state."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from outbound_sandbox import config as cfg
from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault, Profile
from outbound_sandbox.epixel.data import APPOINTMENT_STATUSES, LEAD_STATUSES, in_filter
from outbound_sandbox.guards import is_array
from outbound_sandbox.runner import SandboxUrls
from tests.conftest import sandbox_defaults
from tests.sandbox.plain_http import SHARED_TLS
from tests.sandbox_clock import SandboxClock

LOGIN = {"username": cfg.EPIXEL_USERNAME, "password": cfg.EPIXEL_PASSWORD}
KEY = {"apikey": cfg.EPIXEL_API_KEY}
NEW_LEAD = {"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com", "phone": "5551234567"}
# The profile this run's sandbox starts on: the document puts create lead under an extra v1/.
DOCUMENTED = sandbox_defaults().profile != "current"  # documented or recorded
CREATE_LEAD = "/v1/leads/create/lead/" if DOCUMENTED else "/leads/create/lead/"


@pytest.fixture
def http(sandbox_urls: SandboxUrls) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_urls.epixel, timeout=10, verify=SHARED_TLS) as client:
        yield client


def login(http: httpx.Client) -> dict[str, Any]:
    response = http.post("/user/login/", data=LOGIN, headers=KEY)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def api(http: httpx.Client) -> httpx.Client:
    """The same client, logged in: every request carries the apikey and the bearer token."""
    http.headers.update({**KEY, "Authorization": f"Bearer {login(http)['access']}"})
    return http


def data(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status_code"] == status and body["errors"] == {}
    return body["data"]


def envelope_errors(response: httpx.Response, status: int = 400) -> dict[str, list[str]]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status_code"] == status and body["data"] == {}
    return body["errors"]


def drf_errors(response: httpx.Response, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert "status_code" not in body
    return body


def future(days: int, hour: int = 10, minute: int = 0) -> str:
    day = datetime.now(UTC) + timedelta(days=days)
    return day.replace(hour=hour, minute=minute).strftime("%Y-%m-%d %H:%M")


def all_pages(api: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    page = data(api.get(path, params=params))
    if is_array(page):  # the documented profile: one bare list
        return page
    items = list(page["results"])
    while page["next"]:
        page = data(api.get(page["next"]))
        items += page["results"]
    return items


def owned_count(api: httpx.Client, **params: Any) -> int:
    return sum(1 for lead in all_pages(api, "/leads/list/", **params) if lead["owner"] == cfg.EPIXEL_USERNAME)


def assigned_count(api: httpx.Client) -> int:
    listed = all_pages(api, "/leads/list/", list_type="assigned")
    return sum(1 for lead in listed if lead["assignee"] == cfg.EPIXEL_USERNAME != lead["owner"])


# ---- auth


def test_login_with_the_demo_credentials_answers_a_refresh_and_an_access_jwt(http: httpx.Client) -> None:
    tokens = login(http)
    assert set(tokens) == {"refresh", "access"}
    assert tokens["access"].count(".") == 2 and tokens["access"] != tokens["refresh"]


def test_login_with_a_wrong_password_or_missing_fields_is_refused_in_drf_style(http: httpx.Client) -> None:
    wrong = http.post("/user/login/", data={**LOGIN, "password": "nope"}, headers=KEY)
    assert wrong.status_code == 401
    assert wrong.json() == {"detail": "No active account found with the given credentials"}
    empty = http.post("/user/login/", data={}, headers=KEY)
    assert drf_errors(empty) == {"username": ["This field is required."], "password": ["This field is required."]}
    assert http.post("/user/login/", data=LOGIN).status_code == 401


def test_a_request_without_or_with_a_wrong_apikey_is_refused_with_401_even_with_a_valid_token(
    http: httpx.Client,
) -> None:
    bearer = {"Authorization": f"Bearer {login(http)['access']}"}
    missing = http.get("/leads/list/", headers=bearer)
    assert missing.status_code == 401 and missing.json() == {"detail": "API key is required."}
    wrong = http.get("/leads/list/", headers={**bearer, "apikey": "other"})
    assert wrong.status_code == 401 and wrong.json() == {"detail": "Invalid API key."}
    assert http.get("/leads/list/", headers={**bearer, **KEY}).status_code == 200


def test_a_missing_or_unknown_bearer_token_is_refused_with_a_drf_detail(http: httpx.Client) -> None:
    missing = http.get("/leads/list/", headers=KEY)
    assert missing.status_code == 401
    assert missing.json() == {"detail": "Authentication credentials were not provided."}
    unknown = http.get("/leads/list/", headers={**KEY, "Authorization": "Bearer abc.def.ghi"})
    assert unknown.status_code == 401 and unknown.json()["code"] == "token_not_valid"
    refresh_as_access = http.get("/leads/list/", headers={**KEY, "Authorization": f"Bearer {login(http)['refresh']}"})
    assert refresh_as_access.status_code == 401


@pytest.mark.current_profile  # the refresh path is not in the document
def test_an_access_token_expires_after_its_lifetime_then_refresh_and_login_give_working_ones(
    sandbox_clock: SandboxClock, sandbox: Sandbox, http: httpx.Client
) -> None:
    sandbox.config.token_lifetime = 60.0
    sandbox.config.time_scale = 100.0  # 60 vendor seconds = 0.6 s
    tokens = login(http)
    auth = {**KEY, "Authorization": f"Bearer {tokens['access']}"}
    assert http.get("/leads/overview/", headers=auth).status_code == 200
    sandbox_clock.advance(0.7)
    expired = http.get("/leads/overview/", headers=auth)
    assert expired.status_code == 401
    assert expired.json()["detail"] == "Given token not valid for any token type"

    refreshed = http.post("/user/token/refresh/", data={"refresh": tokens["refresh"]}, headers=KEY)
    assert refreshed.status_code == 200 and set(refreshed.json()) == {"access"}
    fresh = {**KEY, "Authorization": f"Bearer {refreshed.json()['access']}"}
    assert http.get("/leads/overview/", headers=fresh).status_code == 200
    again = {**KEY, "Authorization": f"Bearer {login(http)['access']}"}
    assert http.get("/leads/overview/", headers=again).status_code == 200


@pytest.mark.current_profile  # the refresh path is not in the document
def test_refresh_refuses_an_access_token_garbage_and_a_missing_field(http: httpx.Client) -> None:
    tokens = login(http)
    for value in (tokens["access"], "garbage"):
        refused = http.post("/user/token/refresh/", json={"refresh": value}, headers=KEY)
        assert refused.status_code == 401
        assert refused.json() == {"detail": "Token is invalid or expired", "code": "token_not_valid"}
    assert drf_errors(http.post("/user/token/refresh/", data={}, headers=KEY)) == {
        "refresh": ["This field is required."]
    }


# ---- reads


def test_overview_counts_owned_and_assigned_leads_by_status(api: httpx.Client) -> None:
    overview = data(api.get("/leads/overview/"))
    assert overview["total_leads"] == 64 and overview["assigned_leads"] == 8
    assert set(overview["lead_status"]) == set(LEAD_STATUSES)
    assert sum(overview["lead_status"].values()) == 64
    assert overview["appointment_filter"] == "upcoming"


@pytest.mark.parametrize("name", ["upcoming", "today", "week", "month"])
def test_overview_appointment_filter_selects_the_matching_appointments(
    api: httpx.Client, sandbox: Sandbox, name: str
) -> None:
    overview = data(api.get("/leads/overview/", params={"appointment": name}))
    now = sandbox.epixel.now()
    every = all_pages(api, "/leads/appointments/list/")
    expected = [
        a["id"] for a in every if in_filter(datetime.strptime(a["appointment_date"], "%Y-%m-%d %H:%M"), name, now)
    ]
    assert overview["appointment_filter"] == name
    assert overview["appointment_count"] == len(expected)
    assert [a["id"] for a in overview["appointments"]] == expected[:10]
    assert sum(overview["appointment_status"].values()) == len(expected)
    if not DOCUMENTED:  # the document has the filter on the overview only
        listed = all_pages(api, "/leads/appointments/list/", appointment=name)
        assert [a["id"] for a in listed] == expected


def test_overview_refuses_an_unknown_appointment_filter_with_an_envelope_field_error(api: httpx.Client) -> None:
    errors = envelope_errors(api.get("/leads/overview/", params={"appointment": "yearly"}))
    assert errors == {"appointment": ["Invalid appointment filter value."]}


@pytest.mark.current_profile  # the lists' paging is not in the document
def test_owned_leads_page_by_20_with_absolute_next_and_previous_links(
    api: httpx.Client, sandbox_urls: SandboxUrls
) -> None:
    first = data(api.get("/leads/list/"))
    assert first["count"] == 64 and len(first["results"]) == 20 and first["previous"] is None
    assert first["next"] == f"{sandbox_urls.epixel}/leads/list/?limit=20&offset=20"
    second = data(api.get(first["next"]))
    assert second["previous"] == f"{sandbox_urls.epixel}/leads/list/?limit=20"
    last = data(api.get("/leads/list/", params={"offset": 60}))
    assert len(last["results"]) == 4 and last["next"] is None
    assert last["previous"].endswith("offset=40")
    slugs = [lead["slug"] for lead in all_pages(api, "/leads/list/")]
    assert len(slugs) == 64 and set(slugs) == {f"lead{n}" for n in range(1, 65)}
    assert slugs[0] == "lead64"  # newest first


@pytest.mark.current_profile  # the lists' filters are not in the document
def test_lead_list_keeps_filters_in_its_links_and_filters_by_status(api: httpx.Client) -> None:
    status = data(api.get("/leads/overview/"))["lead_status"]
    name = max(status, key=lambda s: status[s])
    page = data(api.get("/leads/list/", params={"status": name, "limit": 3}))
    assert page["count"] == status[name] and "status=" + name in page["next"] and "limit=3" in page["next"]
    listed = all_pages(api, "/leads/list/", status=name, limit=3)
    assert len(listed) == status[name] and {lead["status"] for lead in listed} == {name}


@pytest.mark.current_profile  # the lists' filters are not in the document
def test_list_type_assigned_lists_the_leads_others_assigned_to_the_demo_user(api: httpx.Client) -> None:
    assigned = data(api.get("/leads/list/", params={"list_type": "assigned"}))
    assert assigned["count"] == 8 and assigned["next"] is None
    assert {lead["slug"] for lead in assigned["results"]} == {f"binuser{n}" for n in range(1, 9)}
    assert {(lead["owner"], lead["assignee"]) for lead in assigned["results"]} == {("binuser", "demo")}


@pytest.mark.current_profile  # the lists' filters are not in the document
def test_lead_list_refuses_unknown_status_and_list_type(api: httpx.Client) -> None:
    assert envelope_errors(api.get("/leads/list/", params={"status": "hot"})) == {
        "status": ["hot is not a valid choice."]
    }
    assert envelope_errors(api.get("/leads/list/", params={"list_type": "all"})) == {
        "list_type": ["Invalid list type."]
    }


@pytest.mark.current_profile  # the lists' paging and filters are not in the document
def test_appointments_list_pages_by_start_time_and_filters_by_status_and_lead(api: httpx.Client) -> None:
    first = data(api.get("/leads/appointments/list/"))
    assert first["count"] == 26 and len(first["results"]) == 20 and first["next"]
    every = all_pages(api, "/leads/appointments/list/")
    starts = [a["appointment_date"] for a in every]
    assert len(every) == 26 and starts == sorted(starts)
    assert {a["id"] for a in every} == set(range(1001, 1025)) | {1101, 1102}
    pending = all_pages(api, "/leads/appointments/list/", appointment_status="pending")
    assert pending and all(a["appointment_status"] == "pending" for a in pending)
    by_lead = all_pages(api, "/leads/appointments/list/", slug="lead1")
    assert {a["slug"] for a in by_lead} == {"lead1"} and len(by_lead) == 2
    refused = api.get("/leads/appointments/list/", params={"appointment_status": "late"})
    assert envelope_errors(refused) == {"appointment_status": ["Invalid appointment status."]}


def test_view_lead_returns_the_lead_with_its_appointments_and_notes(api: httpx.Client) -> None:
    lead = data(api.get("/leads/view/lead/", params={"slug": "lead1"}))
    assert lead["slug"] == "lead1" and lead["owner"] == "demo" and lead["assignee"] == "alice"
    assert {a["id"] for a in lead["appointments"]} == {1001, 1013}
    assert {n["id"] for n in lead["notes"]} == {5001, 5011, 5021}
    assert data(api.get("/leads/view/lead/", params={"slug": "binuser3"}))["owner"] == "binuser"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "This field is required and this may not be blank."),
        ({"slug": " "}, "This field is required and this may not be blank."),
        ({"slug": "nobody"}, "Requested slug is invalid."),
        ({"slug": "alice1"}, "Requested slug is invalid."),
    ],
)
def test_view_lead_refuses_a_missing_unknown_or_foreign_slug(
    api: httpx.Client, params: dict[str, str], message: str
) -> None:
    assert envelope_errors(api.get("/leads/view/lead/", params=params)) == {"slug": [message]}


# ---- lead writes


def test_a_created_lead_is_listed_first_viewable_and_counted(api: httpx.Client) -> None:
    created = data(api.post(CREATE_LEAD, data={**NEW_LEAD, "status": "potential", "assignee": "bob"}), 201)
    assert created["slug"].startswith("janedoe") and created["owner"] == "demo" and created["assignee"] == "bob"
    assert created["status"] == "potential" and created["notes"] == [] and created["appointments"] == []
    listed = all_pages(api, "/leads/list/")
    assert owned_count(api) == 65 and listed[0]["slug"] == created["slug"]
    assert data(api.get("/leads/view/lead/", params={"slug": created["slug"]}))["email"] == "jane@example.com"
    assert data(api.get("/leads/overview/"))["lead_status"]["potential"] >= 1


def test_create_lead_accepts_a_json_body_and_defaults_status_to_prospect(api: httpx.Client) -> None:
    created = data(api.post(CREATE_LEAD, json=NEW_LEAD), 201)
    assert created["status"] == "prospect" and created["assignee"] is None


LONG = "x" * 256


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"first_name": None}, "first_name", "This field is required."),
        ({"first_name": ""}, "first_name", "This field may not be blank."),
        ({"first_name": LONG}, "first_name", "Ensure this field has no more than 255 characters."),
        ({"last_name": LONG}, "last_name", "Ensure this field has no more than 255 characters."),
        ({"last_name": None}, "last_name", "This field is required."),
        ({"email": None}, "email", "This field is required."),
        ({"email": "not-an-email"}, "email", "Invalid email."),
        ({"email": LONG + "@example.com"}, "email", "Ensure this field has no more than 255 characters."),
        ({"phone": None}, "phone", "This field is required."),
        (
            {"phone": "+1 555 0100"},
            "phone",
            "Phone number must be entered in the format: '999999999'. Up to 15 digits allowed.",
        ),
        (
            {"phone": "1" * 16},
            "phone",
            "Phone number must be entered in the format: '999999999'. Up to 15 digits allowed.",
        ),
        ({"location": LONG}, "location", "Ensure this field has no more than 255 characters."),
        ({"message": LONG}, "message", "Ensure this field has no more than 255 characters."),
        ({"status": "hot"}, "status", "hot is not a valid choice."),
        ({"source": "carrier-pigeon"}, "source", "carrier-pigeon is not a valid choice."),
        ({"assignee": ""}, "assignee", "This field may not be blank."),
        ({"assignee": "ghost"}, "assignee", "Assignee not found."),
    ],
)
def test_create_lead_validates_each_documented_rule_in_the_envelope(
    api: httpx.Client, change: dict[str, str | None], field: str, message: str
) -> None:
    body = {k: v for k, v in {**NEW_LEAD, **change}.items() if v is not None}
    assert envelope_errors(api.post(CREATE_LEAD, data=body)) == {field: [message]}
    assert owned_count(api) == 64


def test_create_lead_reports_every_invalid_field_at_once(api: httpx.Client) -> None:
    errors = envelope_errors(api.post(CREATE_LEAD, data={"phone": "12-34"}))
    assert set(errors) == {"first_name", "last_name", "email", "phone"}


def test_one_character_under_each_limit_is_accepted(api: httpx.Client) -> None:
    body = {**NEW_LEAD, "first_name": "a" * 255, "location": "b" * 255, "message": "c" * 255, "phone": "1" * 15}
    assert data(api.post(CREATE_LEAD, data=body), 201)["phone"] == "1" * 15


def test_an_updated_lead_shows_its_new_fields_in_view_and_list(api: httpx.Client) -> None:
    body = {**NEW_LEAD, "slug": "lead2", "status": "customer", "location": "Oslo", "assignee": "alice"}
    updated = data(api.post("/leads/update/lead/", data=body))
    assert updated["first_name"] == "Jane" and updated["status"] == "customer" and updated["assignee"] == "alice"
    view = data(api.get("/leads/view/lead/", params={"slug": "lead2"}))
    assert (view["location"], view["email"]) == ("Oslo", "jane@example.com")
    customers = all_pages(api, "/leads/list/", status="customer")
    assert "lead2" in {lead["slug"] for lead in customers}


def test_update_lead_validates_fields_before_looking_up_the_lead(api: httpx.Client) -> None:
    errors = envelope_errors(api.post("/leads/update/lead/", data={**NEW_LEAD, "email": "bad"}))
    assert errors == {"slug": ["This field is required."], "email": ["Invalid email."]}
    long_slug = envelope_errors(api.post("/leads/update/lead/", data={**NEW_LEAD, "slug": "s" * 259}))
    assert long_slug == {"slug": ["Ensure this field has no more than 258 characters."]}


def test_update_lead_answers_401_for_a_missing_lead_and_for_a_lead_the_user_does_not_own(api: httpx.Client) -> None:
    missing = envelope_errors(api.post("/leads/update/lead/", data={**NEW_LEAD, "slug": "nobody"}), 401)
    assert missing == {"non_field_errors": ["Requested lead does not esixt."]}
    for slug in ("binuser1", "alice2"):
        foreign = envelope_errors(api.post("/leads/update/lead/", data={**NEW_LEAD, "slug": slug}), 401)
        assert foreign == {"non_field_errors": ["You are not owner of this lead."]}
    assert data(api.get("/leads/view/lead/", params={"slug": "binuser1"}))["email"] != NEW_LEAD["email"]


def test_a_deleted_lead_disappears_with_its_appointments_and_cannot_be_deleted_twice(api: httpx.Client) -> None:
    assert data(api.post("/leads/delete/lead/", data={"slug": "lead1"}))["slug"] == "lead1"
    assert envelope_errors(api.get("/leads/view/lead/", params={"slug": "lead1"})) == {
        "slug": ["Requested slug is invalid."]
    }
    assert owned_count(api) == 63
    assert data(api.get("/leads/overview/"))["total_leads"] == 63
    assert not [a for a in all_pages(api, "/leads/appointments/list/") if a["slug"] == "lead1"]
    again = envelope_errors(api.post("/leads/delete/lead/", data={"slug": "lead1"}))
    assert again == {"slug": ["Requested lead already has a deleted status."]}
    gone = envelope_errors(api.post("/leads/update/lead/", data={**NEW_LEAD, "slug": "lead1"}), 401)
    assert gone == {"non_field_errors": ["Requested lead does not esixt."]}


def test_delete_lead_refuses_missing_unknown_and_foreign_leads(api: httpx.Client) -> None:
    assert envelope_errors(api.post("/leads/delete/lead/", data={})) == {"slug": ["This field is required."]}
    assert envelope_errors(api.post("/leads/delete/lead/", data={"slug": ""})) == {
        "slug": ["This field may not be blank."]
    }
    assert envelope_errors(api.post("/leads/delete/lead/", data={"slug": "nobody"})) == {
        "slug": ["Requested lead not found."]
    }
    foreign = envelope_errors(api.post("/leads/delete/lead/", data={"slug": "binuser2"}), 401)
    assert foreign == {"non_field_errors": ["You can't delete this lead."]}
    assert assigned_count(api) == 8


# ---- appointments


def appointment(**change: Any) -> dict[str, Any]:
    body = {
        "slug": "lead5",
        "appointment_date": future(200),
        "appointment_to": future(200, 11),
        "appointment_note": "Demo call",
        "appointment_status": "confirmed",
    }
    return {k: v for k, v in {**body, **change}.items() if v is not None}


def test_a_created_appointment_is_listed_and_shown_on_its_lead(api: httpx.Client) -> None:
    created = data(api.post("/leads/create/appointment/", data=appointment()), 201)
    assert created["slug"] == "lead5" and created["appointment_status"] == "confirmed"
    assert created["appointment_date"] == future(200) and created["created_by"] == "demo"
    assert created["id"] in {a["id"] for a in all_pages(api, "/leads/appointments/list/")}
    lead = data(api.get("/leads/view/lead/", params={"slug": "lead5"}))
    assert created["id"] in {a["id"] for a in lead["appointments"]}
    body = appointment(slug="binuser2", appointment_date=future(201), appointment_to=future(201, 11))
    del body["appointment_status"]
    on_assigned = data(api.post("/leads/create/appointment/", json=body), 201)
    assert on_assigned["appointment_status"] == "pending"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"slug": None}, "slug", "This field is required."),
        ({"slug": ""}, "slug", "This field is may not be blank."),
        ({"slug": "nobody"}, "slug", "Requested slug is invalid."),
        ({"slug": "alice1"}, "slug", "You can't take appointment under this lead."),
        ({"appointment_date": None}, "appointment_date", "This field is required."),
        ({"appointment_date": ""}, "appointment_date", "This field is may not be blank."),
        ({"appointment_date": "2030-01-02T10:00"}, "appointment_date", "Invalid date format."),
        ({"appointment_date": "2030-02-30 10:00"}, "appointment_date", "Invalid date format."),
        ({"appointment_to": None}, "appointment_to", "This field is required."),
        ({"appointment_to": "tomorrow"}, "appointment_to", "Invalid date format."),
        ({"appointment_note": "n" * 201}, "appointment_note", "Ensure this field has no more than 200 characters."),
        ({"appointment_status": "done"}, "appointment_status", "Invalid appointment status."),
    ],
)
def test_create_appointment_validates_each_documented_rule_as_bare_drf_errors(
    api: httpx.Client, change: dict[str, str | None], field: str, message: str
) -> None:
    assert drf_errors(api.post("/leads/create/appointment/", data=appointment(**change))) == {field: [message]}


@pytest.mark.parametrize("status", APPOINTMENT_STATUSES)
def test_every_documented_appointment_status_is_accepted(api: httpx.Client, status: str) -> None:
    created = api.post("/leads/create/appointment/", data=appointment(appointment_status=status))
    assert data(created, 201)["appointment_status"] == status


def test_create_appointment_refuses_schedule_problems_with_a_401_detail(api: httpx.Client) -> None:
    past = appointment(appointment_date=future(-1), appointment_to=future(-1, 11))
    assert drf_errors(api.post("/leads/create/appointment/", data=past), 401) == {
        "detail": "Please Specify a date in the future."
    }
    backwards = appointment(appointment_to=future(200, 9))
    assert drf_errors(api.post("/leads/create/appointment/", data=backwards), 401) == {
        "detail": "End Date Can't be prior to Start Date."
    }
    assert api.post("/leads/create/appointment/", data=appointment(appointment_note="n" * 200)).status_code == 201
    clash = appointment(appointment_date=future(200, 10, 30), appointment_to=future(200, 12))
    assert drf_errors(api.post("/leads/create/appointment/", data=clash), 401) == {
        "detail": "Appointment schedule exists for this time."
    }
    assert drf_errors(api.post("/leads/create/appointment/"), 401) == {"detail": "Body data not found."}


def test_an_appointment_at_the_time_of_a_seeded_one_clashes(api: httpx.Client, sandbox: Sandbox) -> None:
    now = sandbox.epixel.now().strftime("%Y-%m-%d %H:%M")
    seeded = next(
        a
        for a in all_pages(api, "/leads/appointments/list/", appointment="upcoming")
        if a["created_by"] == "demo" and a["appointment_status"] != "cancelled" and a["appointment_date"] > now
    )
    body = appointment(appointment_date=seeded["appointment_date"], appointment_to=seeded["appointment_to"])
    assert drf_errors(api.post("/leads/create/appointment/", data=body), 401)["detail"].startswith(
        "Appointment schedule"
    )


def test_an_updated_appointment_shows_its_new_fields(api: httpx.Client) -> None:
    created = data(api.post("/leads/create/appointment/", data=appointment()), 201)
    changes = {"appointment_id": created["id"], "appointment_status": "rescheduled", "appointment_note": "Moved"}
    moved = {**changes, "appointment_date": future(202), "appointment_to": future(202, 10, 45), "slug": "lead6"}
    updated = data(api.post("/leads/update/appointment/", data=moved))
    assert (updated["slug"], updated["appointment_date"], updated["appointment_note"]) == (
        "lead6",
        future(202),
        "Moved",
    )
    listed = {a["id"]: a for a in all_pages(api, "/leads/appointments/list/", slug="lead6")}
    assert listed[created["id"]]["appointment_status"] == "rescheduled"
    cancel = {"appointment_id": created["id"], "appointment_status": "cancelled"}
    only_status = data(api.post("/leads/update/appointment/", json=cancel))
    assert only_status["appointment_status"] == "cancelled" and only_status["appointment_date"] == future(202)


def test_update_appointment_refuses_bad_ids_foreign_appointments_and_backwards_times(api: httpx.Client) -> None:
    cases = [
        ({"appointment_note": "x"}, {"appointment_id": ["This field is required."]}),
        ({"appointment_id": ""}, {"appointment_id": ["This field is may not be blank."]}),
        ({"appointment_id": "abc"}, {"appointment_id": ["Invalid appointment id."]}),
        ({"appointment_id": "999999"}, {"appointment_id": ["Requested appointment not found."]}),
        ({"appointment_id": "1010", "slug": ""}, {"slug": ["This field is may not be blank."]}),
        ({"appointment_id": "1010", "appointment_date": "soon"}, {"appointment_date": ["Invalid date format."]}),
    ]
    for body, errors in cases:
        assert drf_errors(api.post("/leads/update/appointment/", data=body)) == errors, body
    foreign = api.post("/leads/update/appointment/", data={"appointment_id": "1101", "appointment_note": "mine"})
    assert drf_errors(foreign, 401) == {"detail": "You can't update this appointment."}
    appt = data(api.post("/leads/create/appointment/", data=appointment()), 201)
    backwards = api.post(
        "/leads/update/appointment/", data={"appointment_id": appt["id"], "appointment_to": future(199)}
    )
    assert drf_errors(backwards, 401) == {"detail": "End Date Can't be prior to Start Date."}
    assert drf_errors(api.post("/leads/update/appointment/"), 401) == {"detail": "Body data not found."}


def test_a_deleted_appointment_is_gone_and_foreign_ones_cannot_be_deleted(api: httpx.Client) -> None:
    assert data(api.post("/leads/delete/appointment/", data={"appointment_id": "1010"}))["appointment_id"] == 1010
    assert 1010 not in {a["id"] for a in all_pages(api, "/leads/appointments/list/")}
    assert drf_errors(api.post("/leads/delete/appointment/", data={"appointment_id": "1010"})) == {
        "appointment_id": ["Requested appointment not found."]
    }
    assert drf_errors(api.post("/leads/delete/appointment/", data={"appointment_id": "1101"}), 401) == {
        "detail": "You can't delete this appointment."
    }
    assert drf_errors(api.post("/leads/delete/appointment/", data={"appointment_id": "x"})) == {
        "appointment_id": ["Invalid appointment id."]
    }


# ---- lead notes


def test_a_created_note_appears_on_its_lead_and_a_deleted_one_disappears(api: httpx.Client) -> None:
    note = data(api.post("/leads/create/leadnote/", data={"slug": "binuser4", "note": "n" * 499}), 201)
    assert note["slug"] == "binuser4" and note["created_by"] == "demo"
    notes = data(api.get("/leads/view/lead/", params={"slug": "binuser4"}))["notes"]
    assert [n["id"] for n in notes] == [note["id"]]
    assert data(api.post("/leads/delete/leadnote/", json={"note_id": note["id"]}))["note_id"] == note["id"]
    assert data(api.get("/leads/view/lead/", params={"slug": "binuser4"}))["notes"] == []
    assert 5001 in {n["id"] for n in data(api.get("/leads/view/lead/", params={"slug": "lead1"}))["notes"]}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"note": "hi"}, {"slug": ["This field is required."]}),
        ({"slug": "", "note": "hi"}, {"slug": ["This field may not be blank."]}),
        ({"slug": "nobody", "note": "hi"}, {"slug": ["Requested lead not found."]}),
        ({"slug": "lead3"}, {"note": ["This field is required."]}),
        ({"slug": "lead3", "note": " "}, {"note": ["This field may not be blank."]}),
        ({"slug": "lead3", "note": "n" * 500}, {"note": ["Ensure this field has no more than 499 characters."]}),
    ],
)
def test_create_note_validates_each_documented_rule_as_bare_drf_errors(
    api: httpx.Client, body: dict[str, str], errors: dict[str, list[str]]
) -> None:
    assert drf_errors(api.post("/leads/create/leadnote/", data=body)) == errors


def test_notes_cannot_be_added_to_foreign_or_deleted_leads(api: httpx.Client) -> None:
    foreign = api.post("/leads/create/leadnote/", data={"slug": "alice1", "note": "hi"})
    assert drf_errors(foreign, 401) == {"detail": "You can't add note on this lead."}
    data(api.post("/leads/delete/lead/", data={"slug": "lead3"}))
    deleted = api.post("/leads/create/leadnote/", data={"slug": "lead3", "note": "hi"})
    assert drf_errors(deleted) == {"slug": ["Requested lead already has a deleted status."]}


def test_delete_note_refuses_bad_unknown_and_foreign_notes(api: httpx.Client) -> None:
    assert drf_errors(api.post("/leads/delete/leadnote/", data={})) == {"note_id": ["This field is required."]}
    assert drf_errors(api.post("/leads/delete/leadnote/", data={"note_id": "n1"})) == {"note_id": ["Invalid note id."]}
    assert drf_errors(api.post("/leads/delete/leadnote/", data={"note_id": "7"})) == {
        "note_id": ["Requested note not found."]
    }
    assert drf_errors(api.post("/leads/delete/leadnote/", data={"note_id": "5101"}), 401) == {
        "detail": "You can't delete this note."
    }


# ---- plumbing


def test_an_injected_fault_is_answered_with_the_envelope_once_then_the_list_works(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    sandbox.config.add_fault("GET /epixel/api/v1/leads/list/", Fault("status", status=500, count=1))
    failed = api.get("/leads/list/")
    assert failed.status_code == 500
    assert failed.json() == {"status_code": 500, "errors": {"non_field_errors": ["Injected sandbox fault"]}, "data": {}}
    assert api.get("/leads/list/").status_code == 200
    assert len(sandbox.env.handled("GET", "/epixel/api/v1/leads/list/")) == 1


def test_an_injected_throttle_is_drfs_429_with_retry_after(sandbox: Sandbox, api: httpx.Client) -> None:
    sandbox.config.add_fault(f"POST /epixel/api/v1{CREATE_LEAD}", Fault("rate_limit", count=1))
    throttled = api.post(CREATE_LEAD, data=NEW_LEAD)
    assert throttled.status_code == 429 and throttled.headers["retry-after"] == "60"
    assert throttled.json() == {"detail": "Request was throttled. Expected available in 60 seconds."}
    assert owned_count(api) == 64


def test_unknown_paths_and_wrong_methods_answer_drf_details(api: httpx.Client) -> None:
    assert api.get("/leads/nothing/").json() == {"detail": "Not found."}
    wrong = api.get(CREATE_LEAD)
    assert wrong.status_code == 405 and wrong.json() == {"detail": 'Method "GET" not allowed.'}


def test_reset_reseeds_the_same_leads_and_forgets_writes_and_another_seed_changes_them(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    def leads() -> list[tuple[str, str, str, str]]:
        return [(x["slug"], x["first_name"], x["email"], x["status"]) for x in all_pages(api, "/leads/list/")]

    before = leads()
    data(api.post("/leads/delete/lead/", data={"slug": "lead9"}))
    sandbox.epixel.reset()
    api.headers["Authorization"] = f"Bearer {login(api)['access']}"  # reset forgets tokens too
    assert leads() == before
    sandbox.config.seed = 8
    sandbox.epixel.reset()
    api.headers["Authorization"] = f"Bearer {login(api)['access']}"
    other = leads()
    assert [x[0] for x in other] == [x[0] for x in before] and other != before


# ---- profiles


def test_create_lead_is_served_at_one_path_per_profile_and_refresh_only_on_the_current_one(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    cases: tuple[tuple[Profile, str, str], ...] = (
        ("current", "/leads/create/lead/", "/v1/leads/create/lead/"),
        ("documented", "/v1/leads/create/lead/", "/leads/create/lead/"),
    )
    for profile, served, missing in cases:
        sandbox.config.profile = profile
        assert api.post(missing, data=NEW_LEAD).json() == {"detail": "Not found."}
        assert data(api.post(served, data={**NEW_LEAD, "email": f"{profile}@example.com"}), 201)["slug"]
    refresh = api.post("/user/token/refresh/", data={"refresh": login(api)["refresh"]})
    assert refresh.status_code == 404


def test_the_documented_profile_lists_ignore_every_parameter_and_answer_one_bare_list(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    sandbox.config.profile = "documented"
    visible = {x.slug for x in sandbox.epixel.store.owned()} | {x.slug for x in sandbox.epixel.store.assigned()}
    params = {"status": "customer", "list_type": "assigned", "limit": 2, "offset": 5}
    leads = data(api.get("/leads/list/", params=params))
    assert is_array(leads) and {x["slug"] for x in leads} == visible
    appointment_params = {"appointment": "today", "appointment_status": "late", "slug": "lead1", "limit": 1}
    appointments = data(api.get("/leads/appointments/list/", params=appointment_params))
    assert [a["id"] for a in appointments] == [a.id for a in sandbox.epixel.store.user_appointments()]


def test_the_documented_profile_judges_the_future_on_a_wall_clock_five_hours_behind_utc(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    sandbox.config.profile = "documented"
    utc = datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)
    ahead_there = (utc - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    past_there = (utc - timedelta(hours=6)).strftime("%Y-%m-%d %H:%M")
    created = api.post(
        "/leads/create/appointment/", data=appointment(appointment_date=ahead_there, appointment_to=ahead_there)
    )
    assert created.status_code == 201, created.text
    refused = api.post(
        "/leads/create/appointment/", data=appointment(appointment_date=past_there, appointment_to=past_there)
    )
    assert drf_errors(refused, 401) == {"detail": "Please Specify a date in the future."}

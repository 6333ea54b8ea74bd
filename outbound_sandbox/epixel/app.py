"""Epixel Leads & CRM simulator (Django REST framework style), mounted at ``/epixel/api/v1``.

Decisions where the vendor doc is silent (the provider client relies on them):

* Auth: ``POST user/login/`` (``username``, ``password``) and ``POST user/token/refresh/`` (``refresh``,
  simplejwt convention) answer bare ``{"refresh", "access"}`` / ``{"access"}``. Every request, login
  included, needs the ``apikey`` header; the others need ``Authorization: Bearer <access>``. Auth
  failures are bare DRF 401s: ``{"detail": "..."}`` (plus simplejwt's ``code``/``messages`` for a bad token).
* Success: the envelope ``{"status_code", "errors": {}, "data"}`` (creates answer 201).
* Errors in two shapes, HTTP status = ``status_code``:
  - lead endpoints (overview, list, appointments list, view, create/update/delete lead) use the envelope:
    ``{"status_code": 400, "errors": {"field": ["msg"]}, "data": {}}``; a "Request Failed" (401) puts
    its message in ``errors.non_field_errors``;
  - appointment writes and lead notes answer bare DRF: ``{"field": ["msg"]}`` or ``{"detail": "msg"}``.
* Injected faults answer the envelope with ``non_field_errors``; a throttle is DRF's 429 with ``Retry-After``.
* Lists are DRF limit/offset pages (default limit 20, at most 100), leads newest first, appointments by
  start time. Deleted leads (soft delete) vanish from every read, with their appointments and notes.
* Times are wall-clock ``YYYY-MM-DD HH:MM`` in the server's zone: UTC on the current profile.

The ``documented`` profile keeps only what the vendor's document says and, where it is silent, does the least
helpful thing a real server could: create lead only at the documented ``v1/leads/create/lead/``; no refresh
endpoint; the two lists ignore every query parameter (``list_type``, ``status``, ``appointment``,
``appointment_status``, ``slug``, ``limit``, ``offset``) and answer one bare list of everything the user can see
(owned and assigned leads together); the server's wall clock runs at UTC-05:00 (``SERVER_ZONE``).
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from outbound_sandbox import config as cfg
from outbound_sandbox.epixel.data import (
    APPOINTMENT_STATUSES,
    LEAD_SOURCES,
    LEAD_STATUSES,
    OVERVIEW_FILTERS,
    USER,
    USERS,
    Appointment,
    EpixelStore,
    Lead,
    Note,
    in_filter,
    now_utc,
    seed_store,
)
from outbound_sandbox.epixel.http import (
    BLANK_APPT,
    EMAIL,
    PHONE,
    Call,
    Checker,
    Refusal,
    Style,
    detail,
    envelope,
    jwt,
    paginate,
    parse_call,
)
from outbound_sandbox.kit import SandboxEnv

REFRESH_LIFETIME = 86400.0
THROTTLE_WAIT = 60.0
_ALL = ["GET", "POST", "PUT", "PATCH", "DELETE"]
BAD_TOKEN = {"token_class": "AccessToken", "token_type": "access", "message": "Token is invalid or expired"}
Endpoint = Callable[[Request], Awaitable[Response]]
# The documented profile's server clock: a zone behind UTC, so a client judging "the future" in UTC shows.
SERVER_ZONE = timedelta(hours=-5)
# Paths each profile lacks: the current pages put create lead beside the other lead writes.
CURRENT_ONLY = frozenset({"/leads/create/lead/", "/user/token/refresh/"})
DOCUMENTED_ONLY = frozenset({"/v1/leads/create/lead/"})


class EpixelSandbox:
    prefix = cfg.EPIXEL_PREFIX

    def __init__(self, env: SandboxEnv) -> None:
        self.env = env
        self._secret = b"epixel-sandbox-signing-key"
        self.reset()

    def reset(self) -> None:
        self.store: EpixelStore = seed_store(self.env.config.seed)
        self.tokens: dict[str, tuple[str, str, float]] = {}  # token -> (kind, user, issued at)

    @property
    def documented(self) -> bool:
        # The recorded profile is the documented one plus the shapes real servers were recorded giving.
        return self.env.config.profile in ("documented", "recorded")

    @property
    def recorded(self) -> bool:
        """The shapes public clients recorded from the real servers (docs/upstream-assumptions*.md)."""
        return self.env.config.profile == "recorded"

    def now(self) -> datetime:
        """The server's wall clock (the zone its ``YYYY-MM-DD HH:MM`` times are in)."""
        return now_utc() + SERVER_ZONE if self.documented else now_utc()

    def _served(self, path: str) -> bool:
        return path not in (CURRENT_ONLY if self.documented else DOCUMENTED_ONLY)

    # ---- Vendor protocol
    def error_response(self, status: int, message: str) -> Response:
        return envelope({}, status, {"non_field_errors": [message]})

    def rate_limited_response(self, request: Request) -> Response:
        wait = max(1, math.ceil(self.env.config.real_seconds(THROTTLE_WAIT)))
        unit = "second" if wait == 1 else "seconds"
        return JSONResponse(
            {"detail": f"Request was throttled. Expected available in {wait} {unit}."},
            status_code=429,
            headers={"Retry-After": str(wait)},
        )

    def routes(self) -> list[BaseRoute]:
        e, d = "envelope", "drf"
        table: list[tuple[str, str, Callable[[Call], Response], Style]] = [
            ("/leads/overview/", "GET", self.overview, e),
            ("/leads/list/", "GET", self.list_leads, e),
            ("/leads/appointments/list/", "GET", self.list_appointments, e),
            ("/leads/view/lead/", "GET", self.view_lead, e),
            ("/leads/create/lead/", "POST", self.create_lead, e),
            ("/v1/leads/create/lead/", "POST", self.create_lead, e),
            ("/leads/update/lead/", "POST", self.update_lead, e),
            ("/leads/delete/lead/", "POST", self.delete_lead, e),
            ("/leads/create/appointment/", "POST", self.create_appointment, d),
            ("/leads/update/appointment/", "POST", self.update_appointment, d),
            ("/leads/delete/appointment/", "POST", self.delete_appointment, d),
            ("/leads/create/leadnote/", "POST", self.create_note, d),
            ("/leads/delete/leadnote/", "POST", self.delete_note, d),
        ]
        routes: list[BaseRoute] = [
            Route("/user/login/", self._open("/user/login/", self.login), methods=["POST"]),
            Route("/user/token/refresh/", self._open("/user/token/refresh/", self.refresh), methods=["POST"]),
        ]
        routes += [
            Route(path, self._endpoint(path, method, fn, style), methods=_ALL) for path, method, fn, style in table
        ]
        routes.append(Route("/{rest:path}", self._not_found, methods=_ALL))
        return routes

    async def _not_found(self, request: Request) -> Response:
        return detail(404, "Not found.")

    # ---- auth
    def _issue(self, kind: str, user: str) -> str:
        now = self.env.now()
        lifetime = self.env.config.token_lifetime if kind == "access" else REFRESH_LIFETIME
        payload = {
            "token_type": kind,
            "exp": int(now + self.env.config.real_seconds(lifetime)),
            "iat": int(now),
            "jti": secrets.token_hex(16),
            "user_id": USERS.index(user) + 1,
        }
        token = jwt(self._secret, payload)
        self.tokens[token] = (kind, user, now)
        return token

    def _token_user(self, token: str, kind: str) -> str | None:
        issued = self.tokens.get(token)
        if issued is None or issued[0] != kind:
            return None
        lifetime = self.env.config.token_lifetime
        if kind == "refresh":
            lifetime = max(REFRESH_LIFETIME, lifetime)
        return None if self.env.expired(issued[2], lifetime) else issued[1]

    def _apikey_refusal(self, request: Request) -> Response | None:
        key = request.headers.get("apikey")
        if not key:
            return detail(401, "API key is required.")
        if key != cfg.EPIXEL_API_KEY:
            return detail(401, "Invalid API key.")
        return None

    def _auth_refusal(self, request: Request) -> Response | None:
        refused = self._apikey_refusal(request)
        if refused is not None:
            return refused
        header = request.headers.get("authorization", "")
        if not header.strip():
            return detail(401, "Authentication credentials were not provided.")
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            message = "Authorization header must contain two space-delimited values"
            return detail(401, message, code="bad_authorization_header")
        if self._token_user(token.strip(), "access") is None:
            message = "Given token not valid for any token type"
            return detail(401, message, code="token_not_valid", messages=[BAD_TOKEN])
        return None

    def _open(self, path: str, handler: Callable[[Call], Response]) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            if not self._served(path):
                return detail(404, "Not found.")
            refused = self._apikey_refusal(request)
            if refused is not None:
                return refused
            try:
                return handler(await parse_call(request))
            except Refusal as refusal:
                return JSONResponse(refusal.fields or {"detail": refusal.detail}, status_code=refusal.status)

        return endpoint

    def _endpoint(self, path: str, method: str, handler: Callable[[Call], Response], style: Style) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            if not self._served(path):
                return detail(404, "Not found.")
            refused = self._auth_refusal(request)
            if refused is not None:
                return refused
            if request.method != method:
                return detail(405, f'Method "{request.method}" not allowed.')
            try:
                return handler(await parse_call(request))
            except Refusal as refusal:
                if style == "drf":
                    return JSONResponse(refusal.fields or {"detail": refusal.detail}, status_code=refusal.status)
                errors = refusal.fields or {"non_field_errors": [refusal.detail]}
                return envelope({}, refusal.status, errors)

        return endpoint

    def login(self, call: Call) -> Response:
        check = Checker(call)
        username = check.text("username", required=True)
        password = check.text("password", required=True)
        check.done()
        if username != cfg.EPIXEL_USERNAME or password != cfg.EPIXEL_PASSWORD:
            return detail(401, "No active account found with the given credentials")
        return JSONResponse({"refresh": self._issue("refresh", USER), "access": self._issue("access", USER)})

    def refresh(self, call: Call) -> Response:
        check = Checker(call)
        token = check.text("refresh", required=True)
        check.done()
        user = self._token_user(token or "", "refresh")
        if user is None:
            return detail(401, "Token is invalid or expired", code="token_not_valid")
        return JSONResponse({"access": self._issue("access", user)})

    # ---- reads
    def overview(self, call: Call) -> Response:
        check = Checker(call)
        name = check.choice("appointment", OVERVIEW_FILTERS, "Invalid appointment filter value.") or "upcoming"
        check.done()
        owned, now = self.store.owned(), self.now()
        appts = [a for a in self.store.user_appointments() if in_filter(a.start, name, now)]
        return envelope(
            {
                "total_leads": len(owned),
                "assigned_leads": len(self.store.assigned()),
                "lead_status": {s: sum(1 for x in owned if x.status == s) for s in LEAD_STATUSES},
                "appointment_filter": name,
                "appointment_count": len(appts),
                "appointment_status": {s: sum(1 for a in appts if a.status == s) for s in APPOINTMENT_STATUSES},
                "appointments": [a.to_json() for a in appts[:10]],
            }
        )

    def list_leads(self, call: Call) -> Response:
        if self.documented:  # the document names no parameter: everything visible, in one bare list
            leads = [x for x in self.store.leads.values() if self.store.visible(x)]
            leads.sort(key=lambda x: (x.created_at, x.id), reverse=True)
            return envelope([x.summary() for x in leads])
        check = Checker(call)
        list_type = check.choice("list_type", ("owned", "assigned"), "Invalid list type.") or "owned"
        status = check.choice("status", LEAD_STATUSES)
        source = check.choice("source", LEAD_SOURCES)
        check.done()
        leads = self.store.assigned() if list_type == "assigned" else self.store.owned()
        search = (call.get("search") or "").strip().lower()
        leads = [
            x
            for x in leads
            if (status is None or x.status == status)
            and (source is None or x.source == source)
            and (not search or search in f"{x.first_name} {x.last_name} {x.email}".lower())
        ]
        leads.sort(key=lambda x: (x.created_at, x.id), reverse=True)
        return envelope(paginate(call, [x.summary() for x in leads]))

    def list_appointments(self, call: Call) -> Response:
        if self.documented:
            return envelope([a.to_json() for a in self.store.user_appointments()])
        check = Checker(call)
        name = check.choice("appointment", OVERVIEW_FILTERS, "Invalid appointment filter value.")
        status = check.choice("appointment_status", APPOINTMENT_STATUSES, "Invalid appointment status.")
        slug = check.text("slug")
        if slug and not self._visible(slug):
            check.add("slug", "Requested slug is invalid.")
        check.done()
        now = self.now()
        appts = [
            a
            for a in self.store.user_appointments()
            if (name is None or in_filter(a.start, name, now))
            and (status is None or a.status == status)
            and (not slug or a.lead.slug == slug)
        ]
        return envelope(paginate(call, [a.to_json() for a in appts]))

    def _visible(self, slug: str) -> Lead | None:
        lead = self.store.lead(slug)
        return lead if lead is not None and self.store.visible(lead) else None

    def view_lead(self, call: Call) -> Response:
        slug = (call.get("slug") or "").strip()
        if not slug:
            raise Refusal(400, {"slug": ["This field is required and this may not be blank."]})
        lead = self._visible(slug)
        if lead is None:
            raise Refusal(400, {"slug": ["Requested slug is invalid."]})
        return envelope(self.store.lead_detail(lead))

    # ---- leads
    def _lead_fields(self, check: Checker) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in ("first_name", "last_name", "email"):
            out[name] = check.text(name, required=True, max_len=255)
        if out["email"] is not None and not EMAIL.match(out["email"]):
            check.add("email", "Invalid email.")
        phone = check.text("phone", required=True)
        # The document's message is that of the common validator (9 to 15 digits, optional +).
        if phone is not None and not re.fullmatch(r"\+?[0-9]{9,15}", phone):
            check.add("phone", PHONE)
        out["phone"] = phone
        for name in ("location", "message"):
            out[name] = check.text(name, allow_blank=True, max_len=255)
        out["status"] = check.choice("status", LEAD_STATUSES)
        out["source"] = check.choice("source", LEAD_SOURCES)
        assignee = check.text("assignee")
        if assignee is not None and assignee not in USERS:
            check.add("assignee", "Assignee not found.")
        out["assignee"] = assignee
        return {k: v for k, v in out.items() if v is not None}

    def create_lead(self, call: Call) -> Response:
        check = Checker(call)
        values = self._lead_fields(check)
        check.done()
        now = now_utc()
        slug = self.store.new_slug(values["first_name"], values["last_name"])
        lead = Lead(
            id=self.store.next_lead,
            slug=slug,
            first_name=values["first_name"],
            last_name=values["last_name"],
            email=values["email"],
            phone=values["phone"],
            status=values.get("status", "prospect"),
            source=values.get("source", "other"),
            location=values.get("location", ""),
            message=values.get("message", ""),
            owner=USER,
            assignee=values.get("assignee"),
            created_at=now,
            updated_at=now,
        )
        self.store.leads[slug] = lead
        if self.recorded:  # the document gives no success body; real servers answered only a message
            return envelope("Lead created successfully.", 201)
        return envelope(self.store.lead_detail(lead), 201)

    def update_lead(self, call: Call) -> Response:
        check = Checker(call)
        slug = check.text("slug", required=True, max_len=258)
        values = self._lead_fields(check)
        check.done()
        lead = self.store.lead(slug or "")
        if lead is None or lead.deleted:
            raise Refusal(401, detail="Requested lead does not esixt.")
        if lead.owner != USER:
            raise Refusal(401, detail="You are not owner of this lead.")
        for name, value in values.items():
            setattr(lead, name, value)
        lead.updated_at = now_utc()
        return envelope(self.store.lead_detail(lead))

    def delete_lead(self, call: Call) -> Response:
        check = Checker(call)
        lead = self._live_lead(check)
        check.done()
        assert lead is not None
        if lead.owner != USER:
            raise Refusal(401, detail="You can't delete this lead.")
        lead.deleted = True
        lead.updated_at = now_utc()
        return envelope({"slug": lead.slug, "message": "Lead deleted successfully."})

    def _live_lead(self, check: Checker) -> Lead | None:
        """The lead named by ``slug`` (delete lead, create note): it must exist and not be deleted."""
        slug = check.text("slug", required=True)
        lead = self.store.lead(slug) if slug else None
        if slug and lead is None:
            check.add("slug", "Requested lead not found.")
        elif lead is not None and lead.deleted:
            check.add("slug", "Requested lead already has a deleted status.")
        return lead

    # ---- appointments
    def _appointment_fields(self, check: Checker, *, create: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        slug = check.text("slug", required=create)
        if slug is not None:
            lead = self.store.lead(slug)
            if lead is None:
                check.add("slug", "Requested slug is invalid.")
            elif not self.store.visible(lead):
                check.add("slug", "You can't take appointment under this lead.")
            else:
                out["lead"] = lead
        out["start"] = check.date("appointment_date", required=create)
        out["end"] = check.date("appointment_to", required=create)
        out["note"] = check.text("appointment_note", allow_blank=True, max_len=200)
        out["status"] = check.choice("appointment_status", APPOINTMENT_STATUSES, "Invalid appointment status.")
        return {k: v for k, v in out.items() if v is not None}

    def _schedule_checks(self, start: datetime, end: datetime, *, future: bool, exclude: int | None = None) -> None:
        if end < start:
            raise Refusal(401, detail="End Date Can't be prior to Start Date.")
        if future and start <= self.now():
            raise Refusal(401, detail="Please Specify a date in the future.")
        if self.store.clash(USER, start, end, exclude):
            raise Refusal(401, detail="Appointment schedule exists for this time.")

    def create_appointment(self, call: Call) -> Response:
        if not call.has_body:
            raise Refusal(401, detail="Body data not found.")
        check = Checker(call, BLANK_APPT)
        values = self._appointment_fields(check, create=True)
        check.done()
        self._schedule_checks(values["start"], values["end"], future=True)
        now = now_utc()
        appt = Appointment(
            id=self.store.new_appointment_id(),
            lead=values["lead"],
            start=values["start"],
            end=values["end"],
            note=values.get("note", ""),
            status=values.get("status", "pending"),
            created_by=USER,
            created_at=now,
        )
        self.store.appointments[appt.id] = appt
        if self.recorded:
            return envelope({"message": "Appointment created successfully."}, 201)
        return envelope(appt.to_json(), 201)

    def _appointment(self, check: Checker) -> Appointment | None:
        appt_id = check.number("appointment_id", "Invalid appointment id.")
        if appt_id is None:
            return None
        appt = self.store.appointments.get(appt_id)
        if appt is None or appt.lead.deleted:
            check.add("appointment_id", "Requested appointment not found.")
            return None
        return appt

    def update_appointment(self, call: Call) -> Response:
        if not call.has_body:
            raise Refusal(401, detail="Body data not found.")
        check = Checker(call, BLANK_APPT)
        appt = self._appointment(check)
        values = self._appointment_fields(check, create=False)
        check.done()
        assert appt is not None
        if appt.created_by != USER:
            raise Refusal(401, detail="You can't update this appointment.")
        start, end = values.get("start", appt.start), values.get("end", appt.end)
        status = values.get("status", appt.status)
        if end < start:
            raise Refusal(401, detail="End Date Can't be prior to Start Date.")
        if ("start" in values or "end" in values) and status != "cancelled":
            self._schedule_checks(start, end, future="start" in values, exclude=appt.id)
        appt.lead = values.get("lead", appt.lead)
        appt.start, appt.end, appt.status = start, end, status
        appt.note = values.get("note", appt.note)
        return envelope(appt.to_json())

    def delete_appointment(self, call: Call) -> Response:
        check = Checker(call, BLANK_APPT)
        appt = self._appointment(check)
        check.done()
        assert appt is not None
        if appt.created_by != USER:
            raise Refusal(401, detail="You can't delete this appointment.")
        del self.store.appointments[appt.id]
        return envelope({"appointment_id": appt.id, "message": "Appointment deleted successfully."})

    # ---- lead notes
    def create_note(self, call: Call) -> Response:
        check = Checker(call)
        lead = self._live_lead(check)
        text = check.text("note", required=True, max_len=499)
        check.done()
        assert lead is not None and text is not None
        if not self.store.visible(lead):
            raise Refusal(401, detail="You can't add note on this lead.")
        note = Note(self.store.new_note_id(), lead, text, USER, now_utc())
        self.store.notes[note.id] = note
        if self.recorded:
            return envelope("Note added successfully.", 201)
        return envelope(note.to_json(), 201)

    def delete_note(self, call: Call) -> Response:
        check = Checker(call)
        note_id = check.number("note_id", "Invalid note id.")
        note = self.store.notes.get(note_id) if note_id is not None else None
        if note_id is not None and (note is None or note.lead.deleted):
            check.add("note_id", "Requested note not found.")
        check.done()
        assert note is not None
        if note.created_by != USER:
            raise Refusal(401, detail="You can't delete this note.")
        del self.store.notes[note.id]
        return envelope({"note_id": note.id, "message": "Note deleted successfully."})

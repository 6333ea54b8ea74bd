"""The PersistIQ simulator: the doc's endpoints under /persistiq, with its auth, limits, paging and errors.

The ``documented`` profile does, where the document is silent, the least helpful thing a real server could: a
duplicate skipped under ``dup=skip`` is left out of both ``leads`` and ``errors``; ``null`` in an update's
``data`` is ignored (the document clears with ``""``); removing a lead from a campaign answers 200 with no body.
"""

from __future__ import annotations

import json
import pickle
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from outbound_sandbox import config as cfg
from outbound_sandbox.guards import is_array, is_object
from outbound_sandbox.kit import SandboxEnv
from outbound_sandbox.persistiq.data import (
    BUILTIN_FIELDS,
    CUSTOM_FIELDS,
    EVENT_GROUPS,
    Campaign,
    Event,
    Lead,
    World,
    seed,
)

T = TypeVar("T")
SEEDED: dict[int, bytes] = {}
"""Each seed's world, pickled: a test suite resets the sandbox before every test, and unpickling is a third
of the cost of seeding again (the copy has the same random state, so it goes on exactly as a fresh seed)."""


def seeded(seed_value: int) -> World:
    if seed_value not in SEEDED:
        SEEDED[seed_value] = pickle.dumps(seed(seed_value))
    world: World = pickle.loads(SEEDED[seed_value])
    return world


Handler = Callable[[Request], Awaitable[Response]]

RATE_LIMIT = 100
PAGE_SIZE = 100
VENDOR_ORIGIN = "https://api.persistiq.com"
"""Where real answers point next_page (recorded profile), whatever base URL the request came to."""
EVENTS_PAGE_SIZE = 500
CREATE_BATCH = 10
CAMPAIGN_BATCH = 100
LEAD_FIELDS = frozenset(BUILTIN_FIELDS + CUSTOM_FIELDS)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
REASONS = {400: "bad_params", 401: "unauthorized", 404: "not_found"}
TRUE = (True, "true", "1", 1)


class Refusal(Exception):
    """A 4xx answer in PersistIQ's error body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def error_body(status: int, message: str) -> dict[str, Any]:
    reason = REASONS.get(status) or ("api_error" if status >= 500 else "invalid_request_error")
    return {"status": "error", "error": {"reason": reason, "message": message}}


def batch_error(message: str, **record: Any) -> dict[str, Any]:
    return {"reason": "invalid_request", "message": message, **record}


def parse_time(value: str | None, name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        # An unencoded "+02:00" arrives as " 02:00".
        moment = datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError:
        raise Refusal(400, f"{name} is not a valid ISO 8601 time") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def clean_data(raw: dict[str, Any], *, null_clears: bool = True) -> dict[str, Any]:
    """Known lead fields only; blanks become null, as the doc's update example shows."""
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in LEAD_FIELDS or (value is None and not null_clears):
            continue
        text = value.strip() if isinstance(value, str) else value
        out[name] = None if text in ("", None) else str(text)
    return out


class PersistIQSandbox:
    prefix = cfg.PERSISTIQ_PREFIX

    def __init__(self, env: SandboxEnv) -> None:
        self.env = env
        self.reset()

    @property
    def documented(self) -> bool:
        # The recorded profile is the documented one plus the shapes real servers were recorded giving.
        return self.env.config.profile in ("documented", "recorded")

    @property
    def recorded(self) -> bool:
        """The shapes public clients recorded from the real servers (docs/upstream-assumptions*.md)."""
        return self.env.config.profile == "recorded"

    def reset(self) -> None:
        self.world: World = seeded(self.env.config.seed)
        self.limiter = self.env.limiter(RATE_LIMIT)

    def routes(self) -> list[BaseRoute]:
        e = self._endpoint
        return [
            Route("/v1/users", e(self.list_users), methods=["GET"]),
            Route("/v1/leads", e(self.list_leads), methods=["GET"]),
            Route("/v1/leads", e(self.create_leads), methods=["POST"]),
            Route("/v1/leads/{lead_id}", e(self.get_lead), methods=["GET"]),
            Route("/v1/leads/{lead_id}", e(self.update_lead), methods=["PUT", "PATCH"]),
            Route("/v1/lead_statuses", e(self.list_statuses), methods=["GET"]),
            Route("/v1/lead_fields", e(self.list_fields), methods=["GET"]),
            Route("/v1/campaigns", e(self.list_campaigns), methods=["GET"]),
            Route("/v1/campaigns/{campaign_id}/leads", e(self.add_to_campaign), methods=["POST"]),
            Route("/v1/campaigns/{campaign_id}/leads/{lead_id}", e(self.remove_from_campaign), methods=["DELETE"]),
            Route("/v1/events", e(self.list_events), methods=["GET"]),
            Route("/v1/dnc_domains", e(self.list_dnc), methods=["GET"]),
            Route("/v1/dnc_domains", e(self.create_dnc), methods=["POST"]),
            Route("/{path:path}", e(self.not_found), methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        ]

    # Vendor protocol

    def error_response(self, status: int, message: str) -> Response:
        body = error_body(status, message)
        if self.recorded:  # the Singer tap reads "error" as a list of {reason, message} (tap-persistiq client.py)
            body["error"] = [body["error"]]
        return JSONResponse(body, status_code=status)

    def rate_limited_response(self, request: Request) -> Response:
        window = self.limiter.windows.get(request.headers.get("x-api-key", ""))
        reset = window.start + self.limiter.window if window else self.env.now() + self.limiter.window
        stamp = self.limiter.reset_header(reset)
        message = f"You performed more than {RATE_LIMIT} requests per minute. Limit will be reseted at {stamp}."
        body = {"error": {"reason": "too_many_requests", "message": message}}
        return JSONResponse(body, status_code=429, headers=self._rate_headers(0, reset))

    # Plumbing

    def _rate_headers(self, remaining: int, reset: float) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(RATE_LIMIT),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": self.limiter.reset_header(reset),
        }

    def _endpoint(self, handler: Handler) -> Handler:
        """Rate limit (per presented key, so even a 401 carries the headers), auth, vendor error bodies."""

        async def endpoint(request: Request) -> Response:
            key = request.headers.get("x-api-key", "")
            allowed, remaining, reset = self.limiter.hit(key)
            if not allowed:
                return self.rate_limited_response(request)
            if key != cfg.PERSISTIQ_API_KEY:
                response = self.error_response(401, "Your API key is wrong or missing")
            else:
                try:
                    response = await handler(request)
                except Refusal as refusal:
                    response = self.error_response(refusal.status, refusal.message)
            response.headers.update(self._rate_headers(remaining, reset))
            return response

        return endpoint

    @staticmethod
    async def _json(request: Request) -> dict[str, Any]:
        # The doc's curl examples send JSON without a content type, so the body is read as JSON regardless.
        raw = await request.body()
        if not raw.strip():
            return {}
        try:
            body: object = json.loads(raw)
        except ValueError:
            raise Refusal(400, "Request body is not valid JSON") from None
        if not is_object(body):
            raise Refusal(400, "Request body must be a JSON object")
        return body

    def _paged(self, request: Request, key: str, items: Iterable[T], render: Callable[[T], Any], size: int) -> Response:
        """One page of ``items``; ``next_page`` is this request's own URL with every filter and the next page
        (recorded profile: on the vendor's own origin, as real answers and the document's examples write it)."""
        raw = request.query_params.get("page", "1")
        if not raw.isdigit() or int(raw) < 1:
            raise Refusal(400, "page must be a positive integer")
        page = int(raw)
        chunk = list(islice(items, (page - 1) * size, page * size + 1))
        has_more = len(chunk) > size
        next_page = str(request.url.include_query_params(page=page + 1)) if has_more else None
        if next_page and self.recorded:
            own = request.url.include_query_params(page=page + 1)
            next_page = f"{VENDOR_ORIGIN}{own.path[own.path.index('/v1/') :]}?{own.query}"
        body: dict[str, Any] = {"status": "success", "errors": [], "has_more": has_more, "next_page": next_page}
        return JSONResponse(body | {key: [render(item) for item in chunk[:size]]})

    def _lead(self, lead_id: str) -> Lead:
        lead = self.world.leads.get(lead_id)
        if lead is None:
            raise Refusal(404, f"Lead {lead_id} not found")
        return lead

    def _campaign(self, campaign_id: str) -> Campaign:
        campaign = self.world.campaigns.get(campaign_id)
        if campaign is None:
            raise Refusal(404, f"Campaign {campaign_id} not found")
        return campaign

    def _creator(self, creator_id: Any) -> str:
        world = self.world
        if creator_id is None:
            return next(u.id for u in world.users if u.activated)
        if not any(u.id == creator_id for u in world.users):
            raise Refusal(400, f"Creator {creator_id} not found")
        return str(creator_id)

    # Users, statuses, fields

    async def list_users(self, request: Request) -> Response:
        if self.recorded:  # real answers page users like the other lists (has_more, next_page)
            return self._paged(request, "users", self.world.users, lambda u: u.render(), PAGE_SIZE)
        return JSONResponse({"status": "success", "errors": [], "users": [u.render() for u in self.world.users]})

    async def list_statuses(self, request: Request) -> Response:
        statuses = [{"id": sid, "name": name} for sid, name in self.world.statuses.items()]
        return JSONResponse({"status": "success", "errors": [], "lead_statuses": statuses})

    async def list_fields(self, request: Request) -> Response:
        return JSONResponse({"status": "success", "errors": [], "lead_fields": list(self.world.fields)})

    async def not_found(self, request: Request) -> Response:
        raise Refusal(404, f"No route matches {request.method} {request.url.path}")

    # Leads

    async def list_leads(self, request: Request) -> Response:
        status = request.query_params.get("status")
        after = parse_time(request.query_params.get("updated_after"), "updated_after")

        def matching() -> Iterator[Lead]:
            for lead in self.world.leads.values():
                if status and lead.status.lower() != status.lower():
                    continue
                if after is not None and lead.updated_at <= after:
                    continue
                yield lead

        return self._paged(request, "leads", matching(), self._render_lead, PAGE_SIZE)

    async def get_lead(self, request: Request) -> Response:
        lead = self._lead(request.path_params["lead_id"])
        if self.recorded:  # a public client reads one lead under "lead" (tizz98/persistiq resources.py)
            return JSONResponse({"status": "success", "errors": None, "lead": self._render_lead(lead)})
        return JSONResponse({"status": "success", "errors": None, "leads": [self._render_lead(lead)]})

    async def create_leads(self, request: Request) -> Response:
        body = await self._json(request)
        batch = body.get("leads")
        if not is_array(batch) or not batch:
            raise Refusal(400, "Leads is missing")
        if len(batch) > CREATE_BATCH:
            raise Refusal(400, f"Cannot create more than {CREATE_BATCH} leads at a time")
        dup = body.get("dup", "skip")
        if dup not in ("skip", "update"):
            raise Refusal(400, "dup must be skip or update")
        creator_id = self._creator(body.get("creator_id"))
        errors: list[dict[str, Any]] = []
        leads: list[dict[str, Any]] = []
        for raw in batch:
            outcome = self._create_one(raw, dup, creator_id)
            if outcome is not None:
                (leads if "id" in outcome else errors).append(outcome)
        return JSONResponse({"status": "error" if errors else "success", "errors": errors, "leads": leads})

    def _create_one(self, raw: Any, dup: str, creator_id: str) -> dict[str, Any] | None:
        """The created (or, with dup=update, updated) lead's record, its batch error, or None (skipped, unsaid)."""
        world, now = self.world, self.env.now()
        if not is_object(raw):
            return batch_error("Lead must be a JSON object", lead={"id": None, "status": "active", "data": {}})
        data = clean_data(raw)
        email = data.get("email") or ""
        submitted = {"id": None, "status": "active", "data": {**data, "email": email}}
        if not email:
            return batch_error("Email can't be blank", lead=submitted)
        if not EMAIL.match(email):
            return batch_error("Email is invalid", lead=submitted)
        existing_id = world.by_email.get(email.lower())
        if existing_id is not None:
            existing = world.leads[existing_id]
            if dup == "skip":
                if self.recorded:  # public clients saw the existing lead listed as it is, like a created one
                    return existing.render()
                return (
                    None
                    if self.documented
                    else batch_error("Email has already been taken", lead={**submitted, "id": existing_id})
                )
            changed = {k: v for k, v in data.items() if k != "email" and existing.data.get(k) != v}
            existing.data.update(changed)
            existing.updated_at = now
            if changed:
                world.event("lead_updated", now, creator_id, lead=existing, diff=changed)
            return existing.render()
        lead = Lead(world.ids.new("l_"), "active", data, creator_id, now)
        world.add_lead(lead)
        world.event(
            "lead_created",
            now,
            creator_id,
            lead=lead,
            params={k: data.get(k) for k in ("email", "last_name", "first_name")},
        )
        return lead.render()

    async def update_lead(self, request: Request) -> Response:
        world = self.world
        lead = self._lead(request.path_params["lead_id"])
        body = await self._json(request)
        status = self._status_of(body)
        data = body.get("data")
        if data is not None and not is_object(data):
            raise Refusal(400, "data must be a JSON object")
        changes = clean_data(data or {}, null_clears=not self.documented)
        if "email" in changes:
            email = changes["email"] or ""
            if not EMAIL.match(email):
                raise Refusal(400, "Email is invalid" if email else "Email can't be blank")
            owner = world.by_email.get(email.lower())
            if owner not in (None, lead.id):
                raise Refusal(400, "Email has already been taken")
            world.by_email.pop(str(lead.data["email"]).lower(), None)
            world.by_email[email.lower()] = lead.id
        lead.data.update(changes)
        if "bounced" in body:
            lead.bounced = body["bounced"] in TRUE
        if "optedout" in body:
            lead.optedout = body["optedout"] in TRUE
        now = self.env.now()
        user_id = self._creator(None)
        if status and status != lead.status:
            world.event("lead_status_updated", now, user_id, lead=lead, diff={"status": [lead.status, status]})
            lead.status = status
        if changes:
            world.event("lead_updated", now, user_id, lead=lead, diff=changes)
        lead.updated_at = now
        # The doc's example answers bounced as a string.
        rendered: dict[str, Any] = {"id": lead.id, "status": lead.status, "bounced": str(lead.bounced).lower()}
        rendered |= {k: v for k, v in self._render_lead(lead).items() if k not in ("id", "status")}
        return JSONResponse({"status": "success", "error": None, "lead": rendered})

    def _status_of(self, body: dict[str, Any]) -> str | None:
        statuses = self.world.statuses
        if body.get("status_id") is not None:
            name = statuses.get(str(body["status_id"]))
            if name is None:
                raise Refusal(400, f"Lead status {body['status_id']} not found")
            return name
        if body.get("status") is not None:
            wanted = str(body["status"]).lower()
            name = next((n for n in statuses.values() if n.lower() == wanted), None)
            if name is None:
                raise Refusal(400, f"Lead status {body['status']} not found")
            return name
        return None

    # Campaigns

    def _render_lead(self, lead: Lead) -> dict[str, Any]:
        """A lead; the recorded profile adds the fields real answers carry and the document does not show."""
        view = lead.render()
        if self.recorded:
            sent = 0 if lead.status == "active" else 1
            view |= {
                "owner_id": lead.creator_id,
                "creator_id": lead.creator_id,
                "sent_count": sent,
                "replied_count": int(lead.status == "replied"),
                "last_sent_at": "2026-01-05T10:00:00.000Z" if sent else None,
            }
        return view

    def _render_campaign(self, campaign: Campaign) -> dict[str, Any]:
        statuses = [self.world.leads[lead_id].status for lead_id in campaign.members]
        contacted = sum(s != "active" for s in statuses)
        replied, bounced = statuses.count("replied"), statuses.count("bounced")
        stats = {
            "prospects_contacted": contacted,
            "prospects_reached": contacted - bounced,
            "prospects_opened": replied + (contacted - replied) * 2 // 5,
            "prospects_replied": replied,
            "prospects_bounced": bounced,
            "prospects_optedout": statuses.count("optedout"),
        }
        if self.recorded:  # a real answer counts the campaign's leads inside stats (Airbyte's recorded campaign)
            stats["total_prospects"] = len(campaign.members)
        creator = self.world.user(campaign.creator_id).ref()
        return {"id": campaign.id, "name": campaign.name, "creator": creator, "stats": stats}

    async def list_campaigns(self, request: Request) -> Response:
        query = request.query_params
        lead_id, owner_id, name = query.get("lead_id"), query.get("owner_id"), query.get("name")
        member_of = self.world.lead_campaigns.get(lead_id, set()) if lead_id else None

        def matching() -> Iterator[Campaign]:
            for campaign in self.world.campaigns.values():
                if member_of is not None and campaign.id not in member_of:
                    continue
                if owner_id and campaign.creator_id != owner_id:
                    continue
                if name and campaign.name.lower() != name.lower():
                    continue
                yield campaign

        return self._paged(request, "campaigns", matching(), self._render_campaign, PAGE_SIZE)

    async def add_to_campaign(self, request: Request) -> Response:
        world = self.world
        campaign = self._campaign(request.path_params["campaign_id"])
        body = await self._json(request)
        raw = body.get("leads")
        if raw is None and body.get("lead_id") is not None:
            raw = [body["lead_id"]]
        if not is_array(raw) or not raw:
            raise Refusal(400, "Leads is missing (give leads or lead_id)")
        if len(raw) > CAMPAIGN_BATCH:
            raise Refusal(400, f"Cannot add more than {CAMPAIGN_BATCH} leads at a time")
        mailboxes = {u.default_mailbox_id for u in world.users}
        mailbox_id = body.get("mailbox_id") or world.user(campaign.creator_id).default_mailbox_id
        if mailbox_id not in mailboxes:
            raise Refusal(400, f"Mailbox {mailbox_id} not found")
        errors: list[dict[str, Any]] = []
        added: list[dict[str, Any]] = []
        now, user_id = self.env.now(), campaign.creator_id
        for item in raw:
            # The doc's table says ids, its example objects with an id: both are taken.
            lead_id = item.get("id") if is_object(item) else item
            lead = world.leads.get(lead_id) if isinstance(lead_id, str) else None
            attempted = {"id": None, "campaign_id": campaign.id, "mailbox_id": mailbox_id}
            if lead is None:
                errors.append(batch_error("Lead not found", campaign_lead=attempted | {"lead": {"id": lead_id}}))
            elif lead.id in campaign.members:
                errors.append(
                    batch_error("Lead has already been taken", campaign_lead=attempted | {"lead": lead.render()})
                )
            else:
                member = world.join(campaign, lead.id, mailbox_id)
                world.event("campaign_lead_created", now, user_id, campaign=campaign, lead=lead)
                added.append(
                    {"id": member.id, "campaign_id": campaign.id, "mailbox_id": mailbox_id, "lead": lead.render()}
                )
        return JSONResponse({"status": "error" if errors else "success", "errors": errors, "campaign_leads": added})

    async def remove_from_campaign(self, request: Request) -> Response:
        campaign = self._campaign(request.path_params["campaign_id"])
        lead = self._lead(request.path_params["lead_id"])
        if lead.id not in campaign.members:
            raise Refusal(404, f"Lead {lead.id} is not in campaign {campaign.id}")
        self.world.leave(campaign, lead.id)
        if self.documented:  # the document: "respond with 200 (Success)", nothing more
            return Response(status_code=200)
        return JSONResponse({"status": "success", "errors": None})

    # Events

    async def list_events(self, request: Request) -> Response:
        query = request.query_params
        group = query.get("group")
        if group and group not in EVENT_GROUPS:
            raise Refusal(400, f"group must be one of {', '.join(EVENT_GROUPS)}")
        kinds = frozenset(EVENT_GROUPS[group]) if group else None
        campaign_id, lead_id, user_id = query.get("campaign"), query.get("lead"), query.get("user")
        start = parse_time(query.get("start_at"), "start_at")
        end = parse_time(query.get("end_at"), "end_at")

        def matching() -> Iterator[Event]:
            for event in self.world.events:
                if kinds is not None and event.kind not in kinds:
                    continue
                if (campaign_id and event.campaign_id != campaign_id) or (lead_id and event.lead_id != lead_id):
                    continue
                if user_id and event.user_id != user_id:
                    continue
                if (start is not None and event.at < start) or (end is not None and event.at > end):
                    continue
                yield event

        return self._paged(request, "events", matching(), lambda e: e.body, EVENTS_PAGE_SIZE)

    # Do Not Contact domains

    async def list_dnc(self, request: Request) -> Response:
        items = iter(self.world.dnc.items())
        return self._paged(request, "dnc_domains", items, lambda d: {"id": d[1], "name": d[0]}, PAGE_SIZE)

    async def create_dnc(self, request: Request) -> Response:
        body = await self._json(request)
        raw = body.get("name")
        name = raw.strip().lower() if isinstance(raw, str) else ""
        if not name:
            raise Refusal(400, "Name can't be blank")
        if not DOMAIN.match(name):
            raise Refusal(400, "Name is not a valid domain")
        if name in self.world.dnc:
            raise Refusal(400, "Name has already been taken")
        domain_id = self.world.dnc[name] = self.world.ids.new("dom_")
        return JSONResponse({"status": "success", "errors": None, "dnc_domain": {"id": domain_id, "name": name}})

"""Snov.io prospect lists and prospects: lists, prospects in a list, add, find by id or email, custom fields.

prospect-list shows a list's prospects newest first (the doc: "reverse order from last to first"),
``page`` from 1, ``perPage`` default 100, at most 5,000 (400 above; the documented profile caps it
at the document's 100 without saying so). add-prospect-to-list adds a
prospect (or, when one with that email exists, adds it to the list and updates it only with
``updateContact=true``/``1``); custom fields not defined in the account are ignored. A prospect's
``campaigns`` entries are ``{"id", "name", "status", "sentCount", "openCount", "replyCount"}``
(status as set by change-recipient-status). Unknown list or prospect: ``{"success": false,
"errors": "..."}`` with 200.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute

from outbound_sandbox.snov.core import Call, SnovCore, failure, job_view, missing, ok, php_date
from outbound_sandbox.snov.crm import Prospect, ProspectList

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 5000
DOCUMENTED_MAX_PER_PAGE = 100
TRUE = {"1", "true", "yes", "on"}


class ListApi:
    def __init__(self, core: SnovCore) -> None:
        self.core = core

    def routes(self) -> list[BaseRoute]:
        r = self.core.route
        return [
            r("/v1/get-user-lists", self.user_lists, ["GET"]),
            r("/v1/prospect-list", self.prospect_list, ["POST"]),
            r("/v1/lists", self.create_list, ["POST"]),
            r("/v1/add-prospect-to-list", self.add_prospect, ["POST"]),
            r("/v1/get-prospect-by-id", self.by_id, ["POST"]),
            r("/v1/get-prospects-by-email", self.by_email, ["POST"]),
            r("/v1/prospect-custom-fields", self.custom_fields, ["GET"]),
        ]

    def _list(self, raw: str) -> ProspectList | None:
        return self.core.crm.lists.get(int(raw)) if raw.strip().isdigit() else None

    def user_lists(self, call: Call) -> Response:
        return ok(
            [
                {
                    "id": lst.id,
                    "name": lst.name,
                    "contacts": len(lst.prospects),
                    "isDeleted": lst.deleted is not None,
                    "creationDate": php_date(lst.created),
                    "deletionDate": php_date(lst.deleted) if lst.deleted else None,
                }
                for lst in self.core.crm.lists.values()
            ]
        )

    def create_list(self, call: Call) -> Response:
        name = call.text("name")
        if not name:
            return missing("name")
        crm = self.core.crm
        lst = ProspectList(crm.next_list_id, name[:255], "2025-10-01 12:00:00")
        crm.lists[lst.id] = lst
        crm.next_list_id += 1
        return ok([{"success": True, "data": {"id": lst.id}}])

    def prospect_list(self, call: Call) -> Response:
        raw = call.text("listId")
        if not raw:
            return missing("listId")
        lst = self._list(raw)
        if lst is None:
            return failure("List not found")
        page_text, per_text = call.text("page") or "1", call.text("perPage") or str(DEFAULT_PER_PAGE)
        if not page_text.isdigit() or int(page_text) < 1:
            return failure({"page": ["This value should be a positive integer."]}, status=400)
        if not per_text.isdigit() or not 1 <= int(per_text) <= MAX_PER_PAGE:
            return failure({"perPage": [f"This value should be between 1 and {MAX_PER_PAGE}."]}, status=400)
        page, per = int(page_text), int(per_text)
        if self.core.documented:
            per = min(per, DOCUMENTED_MAX_PER_PAGE)
        newest_first = list(reversed(lst.prospects))[(page - 1) * per : page * per]
        if not newest_first and page > 1 and self.core.recorded:  # hull-snovio stops paging on this refusal
            return ok({"success": False})
        prospects = [self.core.crm.prospects[pid] for pid in newest_first]
        return ok(
            {
                "success": True,
                "list": {
                    "name": lst.name,
                    "contacts": len(lst.prospects),
                    "creationDate": php_date(lst.created),
                    "emailsCount": [],
                },
                "prospects": [
                    {
                        "id": p.id,
                        "name": p.name,
                        "firstName": p.first,
                        "lastName": p.last,
                        "emails": [self._list_email(p.email)] if p.email else [],
                    }
                    for p in prospects
                ],
            }
        )

    def _list_email(self, email: str) -> dict[str, Any]:
        verdict = self.core.db.verified.get(email.lower())
        return {
            "email": email,
            "probability": 99,
            "isVerified": None,
            "jobStatus": "any",
            "domainType": "linkedin_email",
            "isValidFormat": True if verdict else None,
            "isDisposable": False if verdict else None,
            "isWebmail": verdict.webmail if verdict else None,
            "isGibberish": False if verdict else None,
            "smtpStatus": 3 if verdict and verdict.smtp == "valid" else None,
        }

    def add_prospect(self, call: Call) -> Response:
        email, raw = call.text("email"), call.text("listId")
        absent = [n for n, v in (("email", email), ("listId", raw)) if not v]
        if absent:
            return missing(*absent)
        lst = self._list(raw)
        if lst is None or lst.deleted:
            return failure("List not found")
        if "@" not in email:
            return failure({"email": ["This value is not a valid email address."]}, status=400)
        crm = self.core.crm
        existing = next(iter(crm.by_email(email)), None)
        update = call.text("updateContact").lower() in TRUE
        if existing is None:
            prospect = Prospect(crm.new_prospect_id(), "", "", email)
            self._apply(prospect, call)
            crm.prospects[prospect.id] = prospect
            crm.add_to_list(prospect, lst)
            return ok({"success": True, "id": prospect.id, "added": True, "updated": False})
        added = lst.id not in existing.lists
        crm.add_to_list(existing, lst)
        if update:
            self._apply(existing, call)
        return ok({"success": True, "id": existing.id, "added": added, "updated": update})

    def _apply(self, p: Prospect, call: Call) -> None:
        first, last, full = call.text("firstName"), call.text("lastName"), call.text("fullName")
        if full and not (first or last):
            first, _, last = full.partition(" ")
        p.first, p.last = first or p.first, last or p.last
        for attr, name in (
            ("position", "position"),
            ("company_name", "companyName"),
            ("company_site", "companySite"),
            ("country", "country"),
            ("locality", "locality"),
        ):
            if value := call.text(name):
                setattr(p, attr, value)
        if phones := call.get_list("phones"):
            p.phones = phones
        p.social.update({k: v for k, v in call.get_map("socialLinks").items() if v})
        known = set(self.core.crm.custom_fields)
        p.custom.update({k: v for k, v in call.get_map("customFields").items() if k in known})
        p.updated = "2025-10-01 12:00:00"

    def prospect_view(self, p: Prospect) -> dict[str, Any]:
        crm = self.core.crm
        campaigns: list[dict[str, Any]] = []
        for camp in crm.campaigns.values():
            status = camp.recipients.get(p.email.lower())
            if status is None:
                continue
            email = p.email.lower()
            campaigns.append(
                {
                    "id": camp.id,
                    "name": camp.name,
                    "status": status,
                    "sentCount": sum(1 for r in camp.sent if r["userEmail"].lower() == email),
                    "openCount": sum(1 for r in camp.opens if r["prospectEmail"].lower() == email),
                    "replyCount": sum(1 for r in camp.replies if r["prospectEmail"].lower() == email),
                }
            )
        job = job_view(p.company_name, p.position, p.company_site, p.industry, p.country or None)
        return {
            "id": p.id,
            "name": p.name,
            "firstName": p.first,
            "lastName": p.last,
            "industry": p.industry,
            "country": p.country or None,
            "locality": p.locality or None,
            "social": [{"link": link, "type": kind} for kind, link in p.social.items()],
            "lastUpdateDate": php_date(p.updated),
            "currentJob": [job] if p.position or p.company_name else [],
            "previousJob": [],
            "lists": [{"id": i, "name": crm.lists[i].name} for i in p.lists if i in crm.lists],
            "campaigns": campaigns,
            "customFields": dict(p.custom),
        }

    def by_id(self, call: Call) -> Response:
        pid = call.text("id")
        if not pid:
            return missing("id")
        prospect = self.core.crm.prospects.get(pid)
        if prospect is None:
            if self.core.recorded:  # public clients saw an unknown id answered with an empty data
                return ok({"success": True, "data": []})
            return failure(f"Prospect with id '{pid}' not found")
        return ok({"success": True, "data": self.prospect_view(prospect)})

    def by_email(self, call: Call) -> Response:
        email = call.text("email")
        if not email:
            return missing("email")
        found = self.core.crm.by_email(email)
        if not found:
            return failure(f"Prospect with email '{email}' not found")
        return ok({"success": True, "data": [self.prospect_view(p) for p in found]})

    def custom_fields(self, call: Call) -> Response:
        return ok(
            [
                {"key": f"customFields['{label}']", "label": label, "required": False, "type": "string"}
                for label in self.core.crm.custom_fields
            ]
        )

"""Snov.io's current-generation async pairs that replace the v1 finder, verifier and URL methods.

* POST /v2/emails-by-domain-by-name/start (``rows``: up to 10 ``{first_name, last_name, domain}``
  as JSON or ``rows[0][first_name]=...``); 1 credit per email found (valid or unknown), charged
  at start; when the balance is short the task ends ``"not_enough_credits"`` with no data.
* POST /v2/email-verification/start (``emails[]``, up to 10); 1 credit per email (not greylisted).
* POST /v2/li-profiles-by-urls/start (``urls[]``, up to 10); 1 credit per profile found; no emails.

Start answers ``{"data": {"task_hash": ...}}`` (no links); GET ``.../result?task_hash=`` answers
``{"status": "in_progress", "data": [], "meta": {"task_hash"}}`` until ``config.job_delay`` vendor
seconds passed, then ``"completed"`` with ``data`` a list, one item per row, email or URL:
finder ``{"people", "first_name", "last_name", "domain", "result": [{"email", "smtp_status"}]}``,
verifier ``{"email", "result": {"smtp_status", "is_valid_format", ...}}`` (``sam.grey@globex.com``
stays ``greylisted``), profiles ``{"url", "result": {...} | null}``. More than 10 items answers 400;
the hourly plan limit answers 200 ``{"success": false, "message": "There are too many ..."}``.
The documented profile has none of these pairs (404): they are only on the vendor's newer pages.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute

from outbound_sandbox.snov.core import Call, SnovCore, Task, failure, missing, ok
from outbound_sandbox.snov.data import Person
from outbound_sandbox.snov.search import clean_domain
from outbound_sandbox.snov.v1 import normalize_url, url_profile

MAX_ITEMS = 10


class V2Api:
    def __init__(self, core: SnovCore) -> None:
        self.core = core

    def routes(self) -> list[BaseRoute]:
        # Only the vendor's newer pages list these: the documented profile answers 404.
        def r(path: str, handler: Any, methods: list[str]) -> BaseRoute:
            return self.core.route(path, handler, methods, documented=False)

        return [
            r("/v2/emails-by-domain-by-name/start", self.finder_start, ["POST"]),
            r("/v2/emails-by-domain-by-name/result", self.result("finder"), ["GET"]),
            r("/v2/email-verification/start", self.verifier_start, ["POST"]),
            r("/v2/email-verification/result", self.result("verifier"), ["GET"]),
            r("/v2/li-profiles-by-urls/start", self.profiles_start, ["POST"]),
            r("/v2/li-profiles-by-urls/result", self.result("profiles"), ["GET"]),
        ]

    def _started(self, kind: str, status: str, data: list[dict[str, Any]]) -> Response:
        task = self.core.start_task(kind, status=status, data=data)
        return ok({"data": {"task_hash": task.hash}})

    @staticmethod
    def _too_many(name: str) -> Response:
        return failure({name: [f"This collection should contain {MAX_ITEMS} elements or less."]}, status=400)

    def result(self, kind: str) -> Any:
        def handler(call: Call) -> Response:
            task_hash = call.text("task_hash")
            if not task_hash:
                return missing("task_hash")
            task: Task | None = self.core.tasks.get(task_hash)
            if task is None or task.kind != kind:
                return failure("Task not found", status=404)
            meta = {"task_hash": task.hash}
            if not self.core.ready(task.started):
                return ok({"status": "in_progress", "data": [], "meta": meta})
            status = task.params["status"]
            data: list[dict[str, Any]] = task.params["data"] if status == "completed" else []
            return ok({"status": status, "data": data, "meta": meta})

        return handler

    def finder_start(self, call: Call) -> Response:
        rows = call.get_rows("rows")
        if not rows:
            return missing("rows")
        if len(rows) > MAX_ITEMS:
            return self._too_many("rows")
        names = [(r.get("first_name", "").strip(), r.get("last_name", "").strip(), r.get("domain", "")) for r in rows]
        if any(not (f and la and d.strip()) for f, la, d in names):
            return failure({"rows": ["Each row needs first_name, last_name and domain."]}, status=400)
        if self.core.hourly_refused(len(rows)):
            return self.core.hourly_limited()
        data: list[dict[str, Any]] = []
        for first, last, raw in names:
            domain = clean_domain(raw)
            found = self.core.db.resolve_name(first, last, domain)
            result = [{"email": found[0], "smtp_status": found[1]}] if found else []
            data.append(
                {
                    "people": f"{first} {last}",
                    "first_name": first,
                    "last_name": last,
                    "domain": domain,
                    "result": result,
                }
            )
        cost = sum(1 for item in data if item["result"])
        self.core.hourly_add(len(rows))
        if not self.core.can_afford(cost):
            return self._started("finder", "not_enough_credits", [])
        self.core.charge(cost)
        return self._started("finder", "completed", data)

    def verifier_start(self, call: Call) -> Response:
        emails = list(dict.fromkeys(e.strip() for e in call.get_list("emails") if e.strip()))
        if not emails:
            return missing("emails")
        if len(emails) > MAX_ITEMS:
            return self._too_many("emails")
        if self.core.hourly_refused(len(emails)):
            return self.core.hourly_limited()
        data: list[dict[str, Any]] = []
        for email in emails:
            v = self.core.db.verdict(email)
            result = {
                "smtp_status": v.smtp,
                "is_valid_format": "@" in email,
                "is_disposable": False,
                "is_webmail": v.webmail,
                "is_gibberish": False,
                "is_catchall": v.catchall,
                "is_greylist": v.smtp == "greylisted",
                "is_banned_error": False,
                "is_connection_error": False,
            }
            data.append({"email": email, "result": result})
        cost = sum(1 for item in data if item["result"]["smtp_status"] != "greylisted")
        if not self.core.can_afford(cost):
            return failure("Not enough credits", status=402)
        self.core.charge(cost)
        self.core.hourly_add(len(emails))
        return self._started("verifier", "completed", data)

    def profiles_start(self, call: Call) -> Response:
        urls = list(dict.fromkeys(u.strip() for u in call.get_list("urls") if u.strip()))
        if not urls:
            return missing("urls")
        if len(urls) > MAX_ITEMS:
            return self._too_many("urls")
        data: list[dict[str, Any]] = []
        for url in urls:
            person = self.core.db.by_url.get(normalize_url(url))
            data.append({"url": url, "result": self._profile(person) if person else None})
        cost = sum(1 for item in data if item["result"])
        if not self.core.can_afford(cost):
            return failure("Not enough credits", status=402)
        self.core.charge(cost)
        self.core.hourly_add(len(urls))
        return self._started("profiles", "completed", data)

    @staticmethod
    def _profile(person: Person) -> dict[str, Any]:
        view = url_profile(person, with_emails=False)
        return {
            "name": view["name"],
            "first_name": person.first,
            "last_name": person.last,
            "source_page": person.url,
            "industry": person.industry,
            "country": person.country,
            "locality": person.locality,
            "skills": [],
            "positions": [
                {"company_name": job["companyName"], "position": job["position"], "site": job["site"]}
                for job in view["currentJob"]
            ],
        }

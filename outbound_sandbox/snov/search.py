"""Snov.io v2 domain search: company info, prospects, a prospect's email, domain emails, generic contacts.

Each ``start`` POST answers ``{"data": [], "meta": {..., "task_hash"}, "links": {"result": URL}}``;
the ``result/{task_hash}`` GET answers ``"status": "in progress"`` (with ``"links": []``) until
``config.job_delay`` vendor seconds have passed, then ``"completed"`` with the data. Starts cost
1 credit per distinct request (same domain, page, positions, ``next``), nothing without results;
a prospect's email search costs 1 credit per prospect that has an email. ``links.next`` of a
page points to a new ``start`` POST (the page or ``next`` token in its query string); on the
last page ``meta.next`` is "" and ``links`` is ``[]``. A task hash is only valid on its own
result path (404 elsewhere).
"""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute

from outbound_sandbox.snov.core import Call, SnovCore, Task, failure, missing, ok
from outbound_sandbox.snov.crm import stamp

PROSPECTS_PER_PAGE = 20
EMAILS_PER_PAGE = 50
MAX_POSITIONS = 10
BASE = "/v2/domain-search"


def clean_domain(raw: str) -> str:
    d = raw.strip().lower()
    for prefix in ("https://", "http://", "www."):
        d = d.removeprefix(prefix)
    return d.split("/")[0]


class SearchApi:
    def __init__(self, core: SnovCore) -> None:
        self.core = core

    def routes(self) -> list[BaseRoute]:
        r = self.core.route
        return [
            r(f"{BASE}/start", self.company_start, ["POST"]),
            r(f"{BASE}/result/{{task_hash}}", self.company_result, ["GET"]),
            r(f"{BASE}/prospects/start", self.prospects_start, ["POST"]),
            r(f"{BASE}/prospects/result/{{task_hash}}", self.prospects_result, ["GET"]),
            r(f"{BASE}/prospects/search-emails/start/{{prospect_hash}}", self.email_start, ["POST"]),
            r(f"{BASE}/prospects/search-emails/result/{{task_hash}}", self.email_result, ["GET"]),
            r(f"{BASE}/domain-emails/start", self.emails_start, ["POST"]),
            r(f"{BASE}/domain-emails/result/{{task_hash}}", self.emails_result, ["GET"]),
            r(f"{BASE}/generic-contacts/start", self.generic_start, ["POST"]),
            r(f"{BASE}/generic-contacts/result/{{task_hash}}", self.generic_result, ["GET"]),
        ]

    # ---- shared
    def _started(self, call: Call, task: Task, result_path: str, meta: dict[str, Any]) -> Response:
        links = {"result": call.url(f"{BASE}/{result_path}/{task.hash}")}
        return ok({"data": [], "meta": {**meta, "task_hash": task.hash}, "links": links})

    def _task(self, call: Call, kind: str) -> Task | None:
        task = self.core.tasks.get(call.path("task_hash"))
        return task if task is not None and task.kind == kind else None

    def _pending(self, task: Task, meta: dict[str, Any]) -> Response:
        return ok({"data": [], "meta": {**meta, "task_hash": task.hash}, "links": [], "status": "in progress"})

    def _charge(self, key: tuple[str, ...], has_results: bool) -> bool:
        return not has_results or self.core.charge_once(key)

    @staticmethod
    def _no_task() -> Response:
        return failure("Task not found", status=404)

    def _no_credits(self) -> Response:
        if self.core.recorded:  # public clients saw an empty balance answered as a gateway error
            return failure("You ran out of credits. Please upgrade your plan", status=502, key="message")
        return failure("Not enough credits", status=402)

    # ---- company info
    def company_start(self, call: Call) -> Response:
        domain = clean_domain(call.text("domain"))
        if not domain:
            return missing("domain")
        if not self._charge(("company", domain), self.core.db.domain_info(domain) is not None):
            return self._no_credits()
        task = self.core.start_task("company", domain=domain)
        return self._started(call, task, "result", {"domain": domain})

    def company_result(self, call: Call) -> Response:
        task = self._task(call, "company")
        if task is None:
            return self._no_task()
        domain = task.params["domain"]
        if not self.core.ready(task.started):
            return self._pending(task, {"domain": domain})
        db = self.core.db
        company = db.domain_info(domain)
        data: dict[str, Any] = {
            "company_name": company.name if company else None,
            "city": company.city if company else None,
            "founded": company.founded if company else None,
            "website": f"https://{domain}" if company else None,
            "hq_phone": company.hq_phone if company else None,
            "industry": company.industry if company else None,
            "size": company.size if company else None,
            "related_domains": list(company.related_domains) if company else [],
        }
        meta = {
            "domain": domain,
            "task_hash": task.hash,
            "prospects_count": len(db.people.get(domain, [])),
            "emails_count": len(db.domain_emails.get(domain, [])),
            "generic_contacts_count": len(db.generic.get(domain, [])),
        }
        links = {
            "prospects": call.url(f"{BASE}/prospects/start", domain=domain),
            "domain_emails": call.url(f"{BASE}/domain-emails/start", domain=domain),
            "generic_contacts": call.url(f"{BASE}/generic-contacts/start", domain=domain),
        }
        return ok({"data": data, "meta": meta, "links": links, "status": "completed"})

    # ---- prospects
    def _matching(self, domain: str, positions: list[str]) -> list[Any]:
        people = self.core.db.people.get(domain, [])
        wanted = [p.lower().strip() for p in positions if p.strip()]
        if not wanted:
            return list(people)
        return [p for p in people if any(w in p.position.lower() for w in wanted)]

    def prospects_start(self, call: Call) -> Response:
        domain = clean_domain(call.text("domain"))
        if not domain:
            return missing("domain")
        positions = [p for p in call.get_list("positions") if p.strip()]
        if len(positions) > MAX_POSITIONS:
            return failure({"positions": [f"You can filter by up to {MAX_POSITIONS} positions per request"]}, 400)
        page_text = call.text("page") or "1"
        if not page_text.isdigit() or int(page_text) < 1:
            return failure({"page": ["This value should be a positive integer."]}, 400)
        page = int(page_text)
        found = self._matching(domain, positions)
        has_results = len(found) > (page - 1) * PROSPECTS_PER_PAGE
        if not self._charge(("prospects", domain, str(page), *sorted(positions)), has_results):
            return self._no_credits()
        task = self.core.start_task("prospects", domain=domain, page=page, positions=positions)
        meta = {"domain": domain, "tab": "prospects", "page": page, "positions": positions}
        return self._started(call, task, "prospects/result", meta)

    def prospects_result(self, call: Call) -> Response:
        task = self._task(call, "prospects")
        if task is None:
            return self._no_task()
        domain, page, positions = task.params["domain"], task.params["page"], task.params["positions"]
        meta: dict[str, Any] = {"domain": domain, "tab": "prospects", "page": page, "positions": positions}
        if not self.core.ready(task.started):
            return self._pending(task, meta)
        found = self._matching(domain, positions)
        start = (page - 1) * PROSPECTS_PER_PAGE
        data = [
            {
                "first_name": p.first,
                "last_name": p.last,
                "position": p.position,
                "source_page": p.url,
                "search_emails_start": call.url(f"{BASE}/prospects/search-emails/start/{p.hash}"),
            }
            for p in found[start : start + PROSPECTS_PER_PAGE]
        ]
        more = start + PROSPECTS_PER_PAGE < len(found)
        links: Any = (
            {"next": call.url(f"{BASE}/prospects/start", domain=domain, page=page + 1, positions=positions)}
            if more
            else []
        )
        meta.update(task_hash=task.hash, total_count=len(found))
        return ok({"data": data, "meta": meta, "links": links, "status": "completed"})

    # ---- one prospect's email
    def email_start(self, call: Call) -> Response:
        person = self.core.db.by_hash.get(call.path("prospect_hash"))
        if person is None:
            return failure("Prospect not found", status=404)
        if not self._charge(("prospect-email", person.hash), person.email is not None):
            return self._no_credits()
        task = self.core.start_task("prospect-email", prospect_hash=person.hash)
        return self._started(call, task, "prospects/search-emails/result", {})

    def email_result(self, call: Call) -> Response:
        task = self._task(call, "prospect-email")
        if task is None:
            return self._no_task()
        if not self.core.ready(task.started):
            return self._pending(task, {})
        person = self.core.db.by_hash[task.params["prospect_hash"]]
        emails: list[dict[str, str]] = []
        if person.email:
            status = "unknown" if self.core.db.verdict(person.email).catchall else "valid"
            emails.append({"email": person.email, "smtp_status": status})
        data = {"searching_date": stamp(person.id % 500 * 60), "emails": emails}
        return ok({"data": data, "meta": {"task_hash": task.hash}, "links": [], "status": "completed"})

    # ---- domain emails and generic contacts (50 per page, ``next`` token)
    def _token(self, tab: str, domain: str, offset: int) -> str:
        raw = f"{self.core.env.config.seed}:{tab}:{domain}:{offset}".encode()
        return hashlib.sha256(raw).hexdigest() + hashlib.sha1(raw).hexdigest()[:48]

    def _offset(self, tab: str, domain: str, token: str, total: int) -> int | None:
        if not token:
            return 0
        return next(
            (off for off in range(EMAILS_PER_PAGE, total, EMAILS_PER_PAGE) if self._token(tab, domain, off) == token),
            None,
        )

    def _emails(self, tab: str, domain: str) -> list[str]:
        source = self.core.db.domain_emails if tab == "emails" else self.core.db.generic
        return source.get(domain, [])

    def _list_start(self, call: Call, tab: str, path: str) -> Response:
        domain = clean_domain(call.text("domain"))
        if not domain:
            return missing("domain")
        token = call.text("next")
        emails = self._emails(tab, domain)
        offset = self._offset(tab, domain, token, len(emails))
        if offset is None:
            return failure({"next": ["The next token is not valid for this domain."]}, 400)
        if not self._charge((tab, domain, token), offset < len(emails)):
            return self._no_credits()
        task = self.core.start_task(tab, domain=domain, offset=offset, next=token)
        return self._started(call, task, f"{path}/result", {"domain": domain, "tab": tab, "next": token})

    def _list_result(self, call: Call, tab: str, path: str) -> Response:
        task = self._task(call, tab)
        if task is None:
            return self._no_task()
        domain, offset = task.params["domain"], task.params["offset"]
        meta: dict[str, Any] = {"domain": domain, "tab": tab, "next": task.params["next"]}
        if not self.core.ready(task.started):
            return self._pending(task, meta)
        emails = self._emails(tab, domain)
        following = offset + EMAILS_PER_PAGE
        token = self._token(tab, domain, following) if following < len(emails) else ""
        links: Any = {"next": call.url(f"{BASE}/{path}/start", domain=domain, next=token)} if token else []
        meta.update(task_hash=task.hash, next=token, total_count=len(emails))
        data = [{"email": e} for e in emails[offset:following]]
        return ok({"data": data, "meta": meta, "links": links, "status": "completed"})

    def emails_start(self, call: Call) -> Response:
        return self._list_start(call, "emails", "domain-emails")

    def emails_result(self, call: Call) -> Response:
        return self._list_result(call, "emails", "domain-emails")

    def generic_start(self, call: Call) -> Response:
        return self._list_start(call, "service", "generic-contacts")

    def generic_result(self, call: Call) -> Response:
        return self._list_result(call, "service", "generic-contacts")

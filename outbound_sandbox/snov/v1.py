"""Snov.io v1 search methods: email count, profile by email, and the "queue, then ask again" pairs.

Pairs: get-emails-from-names (free) / add-names-to-find-emails (1 credit per request);
get-emails-verification-status (free) / add-emails-to-verification (1 credit per email, at most
10 per request: more answers 400 ``{"success": false, "message": ...}``); get-emails-from-url
(free) / add-url-for-search (1 credit per request). A queued item is ready ``config.job_delay``
vendor seconds after it was queued. With ``config.snov_v1_retired`` all six answer 404.

Answers where the doc's examples were stripped (shapes from the vendor's older pages):
* finder: ``{"success": true, "params": {...}, "data": {"firstName", "lastName", "emails":
  [{"email", "emailStatus"}]}, "status": {"identifier": "complete" | "in_progress" | "not_found",
  "description"}}``; ``in_progress`` only between queueing and readiness.
* verifier: ``{"success": true, "<email>": {"data": {...} | [], "status": {"identifier":
  "complete" | "not_verified", "description"}}}``; not_verified until queued and ready.
* get-emails-from-url while a queued URL is processing: ``{"success": true, "message": "The
  prospect is still being processed. Please try later"}``; never found: ``{"success": true,
  "message": "We couldn't find profile with this url"}``.
* get-profile-by-email without a profile: ``{"success": false, "message": "We couldn't find
  profile with this email"}`` (no charge).

Documented profile (``config.profile``): the finder's identifiers are only the document's ``complete``
and ``not_found`` (a queued name is ``not_found`` until it is ready); the finder reads only
``firstName``/``lastName``; the verifier and its queue read ``emails[]`` only from the URL query, as the
document's examples send it; get-emails-from-url shows a profile only for a URL queued with
add-url-for-search and ready, and answers ``{"success": false}`` (no message) otherwise, processing or not.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute

from outbound_sandbox.snov.core import (
    USER_ID,
    Call,
    Queued,
    SnovCore,
    failure,
    job_view,
    missing,
    ok,
    php_date,
)
from outbound_sandbox.snov.crm import prospect_id
from outbound_sandbox.snov.data import WEBMAIL_DOMAINS, Person, Verdict
from outbound_sandbox.snov.search import clean_domain

MAX_VERIFY = 10


def normalize_url(url: str) -> str:
    return url.strip().lower().rstrip("/")


def url_profile(person: Person, *, with_emails: bool) -> dict[str, Any]:
    """A prospect as get-emails-from-url shows it."""
    view: dict[str, Any] = {
        "id": prospect_id(-1, person.id),
        "name": person.name,
        "firstName": person.first,
        "lastName": person.last,
        "sourcePage": person.url,
        "source": "linkedIn",
        "industry": person.industry,
        "country": person.country,
        "locality": person.locality,
        "lastUpdateDate": php_date("2025-04-11 12:37:58"),
        "currentJob": [job_view(person.domain.split(".")[0].capitalize(), person.position,
                                f"https://{person.domain}", person.industry, person.country)],
        "previousJob": [],
        "social": [],
    }  # fmt: skip
    if with_emails:
        view["emails"] = [{"email": person.email, "status": "valid"}] if person.email else []
    return view


def verification_data(email: str, verdict: Verdict) -> dict[str, Any]:
    return {
        "email": email,
        "isValidFormat": "@" in email,
        "isDisposable": False,
        "isWebmail": verdict.webmail,
        "isGibberish": False,
        "smtpStatus": verdict.smtp,
        "isCatchall": verdict.catchall,
        "isGreylist": verdict.smtp == "greylisted",
        "isBannedError": False,
        "isConnectionError": False,
    }


class V1Api:
    def __init__(self, core: SnovCore) -> None:
        self.core = core

    def routes(self) -> list[BaseRoute]:
        r = self.core.route
        return [
            r("/v1/get-domain-emails-count", self.count, ["POST"]),
            r("/v1/get-emails-from-names", self.find, ["POST"], retired=True),
            r("/v1/add-names-to-find-emails", self.add_names, ["POST"], retired=True),
            r("/v1/get-emails-verification-status", self.verify, ["POST"], retired=True),
            r("/v1/add-emails-to-verification", self.add_emails, ["POST"], retired=True),
            r("/v1/add-url-for-search", self.add_url, ["POST"], retired=True),
            r("/v1/get-emails-from-url", self.from_url, ["POST"], retired=True),
            r("/v1/get-profile-by-email", self.profile_by_email, ["POST"]),
        ]

    def _limited(self) -> Response:
        return self.core.hourly_limited()

    def _no_credits(self) -> Response:
        if self.core.recorded:  # public clients saw an empty balance answered as a gateway error
            return failure("You ran out of credits. Please upgrade your plan", status=502, key="message")
        return failure("Not enough credits", key="message")

    def count(self, call: Call) -> Response:
        domain = clean_domain(call.text("domain"))
        if not domain:
            return missing("domain")
        webmail = domain in WEBMAIL_DOMAINS
        result = 0 if webmail else len(self.core.db.domain_emails.get(domain, []))
        return ok({"success": True, "domain": domain, "webmail": webmail, "result": result})

    # ---- finder
    def _name(self, call: Call) -> tuple[str, str, str]:
        first, last = call.text("firstName"), call.text("lastName")
        if not self.core.documented:
            first, last = first or call.text("first_name"), last or call.text("last_name")
        return first, last, clean_domain(call.text("domain"))

    def _emails(self, call: Call) -> list[str]:
        given = call.query_list("emails") if self.core.documented else call.get_list("emails")
        return [e.strip() for e in given if e.strip()]

    def find(self, call: Call) -> Response:
        first, last, domain = self._name(call)
        if not (first and last and domain):
            return missing(*[n for n, v in (("firstName", first), ("lastName", last), ("domain", domain)) if not v])
        if self.core.hourly_refused(0):
            return self._limited()
        key = (first.lower(), last.lower(), domain)
        known = self.core.db.find_name(first, last, domain)
        queued = self.core.name_queue.get(key)
        found: tuple[str, str] | None = None
        if known is not None and known.email:
            identifier, found = "complete", (known.email, "valid")
        elif queued is not None and not self.core.ready(queued.started):
            # The document has no "in progress" identifier: a name being searched reads as not found.
            identifier = "not_found" if self.core.documented and not self.core.recorded else "in_progress"
        elif queued is not None:
            found = self.core.db.resolve_name(first, last, domain)
            identifier = "complete" if found else "not_found"
        else:
            identifier = "not_found"
        descriptions = {
            "complete": "Emails search is completed",
            "in_progress": "Emails search is in progress",
            "not_found": "Emails not found",
        }
        emails = [{"email": found[0], "emailStatus": found[1]}] if found else []
        return ok(
            {
                "success": True,
                "params": {"firstName": first, "lastName": last, "domain": domain},
                "data": {"firstName": first, "lastName": last, "emails": emails},
                "status": {"identifier": identifier, "description": descriptions[identifier]},
            }
        )

    def add_names(self, call: Call) -> Response:
        first, last, domain = self._name(call)
        if not (first and last and domain):
            return missing(*[n for n, v in (("firstName", first), ("lastName", last), ("domain", domain)) if not v])
        if self.core.hourly_refused(1):
            return self._limited()
        if not self.core.can_afford(1):
            return self._no_credits()
        self.core.charge(1)
        self.core.hourly_add(1)
        self.core.name_queue.setdefault((first.lower(), last.lower(), domain), Queued(self.core.env.now()))
        return ok(
            {"success": True, "firstName": first, "lastName": last, "domain": domain, "userId": USER_ID, "sent": True}
        )

    # ---- verifier
    def verify(self, call: Call) -> Response:
        emails = self._emails(call)
        if not emails:
            return missing("emails")
        if self.core.hourly_refused(0):
            return self._limited()
        out: dict[str, Any] = {"success": True}
        for email in emails:
            key = email.lower()
            queued = self.core.email_queue.get(key)
            if key in self.core.db.verified or (queued is not None and self.core.ready(queued.started)):
                out[email] = {
                    "data": verification_data(email, self.core.db.verdict(key)),
                    "status": {"identifier": "complete", "description": "Email verification is completed"},
                }
            elif queued and self.core.recorded:  # the vendor's newer pages: a third state while it is verified
                status = {"identifier": "in_progress", "description": "Email is being verified"}
                out[email] = {"data": [], "status": status}
            else:
                description = "Email is being verified" if queued else "Email is not verified"
                out[email] = {"data": [], "status": {"identifier": "not_verified", "description": description}}
        return ok(out)

    def add_emails(self, call: Call) -> Response:
        emails = list(dict.fromkeys(e.lower() for e in self._emails(call)))
        if not emails:
            return missing("emails")
        if len(emails) > MAX_VERIFY:
            return failure(f"You can add up to {MAX_VERIFY} emails per request", status=400, key="message")
        if self.core.hourly_refused(len(emails)):
            return self._limited()
        if not self.core.can_afford(len(emails)):
            return self._no_credits()
        self.core.charge(len(emails))
        self.core.hourly_add(len(emails))
        for email in emails:
            self.core.email_queue.setdefault(email, Queued(self.core.env.now()))
        return ok({"success": True, "emails": emails, "userId": USER_ID, "sent": True})

    # ---- social URL
    def add_url(self, call: Call) -> Response:
        url = normalize_url(call.text("url"))
        if not url:
            return missing("url")
        if not any(host in url for host in ("linkedin.com/", "twitter.com/", "x.com/")):
            return failure("Please provide a LinkedIn or X profile link", key="message")
        if not self.core.can_afford(1):
            return self._no_credits()
        self.core.charge(1)
        self.core.hourly_add(1)
        self.core.url_queue.setdefault(url, Queued(self.core.env.now()))
        return ok({"success": True})

    def from_url(self, call: Call) -> Response:
        url = normalize_url(call.text("url"))
        if not url:
            return missing("url")
        person = self.core.db.by_url.get(url)
        queued = self.core.url_queue.get(url)
        if self.core.recorded:
            # Public clients saw three "no profile" shapes and the profile as one object, not a list.
            if person is None:
                return ok({"success": False, "result": "Prospect not found"})
            if queued is None or not self.core.ready(queued.started):
                return ok({"success": True, "message": "The prospect is still being processed. Please try later"})
            return ok({"success": True, "data": url_profile(person, with_emails=True)})
        if self.core.documented:
            if person is None or queued is None or not self.core.ready(queued.started):
                return ok({"success": False})
            return ok({"success": True, "data": [url_profile(person, with_emails=True)]})
        if queued is not None and not self.core.ready(queued.started) and url not in self.core.db.urls_known:
            return ok({"success": True, "message": "The prospect is still being processed. Please try later"})
        if person is None or (queued is None and url not in self.core.db.urls_known):
            return ok({"success": True, "message": "We couldn't find profile with this url"})
        return ok({"success": True, "data": [url_profile(person, with_emails=True)]})

    # ---- profile by email
    @staticmethod
    def _previous_jobs(person: Person) -> list[dict[str, Any]]:
        """The doc's example history for octagon.com people (Lizi Hamer's earlier jobs); none for the others."""
        if person.domain != "octagon.com":
            return []
        earlier = job_view("Fusion Co-innovation Labs", "Creative Entrepreneur", "", None, None)
        return [{**earlier, "site": None, "startDate": "2013-05-31", "endDate": "2013-10-31"}]

    def profile_by_email(self, call: Call) -> Response:
        email = call.text("email").lower()
        if not email:
            return missing("email")
        person = self.core.db.by_email.get(email)
        if person is None:
            if self.core.recorded:  # the third "no profile" shape: success with only a message
                return ok({"success": True, "message": "We couldn't find profile with this email"})
            return failure("We couldn't find profile with this email", key="message")
        if not self.core.can_afford(1):
            return self._no_credits()
        self.core.charge(1)
        company = person.domain.split(".")[0].capitalize()
        return ok(
            {
                "success": True,
                "id": person.id,
                "source": "linkedIn",
                "name": person.name,
                "firstName": person.first,
                "lastName": person.last,
                "logo": "",
                "industry": person.industry,
                "country": person.country,
                "locality": person.locality,
                "social": [{"link": person.url, "type": "linkedIn"}],
                "currentJobs": [
                    job_view(company, person.position, f"https://{person.domain}", person.industry, person.country)
                ],
                "previousJobs": self._previous_jobs(person),
                "lastUpdateDate": "2025-04-11 12:37:58",
            }
        )

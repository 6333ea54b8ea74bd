"""Snov.io finder, verifier and profile results as the tools return them."""

from __future__ import annotations

from typing import Any, Literal

from mcp_server.core.tools.answer_models import Record
from mcp_server.core.upstream.values import is_obj, obj
from mcp_server.providers.snov.campaigns_models import as_list
from mcp_server.providers.snov.search_models import FoundEmail
from mcp_server.providers.snov.spend_models import Spending

Outcome = Literal["found", "not_found", "running", "not_searched"]


class FoundEmails(Spending):
    first_name: str
    last_name: str
    domain: str
    status: Outcome
    emails: list[FoundEmail] | None = None
    method: str
    """Which Snov.io method answered: the v1 Email Finder, or its v2 replacement where v1 is gone."""
    credits: int = 0
    handle: str | None = None
    hint: str | None = None


class Verified(Record):
    email: str
    status: str
    """valid, not_valid, unknown, greylisted (retry in 15-60 min), no_status (Snov.io finished without an SMTP
    status), unverified (not queued), queued (not done)."""
    valid_format: bool | None = None
    disposable: bool | None = None
    webmail: bool | None = None
    gibberish: bool | None = None
    catchall: bool | None = None
    greylist: bool | None = None
    """The mail server greylists Snov.io's checks."""
    banned_error: bool | None = None
    """The mail server did not answer Snov.io's connection."""
    connection_error: bool | None = None
    """The mail server failed while Snov.io connected."""

    @classmethod
    def of(cls, email: str, data: dict[str, Any]) -> Verified:
        status = data.get("smtpStatus", data.get("smtp_status"))
        flags = {name: flag(data, *keys) for name, keys in VERIFIER_FLAGS.items()}
        return cls(email=email, status=str(status) if status not in (None, "") else "no_status", **flags)


VERIFIER_FLAGS = {
    "valid_format": ("isValidFormat", "is_valid_format"),
    "disposable": ("isDisposable", "is_disposable"),
    "webmail": ("isWebmail", "is_webmail"),
    "gibberish": ("isGibberish", "is_gibberish"),
    "catchall": ("isCatchall", "is_catchall"),
    "greylist": ("isGreylist", "is_greylist"),
    "banned_error": ("isBannedError", "is_banned_error"),
    "connection_error": ("isConnectionError", "is_connection_error"),
}
"""Every flag of the document's verifier answer (camelCase) and the v2 pair's (snake_case): false ones kept."""


def flag(data: dict[str, Any], *keys: str) -> bool | None:
    """A yes/no flag as Snov.io gives it (true, "true", 1, "1"...); None when absent or unreadable."""
    for key in keys:
        value = data.get(key)
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return value != 0
        if isinstance(value, str) and value.strip().lower() in TRUTHS:
            return TRUTHS[value.strip().lower()]
    return None


TRUTHS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


class Verification(Spending):
    results: list[Verified]
    method: str
    credits: int = 0
    queued: int = 0
    errors: list[str] | None = None
    """Queue requests that failed, naming their emails (left out of ``queued``)."""
    handle: str | None = None
    hint: str | None = None


class Job(Record):
    """One job of a profile or prospect with its company's details, as Snov.io gives them."""

    current: bool
    position: str | None = None
    company: str | None = None
    site: str | None = None
    social_link: str | None = None
    industry: str | None = None
    size: str | None = None
    founded: str | None = None
    company_type: str | None = None
    country: str | None = None
    locality: str | None = None
    state: str | None = None
    city: str | None = None
    street: str | None = None
    street2: str | None = None
    postal: str | None = None
    start_date: str | None = None
    end_date: str | None = None

    @classmethod
    def of(cls, job: dict[str, Any], *, current: bool) -> Job:
        def text(*keys: str) -> str | None:
            value = next((job[k] for k in keys if job.get(k) not in (None, "")), None)
            return None if value is None or isinstance(value, dict | list) else str(value)

        return cls(
            current=current,
            position=text("position"),
            company=text("companyName", "company_name"),
            site=text("site"),
            social_link=text("socialLink", "social_link"),
            industry=text("industry"),
            size=text("size"),
            founded=text("founded"),
            company_type=text("companyType", "company_type"),
            country=text("country"),
            locality=text("locality"),
            state=text("state"),
            city=text("city"),
            street=text("street"),
            street2=text("street2"),
            postal=text("postal"),
            start_date=text("startDate", "start_date"),
            end_date=text("endDate", "end_date"),
        )


def job_details(current: list[dict[str, Any]], earlier: list[dict[str, Any]]) -> list[Job] | None:
    return [Job.of(j, current=True) for j in current] + [Job.of(j, current=False) for j in earlier] or None


class Profile(Spending):
    status: Outcome
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    industry: str | None = None
    country: str | None = None
    locality: str | None = None
    jobs: list[str] | None = None
    """Current jobs as "position at company"."""
    previous_jobs: list[str] | None = None
    """Earlier jobs, same form, with their dates where Snov.io has them."""
    employer_sites: list[str] | None = None
    """Domains of the current employers' sites: the input of snov_domain_search."""
    job_details: list[Job] | None = None
    """Every job with its company's details (site, size, industry, address, dates)."""
    social: list[str] | None = None
    emails: list[FoundEmail] | None = None
    source_page: str | None = None
    id: str | None = None
    """Snov.io's profile id."""
    source: str | None = None
    """Where Snov.io took the profile from (linkedIn...)."""
    updated: str | None = None
    """When Snov.io last updated the profile."""
    method: str
    credits: int = 0
    handle: str | None = None
    hint: str | None = None

    @classmethod
    def of(cls, data: dict[str, Any], *, method: str, credits: int) -> Profile:
        jobs = as_list(data.get("currentJobs") or data.get("currentJob") or data.get("positions"))
        earlier = as_list(data.get("previousJobs") or data.get("previousJob"))
        social = [str(s["link"]) for s in as_list(data.get("social")) if s.get("link")]
        emails = [
            FoundEmail(email=str(e["email"]), status=e.get("status") or e.get("emailStatus"))
            for e in as_list(data.get("emails"))
            if e.get("email")
        ]
        return cls(
            status="found",
            name=data.get("name"),
            first_name=data.get("firstName") or data.get("first_name"),
            last_name=data.get("lastName") or data.get("last_name"),
            industry=data.get("industry"),
            country=data.get("country"),
            locality=data.get("locality"),
            jobs=[_job(j) for j in jobs if _job(j)] or None,
            previous_jobs=[dated_job(j) for j in earlier if _job(j)] or None,
            employer_sites=employer_sites(jobs),
            job_details=job_details(jobs, earlier),
            social=social or None,
            emails=emails or None,
            source_page=data.get("sourcePage") or data.get("source_page"),
            id=str(data["id"]) if isinstance(data.get("id"), str | int) else None,
            source=data.get("source") if isinstance(data.get("source"), str) else None,
            updated=updated_at(data.get("lastUpdateDate")),
            method=method,
            credits=credits,
        )


def updated_at(value: Any) -> str | None:
    """A date as text, or a PHP DateTime object's ``date``."""
    date = obj(value).get("date") if is_obj(value) else value
    return str(date)[:19] if isinstance(date, str) and date else None


def _job(job: dict[str, Any]) -> str:
    company = job.get("companyName") or job.get("company_name")
    return " at ".join(str(part) for part in (job.get("position"), company) if part)


def dated_job(job: dict[str, Any]) -> str:
    """ "position at company (start to end)", the dates as Snov.io gives them."""
    start, end = job.get("startDate") or job.get("start_date"), job.get("endDate") or job.get("end_date")
    dates = f" ({start or '?'} to {end or '?'})" if start or end else ""
    return _job(job) + dates


def employer_sites(jobs: list[dict[str, Any]]) -> list[str] | None:
    """The jobs' ``site`` URLs as bare domains (``http://www.octagon.com/`` -> ``octagon.com``), once each."""
    sites: list[str] = []
    for job in jobs:
        site = job.get("site")
        if not isinstance(site, str):
            continue
        host = site.strip().lower().split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].removeprefix("www.")
        if "." in host and host not in sites:
            sites.append(host)
    return sites or None


class Balance(Record):
    balance: float
    spent_by_this_server: float
    """What this server process has spent since it started."""
    max_credits: float | None = None
    """SNOV_MAX_CREDITS: what may be spent per credit period, by every server process on the same state
    store together; unset means no ceiling."""
    spent_this_period: float | None = None
    """What every server process on this state store has spent this credit period."""
    credit_period: str | None = None
    """SNOV_CREDIT_PERIOD: day, week or month (UTC), or a number of seconds."""
    period_ends_at: str | None = None
    """When the period ends and the ceiling starts again from 0 (ISO 8601, UTC)."""
    recipients_used: int | None = None
    limit_resets_in_days: int | None = None
    subscription_ends_in_days: int | None = None
    hint: str | None = None
    """Set when this server found the credit ledger lost within its period (the state store restarted empty)."""

"""Snov.io finder, verifier and profile results as the tools return them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, model_validator

from mcp_server.core.tools.answer_models import Record, SharedText
from mcp_server.core.upstream.values import is_obj, is_seq, obj
from mcp_server.providers.snov.reading import LooseText, Text, Upstream, loose_text, read, rows
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
    handle: SharedText = None
    hint: SharedText = None


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
TRUTHS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def flag_value(value: Any) -> bool | None:
    """A yes/no flag as Snov.io gives it (true, "true", 1, "1"...); None when absent or unreadable."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return TRUTHS.get(value.strip().lower())
    return None


def _verdict(value: Any) -> str:
    return str(value) if value not in (None, "") and not is_obj(value) else "no_status"


Flag = Annotated[bool | None, BeforeValidator(flag_value)]


class Verified(Upstream):
    upstream = VERIFIER_FLAGS

    email: str
    status: Annotated[str, BeforeValidator(_verdict)]
    """valid, not_valid, unknown, greylisted (retry in 15-60 min), no_status (Snov.io finished without an SMTP
    status), unverified (not queued), queued (not done)."""
    valid_format: Flag = None
    disposable: Flag = None
    webmail: Flag = None
    gibberish: Flag = None
    catchall: Flag = None
    greylist: Flag = None
    """The mail server greylists Snov.io's checks."""
    banned_error: Flag = None
    """The mail server did not answer Snov.io's connection."""
    connection_error: Flag = None
    """The mail server failed while Snov.io connected."""


def verified(email: str, data: Any) -> Verified:
    """One email's verdict from the v1 answer's ``data`` or the v2 pair's ``result``."""
    row = obj(data)
    status = row.get("smtpStatus", row.get("smtp_status"))
    return read(Verified, {**row, "email": email, "status": status}, "verification")


class Verification(Spending):
    results: list[Verified]
    method: str
    credits: int = 0
    queued: int = 0
    errors: list[str] | None = None
    """Queue requests that failed, naming their emails (left out of ``queued``)."""
    handle: SharedText = None
    hint: SharedText = None


class Job(Upstream):
    """One job of a profile or prospect with its company's details, as Snov.io gives them."""

    upstream = {
        "company": ("companyName", "company_name"),
        "social_link": ("socialLink", "social_link"),
        "company_type": ("companyType", "company_type"),
        "start_date": ("startDate", "start_date"),
        "end_date": ("endDate", "end_date"),
    }

    current: bool
    position: LooseText = None
    company: LooseText = None
    site: LooseText = None
    social_link: LooseText = None
    industry: LooseText = None
    size: LooseText = None
    founded: LooseText = None
    company_type: LooseText = None
    country: LooseText = None
    locality: LooseText = None
    state: LooseText = None
    city: LooseText = None
    street: LooseText = None
    street2: LooseText = None
    postal: LooseText = None
    start_date: LooseText = None
    end_date: LooseText = None


def job_details(current: list[dict[str, Any]], earlier: list[dict[str, Any]]) -> list[Job] | None:
    jobs = [{**job, "current": True} for job in current] + [{**job, "current": False} for job in earlier]
    return [read(Job, job, "job") for job in jobs] or None


def updated_at(value: Any) -> str | None:
    """A date as text, or a PHP DateTime object's ``date``."""
    date = obj(value).get("date") if is_obj(value) else value
    return str(date)[:19] if isinstance(date, str) and date else None


class Social(Record):
    link: str
    type: str | None = None
    """The network as Snov.io names it (linkedIn, twitter...)."""


def social_links(value: Any) -> list[Social] | None:
    """Social links as ``[{link, type}]`` (the document) or bare link texts (a recorded client's shape)."""
    items = value if is_seq(value) else [value] if is_obj(value) or isinstance(value, str) else []
    links = [Social(link=item) for item in items if isinstance(item, str) and item]
    links += [
        Social(link=item["link"], type=loose_text(item.get("type")))
        for item in items
        if is_obj(item) and isinstance(item.get("link"), str) and item["link"]
    ]
    return links or None


def _found(value: Any) -> list[FoundEmail] | None:
    emails = [
        FoundEmail(email=str(e["email"]), status=e.get("status") or e.get("emailStatus"))
        for e in rows(value)
        if e.get("email")
    ]
    return emails or None


def _profile_id(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


class Profile(Spending, Upstream):
    upstream = {
        "first_name": ("firstName", "first_name"),
        "last_name": ("lastName", "last_name"),
        "source_page": ("sourcePage", "source_page"),
        "updated": ("lastUpdateDate",),
    }

    status: Outcome
    name: Text = None
    first_name: Text = None
    last_name: Text = None
    industry: Text = None
    country: Text = None
    locality: Text = None
    jobs: list[str] | None = None
    """Current jobs as "position at company"."""
    previous_jobs: list[str] | None = None
    """Earlier jobs, same form, with their dates where Snov.io has them."""
    employer_sites: list[str] | None = None
    """Domains of the current employers' sites: the input of snov_domain_search."""
    job_details: list[Job] | None = None
    """Every job with its company's details (site, size, industry, address, dates)."""
    social: Annotated[list[Social] | None, BeforeValidator(social_links)] = None
    emails: Annotated[list[FoundEmail] | None, BeforeValidator(_found)] = None
    source_page: Text = None
    id: Annotated[str | None, BeforeValidator(_profile_id)] = None
    """Snov.io's profile id."""
    source: Annotated[str | None, BeforeValidator(lambda value: value if isinstance(value, str) else None)] = None
    """Where Snov.io took the profile from (linkedIn...)."""
    updated: Annotated[str | None, BeforeValidator(updated_at)] = None
    """When Snov.io last updated the profile."""
    method: str
    credits: int = 0
    handle: SharedText = None
    hint: SharedText = None

    @model_validator(mode="before")
    @classmethod
    def _jobs(cls, data: Any) -> Any:
        # Snov.io names the job lists in the plural, in the singular, or "positions"; each becomes the job fields.
        if not is_obj(data) or "jobs" in data:
            return data
        jobs = rows(data.get("currentJobs") or data.get("currentJob") or data.get("positions"))
        earlier = rows(data.get("previousJobs") or data.get("previousJob"))
        return {
            **data,
            "jobs": [_job(j) for j in jobs if _job(j)] or None,
            "previous_jobs": [dated_job(j) for j in earlier if _job(j)] or None,
            "employer_sites": employer_sites(jobs),
            "job_details": job_details(jobs, earlier),
        }


def profile(data: Any, *, method: str, credits: int) -> Profile:
    """A profile Snov.io found, and how it was found."""
    return read(Profile, {**obj(data), "status": "found", "method": method, "credits": credits}, "profile")


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
    teamwork: bool | None = None
    """Snov.io's teamwork flag: whether the account is part of a team's."""
    limit_resets_in_days: int | None = None
    subscription_ends_in_days: int | None = None
    hint: SharedText = None
    """Set when this server found the credit ledger lost within its period (the state store restarted empty)."""

"""Snov.io prospects and prospect lists as the tools return them."""

from __future__ import annotations

from typing import Any

from mcp_server.core.tools.answer_models import Record, Table
from mcp_server.core.tools.answers import stranger
from mcp_server.core.upstream.values import obj, objs
from mcp_server.providers.snov.campaigns_models import php_time
from mcp_server.providers.snov.finder_models import Job, dated_job, employer_sites, job_details


def _rows(value: Any) -> list[dict[str, Any]]:
    return objs(value)


def _filled(value: Any) -> dict[str, Any] | None:
    return {k: v for k, v in obj(value).items() if v not in (None, "")} or None


def _scalar(value: Any) -> str | int | None:
    return value if isinstance(value, str | int) and not isinstance(value, bool) and value != "" else None


def _number(value: Any) -> int | float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _job(job: dict[str, Any]) -> str:
    return " at ".join(str(part) for part in (job.get("position"), job.get("companyName")) if part)


class ProspectList(Record):
    id: int
    name: str | None = None
    contacts: int | None = None
    created: str | None = None

    @classmethod
    def of(cls, row: dict[str, Any]) -> ProspectList:
        return cls(
            id=row["id"], name=row.get("name"), contacts=row.get("contacts"), created=php_time(row.get("creationDate"))
        )


SMTP_CODES = {3: "valid"}
"""smtpStatus numbers in words, as snov_verify_emails says them: the document's one example is 3 on an email
that passed every check. Other numbers are undocumented and said as such, never guessed."""


def smtp_word(value: Any) -> str | None:
    """A listed email's smtpStatus as a word (a name passes as it is)."""
    given = _scalar(value)
    if isinstance(given, int):
        return SMTP_CODES.get(given, f"unknown (Snov.io code {given}; snov_verify_emails gives a verdict)")
    return given


class ListedEmail(Record):
    email: str
    status: str | None = None
    """Snov.io's smtpStatus in the words snov_verify_emails uses (valid, not_valid, ...); unset when never
    verified."""
    verified: bool | None = None
    probability: int | float | None = None


class ListedProspect(Record):
    """A prospect as a list's row: its best email (the first one verified valid, else the first) with that
    email's probability, status and verified flag in their own columns, any other emails after them; the page
    is the big answer, so the row keeps one email's fields flat instead of a record per email."""

    id: str
    name: str | None = None
    email: str | None = None
    probability: int | float | None = None
    status: str | None = None
    """The email's status, in snov_verify_emails' words."""
    verified: bool | None = None
    other_emails: list[ListedEmail] | None = None

    @classmethod
    def of(cls, row: dict[str, Any]) -> ListedProspect:
        emails = [
            ListedEmail(
                email=e["email"],
                status=smtp_word(e.get("smtpStatus", e.get("smtp_status"))),
                verified=e.get("isVerified") if isinstance(e.get("isVerified"), bool) else None,
                probability=_number(e.get("probability")),
            )
            for e in _rows(row.get("emails"))
            if isinstance(e.get("email"), str)
        ]
        best = next((e for e in emails if e.status == "valid"), emails[0] if emails else None)
        others = [e for e in emails if e is not best]
        return cls(
            id=row["id"],
            name=stranger(row.get("name")),
            other_emails=others or None,
            **(best.model_dump(exclude_none=True) if best else {}),
        )


class ListPage(Table[ListedProspect]):
    """A page of a prospect list as a table (columns once, a row per prospect), with the list's name and size."""

    list_name: str | None = None
    contacts: int | None = None


class ListRef(Record):
    id: int
    name: str | None = None


class ProspectCampaign(Record):
    id: int | None = None
    name: str | None = None
    status: str | None = None
    sent: int | None = None
    opens: int | None = None
    replies: int | None = None


class Prospect(Record):
    id: str
    name: str | None = None
    industry: str | None = None
    country: str | None = None
    locality: str | None = None
    social: dict[str, str] | None = None
    jobs: list[str] | None = None
    """Current jobs as "position at company"."""
    previous_jobs: list[str] | None = None
    job_details: list[Job] | None = None
    """Every job with its company's details (site, size, industry, address, dates)."""
    employer_sites: list[str] | None = None
    """Domains of the current employers' sites: the input of snov_domain_search."""
    lists: list[ListRef] | None = None
    campaigns: list[ProspectCampaign] | None = None
    custom_fields: dict[str, Any] | None = None
    updated: str | None = None

    @classmethod
    def of(cls, row: dict[str, Any]) -> Prospect:
        social = {s["type"]: s["link"] for s in _rows(row.get("social")) if s.get("type") and s.get("link")}
        jobs = _rows(row.get("currentJobs") or row.get("currentJob"))
        earlier = _rows(row.get("previousJobs") or row.get("previousJob"))
        campaigns = [
            ProspectCampaign(
                id=c.get("id"),
                name=c.get("name"),
                status=c.get("status"),
                sent=c.get("sentCount"),
                opens=c.get("openCount"),
                replies=c.get("replyCount"),
            )
            for c in _rows(row.get("campaigns"))
        ]
        return cls(
            id=str(row["id"]),
            name=stranger(row.get("name")),
            industry=row.get("industry"),
            country=row.get("country"),
            locality=row.get("locality"),
            social=social or None,
            jobs=[_job(j) for j in jobs] or None,
            previous_jobs=[dated_job(j) for j in earlier if _job(j)] or None,
            employer_sites=employer_sites(jobs),
            job_details=job_details(jobs, earlier),
            lists=[ListRef(id=x["id"], name=x.get("name")) for x in _rows(row.get("lists")) if "id" in x] or None,
            campaigns=campaigns or None,
            custom_fields=_filled(row.get("customFields")),
            updated=php_time(row.get("lastUpdateDate")),
        )


class CustomField(Record):
    label: str
    type: str | None = None
    required: bool | None = None


class AddedProspect(Record):
    id: str | None = None
    list_id: int
    added: bool | None = None
    updated: bool | None = None


class DoNotEmail(Record):
    list_id: int
    list_name: str | None = None
    added: list[str]
    already_listed: list[str]

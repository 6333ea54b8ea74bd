"""Snov.io prospects and prospect lists as the tools return them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, Self

from pydantic import BeforeValidator, model_validator

from mcp_server.core.tools.answer_models import Collected, Record, Table
from mcp_server.core.upstream.values import is_obj, obj
from mcp_server.providers.snov.finder_models import (
    Flag,
    Job,
    Social,
    dated_job,
    employer_sites,
    job_details,
    social_links,
)
from mcp_server.providers.snov.reading import Count, LooseText, PhpTime, StrangerText, Text, Upstream, read, rows


def _filled(value: Any) -> dict[str, Any] | None:
    return {k: v for k, v in obj(value).items() if v not in (None, "")} or None


def _scalar(value: Any) -> str | int | None:
    return value if isinstance(value, str | int) and not isinstance(value, bool) and value != "" else None


def _number(value: Any) -> int | float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _job(job: dict[str, Any]) -> str:
    return " at ".join(str(part) for part in (job.get("position"), job.get("companyName")) if part)


class ProspectList(Upstream):
    upstream = {"created": ("creationDate",), "deleted": ("isDeleted",), "deleted_at": ("deletionDate", "deleteDate")}

    id: int
    name: Text = None
    contacts: Count = None
    created: PhpTime = None
    deleted: Flag = None
    """True for a list deleted in Snov.io (it takes no prospects); false as Snov.io says it."""
    deleted_at: PhpTime = None


SMTP_CODES = {3: "valid"}
"""smtpStatus numbers in words, as snov_verify_emails says them: the document's one example is 3 on an email
that passed every check. Other numbers are undocumented and said as such, never guessed."""


def smtp_word(value: Any) -> str | None:
    """A listed email's smtpStatus as a word (a name passes as it is)."""
    given = _scalar(value)
    if isinstance(given, int):
        return SMTP_CODES.get(given, f"unknown (Snov.io code {given}; snov_verify_emails gives a verdict)")
    return given


EMAIL_CHECKS = {
    "valid_format": ("isValidFormat",),
    "disposable": ("isDisposable",),
    "webmail": ("isWebmail",),
    "gibberish": ("isGibberish",),
    "domain_type": ("domainType",),
    "job_status": ("jobStatus",),
}
"""A listed email's checks as the document shows them (a check never made is null there: left unset)."""


class ListedEmail(Upstream):
    upstream = {
        "status": ("smtpStatus", "smtp_status"),
        "verified": ("isVerified",),
        **EMAIL_CHECKS,
    }

    email: str
    status: Annotated[str | None, BeforeValidator(smtp_word)] = None
    """Snov.io's smtpStatus in the words snov_verify_emails uses (valid, not_valid, ...); unset when never
    verified."""
    verified: Flag = None
    probability: Annotated[int | float | None, BeforeValidator(_number)] = None
    valid_format: Flag = None
    disposable: Flag = None
    webmail: Flag = None
    gibberish: Flag = None
    domain_type: LooseText = None
    """company_domain, linkedin_email..."""
    job_status: LooseText = None


class ListedProspect(Upstream):
    """A prospect as a list's row: its best email (the first one verified valid, else the first) with that
    email's probability, status and verified flag in their own columns, any other emails after them; the page
    is the big answer, so the row keeps one email's fields flat instead of a record per email."""

    id: str
    name: StrangerText = None
    email: str | None = None
    status: str | None = None
    """The email's status, in snov_verify_emails' words."""
    # The checks that vary most first: the others are most often said once (ListPage.same), their cells empty.
    webmail: bool | None = None
    valid_format: bool | None = None
    disposable: bool | None = None
    gibberish: bool | None = None
    other_emails: list[ListedEmail] | None = None
    # Last, as the page's values most often shared (ListPage.same): a row stops at its last value.
    verified: bool | None = None
    probability: int | float | None = None
    domain_type: str | None = None
    job_status: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _best_email(cls, data: Any) -> Any:
        if not is_obj(data) or "emails" not in data:
            return data
        emails = [ListedEmail.model_validate(e) for e in rows(data["emails"]) if isinstance(e.get("email"), str)]
        best = next((e for e in emails if e.status == "valid"), emails[0] if emails else None)
        others = [e for e in emails if e is not best]
        flat = best.model_dump(exclude_none=True) if best else {}
        return {"id": data.get("id"), "name": data.get("name"), **flat, "other_emails": others or None}


SHAREABLE = (
    "probability",
    "verified",
    "domain_type",
    "job_status",
    "valid_format",
    "disposable",
    "webmail",
    "gibberish",
)
"""Columns said once (``ListPage.same``) when every row of a page holds the same value in them."""


class ListPage(Table[ListedProspect]):
    """A page of a prospect list as a table (columns once, a row per prospect), with the list's name and size."""

    list_name: str | None = None
    contacts: int | None = None
    list_created: str | None = None
    same: dict[str, Any] | None = None
    """Values every row of this page holds (probability, domain_type...): said once, their cells left empty."""

    @classmethod
    def of(cls, got: Collected[Any], row: Callable[[Any], Any] | None = None, **extra: Any) -> Self:
        return super().of(got, row, **extra).shared()

    def shared(self) -> Self:
        """The page with each ``SHAREABLE`` column every row holds the same value in said once in ``same``; the
        columns stay (the rows are typed place by place), their cells empty, and a row stops at its last value."""
        if len(self.rows) < 2:
            return self
        same: dict[str, Any] = {}
        for name in SHAREABLE:  # rows are whole here (answers.prune cuts their ends later)
            at = self.columns.index(name)
            if self.rows[0][at] is not None and len({json.dumps(row[at]) for row in self.rows}) == 1:
                same[name] = self.rows[0][at]  # json.dumps tells true from 1
        if not same:
            return self
        emptied = [i for i, name in enumerate(self.columns) if name in same]
        rows = [[None if i in emptied else cell for i, cell in enumerate(row)] for row in self.rows]
        return self.model_copy(update={"rows": rows, "same": same})


class ListRef(Record):
    id: int
    name: Text = None


class ProspectCampaign(Upstream):
    upstream = {"sent": ("sentCount",), "opens": ("openCount",), "replies": ("replyCount",)}

    id: Count = None
    name: Text = None
    status: Text = None
    sent: Count = None
    opens: Count = None
    replies: Count = None


def _lists(value: Any) -> list[Any] | None:
    return [row for row in rows(value) if "id" in row] or None


def _some(value: Any) -> list[Any] | None:
    return rows(value) or None


class Prospect(Upstream):
    upstream = {"custom_fields": ("customFields",), "updated": ("lastUpdateDate",)}

    id: Annotated[str, BeforeValidator(lambda value: str(value) if isinstance(value, int | str) else value)]
    name: StrangerText = None
    industry: Text = None
    country: Text = None
    locality: Text = None
    social: Annotated[list[Social] | None, BeforeValidator(social_links)] = None
    jobs: list[str] | None = None
    """Current jobs as "position at company"."""
    previous_jobs: list[str] | None = None
    job_details: list[Job] | None = None
    """Every job with its company's details (site, size, industry, address, dates)."""
    employer_sites: list[str] | None = None
    """Domains of the current employers' sites: the input of snov_domain_search."""
    lists: Annotated[list[ListRef] | None, BeforeValidator(_lists)] = None
    campaigns: Annotated[list[ProspectCampaign] | None, BeforeValidator(_some)] = None
    custom_fields: Annotated[dict[str, Any] | None, BeforeValidator(_filled)] = None
    updated: PhpTime = None

    @model_validator(mode="before")
    @classmethod
    def _jobs(cls, data: Any) -> Any:
        # Snov.io names the job lists in the plural and in the singular; each becomes the tools' job fields.
        if not is_obj(data) or "jobs" in data:
            return data
        jobs = rows(data.get("currentJobs") or data.get("currentJob"))
        earlier = rows(data.get("previousJobs") or data.get("previousJob"))
        return {
            **data,
            "jobs": [_job(j) for j in jobs] or None,
            "previous_jobs": [dated_job(j) for j in earlier if _job(j)] or None,
            "employer_sites": employer_sites(jobs),
            "job_details": job_details(jobs, earlier),
        }


def prospect(raw: Any) -> Prospect:
    return read(Prospect, raw, "prospect")


class CustomField(Upstream):
    label: str
    type: Text = None
    required: Flag = None
    key: Text = None
    """The field as Snov.io's forms name it (``customFields['label']``)."""


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

"""Snov.io domain search results as the tools return them, and the argument types they share."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from mcp_server.core.tools.answer_models import Maybe, Paged, Record
from mcp_server.core.tools.answers import stranger
from mcp_server.core.upstream.values import is_seq
from mcp_server.providers.snov.campaigns_models import body_of
from mcp_server.providers.snov.spend_models import Spending

Status = Literal["done", "running"]
DOMAIN_PATTERN = r"^(https?://)?(www\.)?[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,63}/?$"
Domain = Annotated[str, Field(max_length=253, pattern=DOMAIN_PATTERN, description="e.g. acme.com")]
# Undescribed: an answer with a handle says how to pass it back, so no call need pay for it.
Handle = Annotated[Maybe[str], Field(max_length=2000)]


def clean_domain(raw: str) -> str:
    domain = raw.strip().lower().removeprefix("https://").removeprefix("http://").removeprefix("www.")
    return domain.rstrip("/")


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


class Company(Spending):
    domain: str
    status: Status
    name: str | None = None
    industry: str | None = None
    size: str | None = None
    city: str | None = None
    founded: str | None = None
    website: str | None = None
    hq_phone: str | None = None
    related_domains: list[str] | None = None
    prospects: int | None = None
    emails: int | None = None
    generic_contacts: int | None = None
    handle: str | None = None
    hint: str | None = None

    def found_anything(self) -> bool:
        """Whether Snov.io had results (it charges nothing without)."""
        info = (self.name, self.industry, self.size, self.city, self.founded, self.website, self.hq_phone)
        return any(info) or bool(self.related_domains) or any((self.prospects, self.emails, self.generic_contacts))

    @classmethod
    def of(cls, domain: str, body: dict[str, Any]) -> Company:
        data, meta = body_of(body.get("data")), body_of(body.get("meta"))
        related = data.get("related_domains")
        return cls(
            domain=domain,
            status="done",
            name=_text(data.get("company_name")),
            industry=_text(data.get("industry")),
            size=_text(data.get("size")),
            city=_text(data.get("city")),
            founded=_text(data.get("founded")),
            website=_text(data.get("website")),
            hq_phone=_text(data.get("hq_phone")),
            related_domains=[str(d) for d in related if d] if is_seq(related) else None,
            prospects=meta.get("prospects_count"),
            emails=meta.get("emails_count"),
            generic_contacts=meta.get("generic_contacts_count"),
        )


class DomainProspect(Record):
    first_name: str | None = None
    last_name: str | None = None
    position: str | None = None
    source_page: str | None = None
    prospect_hash: str | None = None
    """For snov_find_prospect_email."""

    @classmethod
    def of(cls, row: dict[str, Any]) -> DomainProspect:
        start = row.get("search_emails_start")
        return cls(
            first_name=stranger(_text(row.get("first_name"))),
            last_name=stranger(_text(row.get("last_name"))),
            position=stranger(_text(row.get("position"))),
            source_page=_text(row.get("source_page")),
            prospect_hash=start.rstrip("/").rsplit("/", 1)[-1] if isinstance(start, str) and start else None,
        )


class DomainPage(Paged[Any], Spending):
    """A page of a domain's prospects or emails; ``total`` is Snov.io's count for the whole domain."""

    domain: str
    total: int | None = None


class DomainProspects(DomainPage):
    items: list[DomainProspect]


class DomainEmails(DomainPage):
    items: list[str]


class FoundEmail(Record):
    email: str
    status: str | None = None
    """valid, or unknown (the server accepts any address)."""


class ProspectEmail(Spending):
    prospect_hash: str
    status: Status
    emails: list[FoundEmail] | None = None
    searched_at: str | None = None
    handle: str | None = None
    hint: str | None = None


class DomainCount(Record):
    domain: str
    emails: int
    webmail: bool | None = None

"""Snov.io domain search results as the tools return them, and the argument types they share."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from mcp_server.core.tools.answer_models import Maybe, Paged, Record, SharedText
from mcp_server.core.upstream.values import is_seq
from mcp_server.providers.snov.campaigns_models import body_of
from mcp_server.providers.snov.reading import Count, LooseText, StrangerText, Upstream, read
from mcp_server.providers.snov.spend_models import Spending

Status = Literal["done", "running"]
DOMAIN_PATTERN = r"^(https?://)?(www\.)?[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,63}/?$"
Domain = Annotated[str, Field(max_length=253, pattern=DOMAIN_PATTERN)]
# Undescribed: an answer with a handle says how to pass it back, so no call need pay for it.
Handle = Annotated[Maybe[str], Field(max_length=2000)]


def clean_domain(raw: str) -> str:
    domain = raw.strip().lower().removeprefix("https://").removeprefix("http://").removeprefix("www.")
    return domain.rstrip("/")


def _domains(value: Any) -> list[str] | None:
    return [str(d) for d in value if d] if is_seq(value) else None


class Company(Spending, Upstream):
    upstream = {
        "name": ("company_name",),
        "prospects": ("prospects_count",),
        "emails": ("emails_count",),
        "generic_contacts": ("generic_contacts_count",),
    }

    domain: str
    status: Status
    name: LooseText = None
    industry: LooseText = None
    size: LooseText = None
    city: LooseText = None
    founded: LooseText = None
    website: LooseText = None
    hq_phone: LooseText = None
    related_domains: Annotated[list[str] | None, BeforeValidator(_domains)] = None
    prospects: Count = None
    emails: Count = None
    generic_contacts: Count = None
    handle: SharedText = None
    hint: SharedText = None

    def found_anything(self) -> bool:
        """Whether Snov.io had results (it charges nothing without)."""
        info = (self.name, self.industry, self.size, self.city, self.founded, self.website, self.hq_phone)
        return any(info) or bool(self.related_domains) or any((self.prospects, self.emails, self.generic_contacts))


def company(domain: str, body: dict[str, Any]) -> Company:
    """A finished domain search: the company under ``data``, the counts under ``meta``."""
    data, meta = body_of(body.get("data")), body_of(body.get("meta"))
    return read(Company, {**meta, **data, "domain": domain, "status": "done"}, "company")


def _hash(start: Any) -> str | None:
    """The prospect's hash, the last part of its ``search_emails_start`` URL."""
    return start.rstrip("/").rsplit("/", 1)[-1] if isinstance(start, str) and start else None


class DomainProspect(Upstream):
    upstream = {"prospect_hash": ("search_emails_start",)}

    first_name: StrangerText = None
    last_name: StrangerText = None
    position: StrangerText = None
    source_page: LooseText = None
    prospect_hash: Annotated[str | None, BeforeValidator(_hash)] = None
    """For snov_find_prospect_email."""


def domain_prospect(raw: Any) -> DomainProspect:
    return read(DomainProspect, raw, "prospect")


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
    handle: SharedText = None
    hint: SharedText = None


class DomainCount(Record):
    domain: str
    emails: int
    webmail: bool | None = None

"""Snov.io v2 domain search: company info, prospects, a prospect's email, domain emails, generic contacts.

Each is an async job (start, then poll its result); the paged ones start one job per page. A call
polls within one bounded wait; past it the answer carries a handle (or cursor) that resumes the
same job, so nothing is started or paid for twice.
"""

from __future__ import annotations

import functools
import math
import re
import time
from collections.abc import Callable
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_server.core.errors import InvalidInput
from mcp_server.core.lists import handles
from mcp_server.core.lists.handles import fingerprint
from mcp_server.core.lists.jobs import Pending
from mcp_server.core.lists.listings import Ask, Listing, PageNumber, Send, TokenChain, read
from mcp_server.core.lists.pages import PageNotReady
from mcp_server.core.tools.answer_models import Maybe
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.core.upstream.endpoints import Endpoint
from mcp_server.core.upstream.values import number
from mcp_server.providers.snov import costs
from mcp_server.providers.snov.campaigns_models import Cursor, as_list, body_of
from mcp_server.providers.snov.client import Endpoints, Snov, api, snov
from mcp_server.providers.snov.costs import paid
from mcp_server.providers.snov.search_models import (
    Company,
    Domain,
    DomainCount,
    DomainEmails,
    DomainProspects,
    FoundEmail,
    Handle,
    ProspectEmail,
    clean_domain,
    domain_prospect,
)
from mcp_server.providers.snov.search_models import company as found_company
from mcp_server.providers.snov.spending import spends
from mcp_server.providers.snov.tasks import handle_for, poll, result_link, result_url, resume, still_running_hint

toolset = Toolset("snov")
"""This module's tools, in the order the provider lists them (providers/snov/provider.py)."""

PROSPECTS_PER_PAGE = 20
EMAILS_PER_PAGE = 50
Positions = Annotated[
    Maybe[list[Annotated[str, Field(min_length=1, max_length=100)]]],
    Field(max_length=10, description="Job titles"),
]
ProspectRef = Annotated[
    str,
    Field(
        min_length=8,
        max_length=600,
        description="Its prospect_hash or search_emails_start URL",
    ),
]
BARE_HASH = re.compile(r"[A-Za-z0-9_-]+")
Limit = Annotated[int, Field(ge=1, le=1000)]
DOMAIN_EMAILS, GENERIC_CONTACTS = costs.domain_emails("emails"), costs.domain_emails("generic contacts")
COUNT_FIRST = "snov_count_domain_emails (free) says how many there are; a smaller limit spends less."


def _more(body: Any, raw: list[Any]) -> bool:
    return isinstance(body.get("links"), dict) and bool(body["links"].get("next"))


def _emails(body: Any) -> list[dict[str, Any]]:
    return [row for row in as_list(body) if row.get("email")]


def _email(row: dict[str, Any]) -> str:
    return str(row["email"])


# Each listing names its start endpoint; RESULTS, where each of its jobs answers.
PROSPECTS = Listing(
    "snov_list_domain_prospects",
    api,
    Endpoints.domain_prospects_start,
    PageNumber("page", more=_more),
    as_list,
    domain_prospect,
    "prospects",
    skip_unreadable=False,
)
NEXT_TOKEN = TokenChain("next", lambda body: body_of(body.get("meta")).get("next"))


def _email_listing(tool: str, start: Endpoint) -> Listing[str]:
    return Listing(tool, api, start, NEXT_TOKEN, _emails, _email, "emails", skip_unreadable=False)


EMAIL_JOBS = {
    "domain-emails": _email_listing("snov_list_domain_emails", Endpoints.domain_emails_start),
    "generic-contacts": _email_listing("snov_list_generic_contacts", Endpoints.generic_contacts_start),
}
RESULTS = {
    "snov_list_domain_prospects": Endpoints.domain_prospects_result,
    "snov_list_domain_emails": Endpoints.domain_emails_result,
    "snov_list_generic_contacts": Endpoints.generic_contacts_result,
}


async def _start(
    service: Snov, start: Endpoint, form: dict[str, Any], what: str, target: str | None = None
) -> tuple[dict[str, Any], str | None]:
    """Start a job, and the key of the credit it reserved (None: this request was paid for already).
    ``target``: the start's path or URL as an earlier answer gave it (it must be ``start``).

    Snov.io charges 1 credit per distinct request and nothing without results, so a retry is as safe as a
    read, a repeat is free, and ``settle`` gives the credit back when the result is empty."""
    path, link = (start.path, None) if target is None else (target, start.link)
    # A link is checked before a credit is reserved: a refused one costs nothing.
    service.api.url(path, link, start.method)
    form = {k: v for k, v in form.items() if v not in (None, "", [])}
    send = functools.partial(start.send, service.api, path, data=form, link=link)
    started, key = await service.credits.spend_once(_start_key(path, form), what, send)
    return body_of(started.data), key


def _start_key(path: str, form: dict[str, Any]) -> str:
    """What makes a start request distinct (Snov.io charges each distinct one once)."""
    return fingerprint(path=path, **{k: v for k, v in form.items() if v not in (None, "", [])})


def _unpaid(service: Snov, listing: Listing[Any], filters: dict[str, Any], pages: int, cursor: str | None) -> int:
    """How many of a read's ``pages`` may cost a credit: a page this server already paid for is read again
    free. Read from the start, the first pages' requests are known (every page of a numbered list, the first
    of a token chain); a cursor's or a later token's page counts as unpaid."""
    if cursor:
        return pages
    refs: list[Any] = [None, *range(2, pages + 1)] if isinstance(listing.paging, PageNumber) else [None]
    known = [_start_key(listing.endpoint.path, {**filters, **listing.paging.ask(ref).params}) for ref in refs]
    return pages - len(known[:pages]) + service.credits.unpaid(known[:pages])


@toolset.tool(
    "Snov.io domain search",
    Access.SPEND,
    confirm=paid(costs.domain_search, instead="snov_count_domain_emails (free) says how many emails Snov.io holds."),
    example={"domain": "acme.com"},
)
@spends(costs.domain_search)
async def snov_domain_search(ctx: Context, domain: Domain, handle: Handle = None) -> Company:
    """Company info for a domain, and how many prospects, emails and generic contacts Snov.io holds. 1 credit per
    distinct search with results. Next: snov_list_domain_prospects, snov_list_domain_emails, snov_list_generic_contacts.
    """
    service, name = snov(ctx), clean_domain(domain)
    scope = handles.scope(domain=name)
    results = Endpoints.domain_search_result
    if handle:
        state = resume(handle, scope)
        url, key = state["u"], state.get("c")
    else:
        what = f"a domain search for {name}"
        started, key = await _start(service, Endpoints.domain_search_start, {"domain": name}, what)
        url = result_url(started, results)
    label, link = f"domain search for {name}", result_link(results)
    outcome = await poll(ctx, service, results, url, label=label, link=link, started_now=not handle)
    if isinstance(outcome, Pending):
        resume_handle = handle_for(scope, u=url, c=key)
        return Company(domain=name, status="running", handle=resume_handle, hint=still_running_hint("The search"))
    company = found_company(name, outcome)
    await service.credits.settle_once(key, found=company.found_anything())
    return company


@toolset.tool(
    "List prospects at a domain (Snov.io)",
    Access.SPEND,
    confirm=paid(costs.domain_prospects, instead="A smaller limit spends less."),
    example={"domain": "acme.com", "positions": ["Engineering Manager"], "limit": 10},
)
@spends(costs.domain_prospects)
async def snov_list_domain_prospects(
    ctx: Context, domain: Domain, positions: Positions = None, limit: Limit = 20, cursor: Cursor = None
) -> DomainProspects:
    """People at a domain, each with a prospect_hash. 1 credit per page of 20 (distinct requests only). Next:
    snov_find_prospect_email."""
    service, name = snov(ctx), clean_domain(domain)
    titles = sorted({p.strip() for p in positions or [] if p.strip()})
    filters = {"domain": name, "positions[]": titles}
    # Each page is a paid start: a limit the ceiling cannot cover is refused before the first one (pages
    # already paid for are read again free, so they do not count).
    pages = _unpaid(service, PROSPECTS, filters, math.ceil(limit / PROSPECTS_PER_PAGE), cursor)
    await service.credits.afford(pages, f"Reading up to {limit} prospects")
    total: dict[str, int] = {}
    label = f"prospects of {name}"
    send = _jobs(ctx, service, PROSPECTS, label, lambda ask: f"page {ask.params['page']} of {name}'s prospects")
    got = await read(ctx, PROSPECTS, limit, cursor, filters, send=send, seen=_total(total))
    return DomainProspects(
        items=got.items, next_cursor=got.next_cursor, hint=got.hint, domain=name, total=total.get("n")
    )


@toolset.tool(
    "Find a domain prospect's email (Snov.io)",
    Access.SPEND,
    confirm=paid(costs.prospect_email),
    example={"prospect": "0123456789abcdef"},
)
@spends(costs.prospect_email)
async def snov_find_prospect_email(ctx: Context, prospect: ProspectRef, handle: Handle = None) -> ProspectEmail:
    """The emails of a prospect from snov_list_domain_prospects, valid or unknown. 1 credit per prospect with an email.
    Next: snov_verify_emails or snov_add_prospect_to_list."""
    service = snov(ctx)
    if "/" not in prospect and not BARE_HASH.fullmatch(prospect):
        # Filled into the start path, ``abc?x=1`` would send the query with the paid request.
        raise InvalidInput(
            f"prospect {prospect[:40]!r} is neither a prospect_hash (letters, digits, - and _) nor a URL",
            provider="Snov.io",
            hint="Nothing was sent. Pass prospect_hash exactly as snov_list_domain_prospects returned it.",
        )
    prospect_hash = prospect.rstrip("/").rsplit("/", 1)[-1]
    scope = handles.scope(prospect=prospect_hash)
    if handle:
        state = resume(handle, scope)
        url, key = state["u"], state.get("c")
    else:
        # A URL from an earlier answer is followed only to the email-search start it stands for.
        start = Endpoints.prospect_email_start
        target = prospect if "/" in prospect else start.at(prospect_hash=prospect_hash).path
        started, key = await _start(service, start, {}, "a prospect's email search", target)
        url = result_url(started, Endpoints.prospect_email_result)
    link = result_link(Endpoints.prospect_email_result)
    results = Endpoints.prospect_email_result
    outcome = await poll(ctx, service, results, url, label="email search", link=link, started_now=not handle)
    if isinstance(outcome, Pending):
        hint = still_running_hint("The email search")
        resume_handle = handle_for(scope, u=url, c=key)
        return ProspectEmail(prospect_hash=prospect_hash, status="running", handle=resume_handle, hint=hint)
    data = body_of(outcome.get("data"))
    emails = [
        FoundEmail(email=str(e["email"]), status=e.get("smtp_status"))
        for e in as_list(data.get("emails"))
        if e.get("email")
    ]
    await service.credits.settle_once(key, found=bool(emails))  # 1 credit per prospect with an email
    return ProspectEmail(
        prospect_hash=prospect_hash, status="done", emails=emails, searched_at=data.get("searching_date")
    )


@toolset.tool(
    "List a domain's emails (Snov.io)",
    Access.SPEND,
    confirm=paid(DOMAIN_EMAILS, instead=COUNT_FIRST),
    example={"domain": "acme.com", "limit": 10},
)
@spends(DOMAIN_EMAILS)
async def snov_list_domain_emails(
    ctx: Context, domain: Domain, limit: Limit = 50, cursor: Cursor = None
) -> DomainEmails:
    """Emails Snov.io holds for a domain, unverified. 1 credit per page of 50 (distinct requests only). Next:
    snov_verify_emails."""
    return await _email_pages(ctx, "domain-emails", domain, limit, cursor)


@toolset.tool(
    "List a domain's generic contacts (Snov.io)",
    Access.SPEND,
    confirm=paid(GENERIC_CONTACTS, instead=COUNT_FIRST),
    example={"domain": "acme.com", "limit": 10},
)
@spends(GENERIC_CONTACTS)
async def snov_list_generic_contacts(
    ctx: Context, domain: Domain, limit: Limit = 50, cursor: Cursor = None
) -> DomainEmails:
    """A domain's role addresses (info@, sales@), unverified. 1 credit per page of 50 (distinct requests only)."""
    return await _email_pages(ctx, "generic-contacts", domain, limit, cursor)


@toolset.tool("Count a domain's emails (Snov.io)", Access.READ, example={"domain": "acme.com"})
async def snov_count_domain_emails(ctx: Context, domain: Domain) -> DomainCount:
    """How many emails Snov.io holds for a domain (0 for webmail). Free: check before paying for
    snov_list_domain_emails."""
    name = clean_domain(domain)
    response = await Endpoints.domain_emails_count.send(snov(ctx).api, data={"domain": name})
    data = body_of(response.data)
    emails = int(number(data.get("result") or 0, "count of emails", "Snov.io"))
    return DomainCount(domain=name, emails=emails, webmail=data.get("webmail"))


async def _email_pages(ctx: Context, tab: str, domain: str, limit: int, cursor: str | None) -> DomainEmails:
    """Domain emails and generic contacts: 50 a page, each page its own job, chained by a ``next`` token."""
    service, name = snov(ctx), clean_domain(domain)
    listing = EMAIL_JOBS[tab]
    what = f"Reading up to {limit} emails"
    filters = {"domain": name}
    await service.credits.afford(_unpaid(service, listing, filters, math.ceil(limit / EMAILS_PER_PAGE), cursor), what)
    total: dict[str, int] = {}
    send = _jobs(ctx, service, listing, f"{tab} of {name}", lambda ask: f"{name} {tab}")
    got = await read(ctx, listing, limit, cursor, filters, send=send, seen=_total(total))
    return DomainEmails(items=got.items, next_cursor=got.next_cursor, hint=got.hint, domain=name, total=total.get("n"))


def _jobs(ctx: Context, service: Snov, listing: Listing[Any], label: str, what: Callable[[Ask], str]) -> Send:
    """Each page its own job: started (and paid for) once, then polled within the call's one wait. A page
    still running leaves its job in the cursor, so the next call polls it instead of starting another."""
    deadline = time.monotonic() + service.wait
    results = RESULTS[listing.tool]

    async def send(ask: Ask, job: dict[str, Any]) -> Any:
        started_now = "u" not in job
        if started_now:
            started, job["c"] = await _start(service, listing.endpoint, ask.params, what(ask))
            job["u"] = result_url(started, results)
        wait, link = deadline - time.monotonic(), result_link(results)
        outcome = await poll(
            ctx, service, results, job["u"], label=label, wait=wait, link=link, started_now=started_now
        )
        if isinstance(outcome, Pending):
            raise PageNotReady(job)
        await service.credits.settle_once(job.get("c"), found=bool(listing.rows(outcome)))
        return outcome

    return send


def _total(total: dict[str, int]) -> Callable[[Any], None]:
    """Keeps Snov.io's count for the whole domain, as each page's ``meta`` gives it."""

    def seen(body: Any) -> None:
        meta = body_of(body_of(body).get("meta"))
        if isinstance(meta.get("total_count"), int):
            total["n"] = meta["total_count"]

    return seen

"""outreach_prospect_company: a company's people (or a Snov.io list) found, emailed, verified, screened and
added to a PersistIQ campaign in one call; a dry run (the default) spends and writes nothing.

Every step is a provider tool function over the same clients, so the Snov.io credit ledger, the rate
budgets and the job handles are the endpoint tools' own. A run the wait limit (OUTBOUND_MCP_MAX_WAIT) cuts
short answers what it has and a handle; its saved progress holds every job handle and lead id, so a resumed
run polls the jobs it started and pays or writes nothing twice.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_server.core.call.deadline import remaining
from mcp_server.core.call.progress import from_context
from mcp_server.core.errors import InvalidInput, OutboundError, RateLimited, describe
from mcp_server.core.lists.handles import scope as handle_scope
from mcp_server.core.tools.answer_models import Maybe
from mcp_server.core.tools.confirmations import Confirmation
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.outcomes.common import finish_progress, load_progress, read_all, resolve_name, save_progress
from mcp_server.outcomes.models import ProspectRow, ProspectRun, people_table
from mcp_server.outcomes.screening import SNOV_DNE_NOTE, Screen, screen
from mcp_server.providers.persistiq.campaigns import persistiq_add_leads_to_campaign
from mcp_server.providers.persistiq.client import Lists as PersistIQLists
from mcp_server.providers.persistiq.leads import persistiq_create_leads
from mcp_server.providers.persistiq.models import Failure, MailboxId, NewLead
from mcp_server.providers.snov.client import snov
from mcp_server.providers.snov.costs import Estimate, ledger, render
from mcp_server.providers.snov.prospects import snov_list_prospects_in_list
from mcp_server.providers.snov.search import Positions, snov_find_prospect_email, snov_list_domain_prospects
from mcp_server.providers.snov.search_models import Domain, Handle, clean_domain
from mcp_server.providers.snov.verifier import snov_verify_emails

toolset = Toolset("outcomes")

PAGE = 20
"""Snov.io's prospects per paid page."""
LOW_TIME = 3.0
"""Seconds of the call's wait below which no new paid job is started: it could not be polled."""
MaxProspects = Annotated[int, Field(ge=1, le=100)]


def most_credits(args: Mapping[str, Any]) -> int:
    """The worst case: every page of prospects, an email found and verified for each person."""
    people = int(args.get("max_prospects") or PAGE)
    if args.get("snov_list_id"):
        return people  # the list is free to read; only never-verified emails are paid for
    return math.ceil(people / PAGE) + 2 * people


def estimate(args: Mapping[str, Any], campaign: str) -> Estimate:
    source = f"Snov.io list {args['snov_list_id']}" if args.get("snov_list_id") else clean_domain(args["domain"] or "")
    what = (
        f'prospecting {source} into the PersistIQ campaign "{campaign}" (then creating PersistIQ leads and adding '
        "them to it)"
    )
    note = "1 per page of 20 prospects, 1 per email found, 1 per email Snov.io never verified; less when found before"
    return Estimate(most_credits(args), what, note if not args.get("snov_list_id") else "only never-verified emails")


async def campaign_named(ctx: Context, wanted: str) -> tuple[str, str]:
    """The PersistIQ campaign ``wanted`` names: its id and its full name (an error naming the closest ones)."""
    campaigns, _ = await read_all(ctx, PersistIQLists.campaigns, {}, 10_000)
    campaign_id = resolve_name(wanted, {c.name or c.id: c.id for c in campaigns}, "PersistIQ campaign", "campaign")
    return campaign_id, next((c.name for c in campaigns if c.id == campaign_id), None) or wanted


async def question(ctx: Context, args: Mapping[str, Any]) -> str | None:
    """The person sees the campaign the run will fill, by its full name (resolving it is free)."""
    if args.get("dry_run", True) or args.get("handle"):
        return None  # a dry run spends nothing; a resumed run was confirmed when it started
    _, named = await campaign_named(ctx, args["campaign"])  # no such campaign: the body says so, nothing is asked
    return render(estimate(args, named), await ledger(ctx))


CONFIRM = Confirmation(
    "paid", question, "Call with dry_run=true (free) to see who would be skipped and the most it can cost."
)


def writes(arguments: Mapping[str, Any]) -> bool:
    """A dry run writes nothing: it is read afresh each time, never answered from an earlier call."""
    return arguments.get("dry_run") is False


@toolset.tool(
    "Prospect a company into a PersistIQ campaign",
    Access.WRITE,
    confirm=CONFIRM,
    writes_when=writes,
    example={"campaign": "Logistics VPs", "domain": "acme.com", "positions": ["Engineering Manager"]},
)
async def outreach_prospect_company(
    ctx: Context,
    campaign: Annotated[str, Field(min_length=1, max_length=200)],
    domain: Maybe[Domain] = None,
    snov_list_id: Annotated[Maybe[int], Field(ge=1, description="Or a Snov.io prospect list")] = None,
    positions: Positions = None,
    max_prospects: MaxProspects = 20,
    dry_run: bool = True,
    mailbox_id: Annotated[Maybe[MailboxId], Field(description="From persistiq_list_users")] = None,
    handle: Handle = None,
) -> ProspectRun:
    """Prospect people at a domain with these titles, or a Snov.io list, into a PersistIQ campaign: find and verify
    emails, skip existing leads, do-not-contact domains and invalid emails, add the rest. dry_run (default) is free and
    writes nothing; false asks before spending credits."""
    if bool(domain) == bool(snov_list_id):
        raise InvalidInput("give domain or snov_list_id, one of them", field="domain", hint="Nothing was sent.")
    scope = handle_scope(c=campaign, d=domain, s=snov_list_id, p=sorted(positions or []), m=max_prospects, b=mailbox_id)
    state: dict[str, Any] = await load_progress(ctx, scope, handle) if handle else {}
    if state and dry_run:
        raise InvalidInput("a handle resumes a paid run", field="dry_run", hint="Resume with dry_run=false.")
    campaign_id, named = await campaign_named(ctx, campaign)
    run = Run(ctx, state, campaign_id, dry_run)
    run.asked_campaign = campaign
    source = f"Snov.io list {snov_list_id}" if snov_list_id else clean_domain(domain or "")
    try:
        if snov_list_id:
            await run.from_list(snov_list_id, max_prospects)
        elif dry_run:
            await run.known_at(clean_domain(domain or ""))
        else:
            await run.from_domain(clean_domain(domain or ""), positions, max_prospects)
        if not dry_run:
            await run.find_emails()
            await run.verify()
        await run.load_screen()
        run.decide()
        if not dry_run:
            await run.write(campaign_id, mailbox_id)
    except Pause:
        new_handle = await save_progress(ctx, scope, run.state)
        return run.answer(source, named, campaign_id, max_prospects, "partial", new_handle)
    await finish_progress(ctx, handle)
    return run.answer(source, named, campaign_id, max_prospects, "dry_run" if dry_run else "done", None)


class Pause(Exception):
    """The call's wait ran out (or a job is still running): hand back what is done and a handle."""


class Run:
    """One run's people and progress; ``state`` is what a handle saves."""

    def __init__(self, ctx: Context, state: dict[str, Any], campaign_id: str, dry_run: bool) -> None:
        self.ctx, self.dry_run = ctx, dry_run
        self._screen: Screen | None = None
        self.state = state or {"people": [], "credits": 0.0}
        self.people: list[dict[str, Any]] = self.state["people"]
        self.progress = from_context(ctx)
        self.notes: list[str] = []
        self.campaign_id = campaign_id
        self.asked_campaign = ""
        self.spent_before = snov(ctx).credits.spent if not dry_run else 0.0

    async def load_screen(self) -> Screen:
        """PersistIQ's leads and blocked domains, read when a step needs them: a resumed call that only polls
        Snov.io jobs reads none of them."""
        if self._screen is None:
            self._screen = await screen(self.ctx)
        return self._screen

    @property
    def screen(self) -> Screen:
        assert self._screen is not None, "load_screen() first"
        return self._screen

    def spent(self) -> float:
        now = snov(self.ctx).credits.spent if not self.dry_run else 0.0
        return float(self.state["credits"]) + max(0.0, now - self.spent_before)

    def _keep_credits(self) -> None:
        self.state["credits"] = self.spent()
        self.spent_before = snov(self.ctx).credits.spent

    def _pause(self, why: str) -> Pause:
        self._keep_credits()
        self.notes.append(why)
        return Pause()

    def _time_left(self) -> None:
        left = remaining()
        if left is not None and left < LOW_TIME:
            raise self._pause("The wait limit was reached before the next paid step.")

    # Sources

    async def known_at(self, domain: str) -> None:
        """A dry run on a domain: who is already a lead there (free); the rest needs the paid search."""
        await self.load_screen()
        for email, lead_id in self.screen.leads.items():
            if email.endswith("@" + domain):
                self.people.append(
                    {"n": email, "e": email, "o": "skip", "r": f"already a lead ({lead_id})", "id": lead_id}
                )
        if self.screen.blocked(domain):
            self.notes.append(f"{domain} is a PersistIQ do-not-contact domain: everyone there would be skipped.")
        self.notes.append(
            f"Who works at {domain} is known only once Snov.io's search is paid for: dry_run=false asks before "
            "spending, and skips people already leads before paying for their emails."
        )

    async def from_domain(self, domain: str, positions: list[str] | None, limit: int) -> None:
        if self.state.get("listed"):
            return
        await self.load_screen()
        if self.screen.blocked(domain):
            self.state["listed"] = True
            self.notes.append(f"{domain} is a PersistIQ do-not-contact domain: nothing was searched or spent.")
            return
        self._time_left()
        await self.progress(0, None, f"finding people at {domain}")
        try:
            got = await snov_list_domain_prospects(
                self.ctx,
                domain=domain,
                positions=positions,
                limit=limit - len(self.people),
                cursor=self.state.get("cursor"),
            )
        except RateLimited:
            raise self._pause("The rate budget had no room left in this call's wait.") from None
        for p in got.items:
            name = " ".join(part for part in (p.first_name, p.last_name) if part) or "(no name)"
            person = {
                "n": name,
                "f": p.first_name,
                "l": p.last_name,
                "t": p.position,
                "h": p.prospect_hash,
                "o": "pending",
            }
            lead_id = self.screen.lead_named(p.first_name, p.last_name, domain)
            if lead_id:  # skipped before their email is paid for
                person.update(o="skip", r=f"already a lead ({lead_id})", id=lead_id)
            self.people.append(person)
        self.state["cursor"] = got.next_cursor
        if got.next_cursor and len(self.people) < limit and not got.items:
            raise self._pause("Snov.io is still preparing the prospects.")
        if got.next_cursor and len(self.people) < limit:
            raise self._pause("More prospects remain to be read.")
        self.state["listed"] = True
        if not self.people:
            self.notes.append(f"Snov.io found nobody at {domain}" + (" with these positions." if positions else "."))

    async def from_list(self, list_id: int, limit: int) -> None:
        if self.state.get("listed"):
            return
        page = await snov_list_prospects_in_list(self.ctx, list_id=list_id, limit=limit, cursor=None)
        columns = page.columns
        for row in page.rows:
            cells = dict(zip(columns, row, strict=False))
            name = str(cells.get("name") or "(no name)")
            person: dict[str, Any] = {"n": name, "o": "pending", "s": True}
            email = cells.get("email")  # the row's best email: the first valid one, else the first
            if isinstance(email, str):
                # Lists give some statuses as numbers the docs do not explain: those are verified, not guessed.
                status = cells.get("status")
                person.update(e=email.lower(), v=status if isinstance(status, str) else None)
            self.people.append(person)
        self.state["listed"] = True

    # Paid steps

    async def find_emails(self) -> None:
        todo = [p for p in self.people if p["o"] == "pending" and not p.get("s")]
        handles: dict[str, str] = self.state.setdefault("eh", {})
        for done, person in enumerate(todo):
            if not handles.get(person["h"]):
                self._time_left()
            await self.progress(done, len(todo), f"finding {person['n']}'s email")
            try:
                found = await snov_find_prospect_email(self.ctx, prospect=person["h"], handle=handles.get(person["h"]))
            except RateLimited:
                raise self._pause("The rate budget had no room left in this call's wait.") from None
            if found.status == "running":
                handles[person["h"]] = found.handle or ""
                raise self._pause("Snov.io is still searching emails.")
            handles.pop(person["h"], None)
            person["s"] = True
            emails = found.emails or []
            best = next((e for e in emails if e.status == "valid"), emails[0] if emails else None)
            if best is None:
                person.update(o="skip", r="no email found")
            else:
                person.update(e=best.email.lower(), v=best.status)
        self._keep_credits()

    async def verify(self) -> None:
        """Only emails not already known valid go to the verifier, and only those not already screened out."""
        todo = [p["e"] for p in self.people if p["o"] == "pending" and p.get("e") and p.get("v") != "valid"]
        if todo:
            await self.load_screen()
        todo = [e for e in todo if not self.screen.lead_of(e) and not self.screen.blocked(e)]
        if not todo:
            return
        self._time_left()
        await self.progress(0, len(todo), f"verifying {len(todo)} emails")
        try:
            queue = not self.state.get("vq")
            got = await snov_verify_emails(self.ctx, emails=todo, queue_unverified=queue, handle=self.state.get("vh"))
        except RateLimited:
            raise self._pause("The rate budget had no room left in this call's wait.") from None
        verdicts = {r.email: r.status for r in got.results}
        for person in self.people:
            if person.get("e") in verdicts:
                person["v"] = verdicts[person["e"]]
        # Resumed after a v1 queue, an email still being verified reads "unverified" (the lookup is free).
        waiting = ("queued", "unverified") if self.state.get("vq") else ("queued",)
        if any(status in waiting for status in verdicts.values()):
            self.state.update(vh=got.handle or self.state.get("vh"), vq=self.state.get("vq") or got.handle is None)
            raise self._pause("Snov.io is still verifying emails.")
        self._keep_credits()

    def decide(self) -> None:
        for person in self.people:
            if person["o"] != "pending":
                continue
            email = person.get("e")
            if not email:
                person.update(o="skip", r="no email found")
                continue
            reason = self.screen.reason(email, person.get("v"))
            lead = self.screen.lead_of(email)
            if reason and self.dry_run and person.get("v") != "valid" and reason.startswith("email not verified"):
                person.update(o="add", r="if Snov.io verifies it valid (1 credit)")
            elif reason:
                person.update(o="skip", r=reason, id=lead)
            else:
                person["o"] = "add"

    async def write(self, campaign_id: str, mailbox_id: str | None) -> None:
        adding = [p for p in self.people if p["o"] == "add"]
        if not adding:
            return
        if "created" not in self.state:
            await self.progress(0, 2, f"creating {len(adding)} PersistIQ leads")
            leads = [
                NewLead(
                    email=p["e"], first_name=plain(p.get("f")), last_name=plain(p.get("l")), title=plain(p.get("t"))
                )
                for p in adding
            ]
            created = await persistiq_create_leads(self.ctx, leads=leads, dup="skip")
            ids = {ref.email.lower(): ref.id for ref in created.created if ref.email}
            for person in adding:
                person["id"] = ids.get(person["e"])
            for email in created.skipped or []:
                for person in adding:
                    if person["e"] == email.lower():
                        person.update(o="skipped", r="already a lead (found when creating)")
            for failure in created.failed or []:
                for person in adding:
                    if person["e"] in {e.lower() for e in failure.leads}:
                        person.update(o="failed", r=said(failure, "created", "persistiq_list_leads"))
            self.state["created"] = [p["id"] for p in adding if p.get("id") and p["o"] == "add"]
        ids = list(self.state["created"])
        if not ids:
            return
        await self.progress(1, 2, f"adding {len(ids)} leads to the campaign")
        try:
            added = await persistiq_add_leads_to_campaign(
                self.ctx, campaign_id=campaign_id, lead_ids=ids, mailbox_id=mailbox_id
            )
        except OutboundError as error:
            self.notes.append(f"The leads were created but not yet added to the campaign: {describe(error)}")
            raise self._pause("Adding to the campaign failed; the handle retries only that step.") from None
        done = set(added.added) | set(added.skipped or [])
        failed = {
            lead: said(f, "added", "persistiq_list_campaigns(lead_id)") for f in added.failed or [] for lead in f.leads
        }
        for person in self.people:
            if person.get("id") in done and person["o"] == "add":
                person["o"] = "added"
            elif person.get("id") in failed:
                person.update(o="failed", r=f"lead created, not added: {failed[person['id']]}")

    def answer(
        self, source: str, campaign: str, campaign_id: str, max_prospects: int, status: str, handle: str | None
    ) -> ProspectRun:
        rows = [
            ProspectRow(
                name=p["n"],
                title=p.get("t"),
                email=p.get("e"),
                verdict=p.get("v"),
                outcome=p["o"],
                reason=p.get("r"),
                lead_id=p.get("id"),
            )
            for p in self.people
        ]
        notes = [*self.notes, SNOV_DNE_NOTE]
        if campaign.lower() != self.asked_campaign.lower():
            notes.insert(
                0,
                f'"{self.asked_campaign}" is the campaign "{campaign}" (the only name that contains it).',
            )
        if self._screen is not None and self._screen.cut:
            notes.append("PersistIQ has more leads than were read: a duplicate past them is caught when creating.")
        if handle:
            notes.append(
                "Call again with the same arguments and this handle to finish; nothing is paid or written twice."
            )
        most = most_credits({"max_prospects": max_prospects, "snov_list_id": source.startswith("Snov.io list")})
        if source.startswith("Snov.io list"):  # the list is read: only its emails not known valid may be paid for
            most = sum(1 for p in self.people if p["o"] == "add" and p.get("v") != "valid")
        return ProspectRun(
            status=status,  # type: ignore[arg-type]
            campaign_id=campaign_id,
            campaign=campaign,
            source=source,
            people=people_table(rows),
            added=sum(r.outcome in ("added", "add") for r in rows)
            if status == "dry_run"
            else sum(r.outcome == "added" for r in rows),
            skipped=sum(r.outcome in ("skip", "skipped") for r in rows),
            credits_spent=self.spent(),
            most_credits=most if status == "dry_run" else None,
            handle=handle,
            hint=" ".join(notes),
        )


def said(failure: Failure, done: str, check: str) -> str:
    """A failed write's reason, saying when it may have been applied anyway (never a silent maybe)."""
    if failure.maybe_applied:
        return f"may have been {done} anyway (check with {check} before trying again): {failure.error}"
    return ("not sent: " if failure.not_sent else "") + failure.error


FENCE = ("<untrusted-content>", "</untrusted-content>")


def plain(text: str | None) -> str | None:
    """A name or title as Snov.io gave it: answers fence long third-party text, a lead's field must not carry
    the fence (it is data written back to PersistIQ, not shown to a model here)."""
    if not text or not text.startswith(FENCE[0]):
        return text
    return text.removeprefix(FENCE[0]).removesuffix(FENCE[1]).replace("&lt;", "<")

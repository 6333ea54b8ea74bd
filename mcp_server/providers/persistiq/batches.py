"""Reading one batch answer of PersistIQ (partial success: records beside per-lead ``errors``) into outcomes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from mcp_server.core.errors import OutboundError, may_be_applied
from mcp_server.core.lists.batches import BatchFailure
from mcp_server.core.upstream.values import is_seq, obj
from mcp_server.providers.persistiq.models import Failure, LeadRef

T = TypeVar("T")
# Words of PersistIQ's messages for a lead that already exists or is already in the campaign.
DUPLICATE_WORDS = ("already", "taken", "duplicate", "exists")


@dataclass
class LeadOutcome:
    created: list[LeadRef] = field(default_factory=list[LeadRef])
    updated: list[LeadRef] = field(default_factory=list[LeadRef])
    skipped: list[str] = field(default_factory=list[str])
    failed: list[Failure] = field(default_factory=list[Failure])
    answered: dict[str, dict[str, Any]] = field(default_factory=dict[str, dict[str, Any]])
    """Each answered lead's ``data`` by lowercased email: what PersistIQ holds for it now."""


@dataclass
class CampaignOutcome:
    added: list[str] = field(default_factory=list[str])
    skipped: list[str] = field(default_factory=list[str])
    failed: list[Failure] = field(default_factory=list[Failure])
    mailboxes: set[str] = field(default_factory=set[str])
    """The sending mailboxes the answer names for the leads added."""


def failures(failed: Sequence[BatchFailure[T]], label: Callable[[T], str]) -> list[Failure]:
    """Whole batches that failed, each naming its leads."""
    return [
        Failure(
            leads=[label(item) for item in batch.items],
            error=batch.error,
            maybe_applied=batch.maybe_applied or None,
            not_sent=not batch.sent or None,
        )
        for batch in failed
    ]


def maybe(error: OutboundError) -> bool | None:
    """``maybe_applied`` of a failure record: true, or left out (the core's one judgement, ``may_be_applied``)."""
    return may_be_applied(error) or None


def _dict(value: Any) -> dict[str, Any]:
    return obj(value)


def differs(sent: dict[str, Any], held: dict[str, Any]) -> bool:
    """Whether PersistIQ holds other values than were sent: under dup=skip, a lead answered so is an existing
    one left as it was (a new lead would carry the values sent). Values are compared as trimmed text."""

    def text(value: Any) -> str:
        return "" if value is None else str(value).strip()

    return any(text(held.get(key)) != text(value) for key, value in sent.items() if key != "email")


def _list(value: Any) -> list[Any]:
    return value if is_seq(value) else []


def _message(error: dict[str, Any]) -> str:
    message = error.get("message") or error.get("reason") or "refused without a message"
    return f"PersistIQ: {message}"


def _is_duplicate(error: dict[str, Any]) -> bool:
    text = f"{error.get('reason', '')} {error.get('message', '')}".lower()
    return any(word in text for word in DUPLICATE_WORDS)


def _email_of(lead: dict[str, Any]) -> str | None:
    email = _dict(lead.get("data")).get("email", lead.get("email"))
    return email if isinstance(email, str) else None


def split_outcome(emails: list[str], data: Any, dup: str) -> LeadOutcome:
    """Created leads (with dup=update, also the existing ones updated), duplicates skipped, failures by email."""
    body = _dict(data)
    out = LeadOutcome()
    pending = {email.lower(): email for email in emails}
    for lead in map(_dict, _list(body.get("leads"))):
        email = _email_of(lead)
        lead_id = lead.get("id")
        if not isinstance(lead_id, str):
            continue
        status = lead.get("status")
        out.created.append(LeadRef(id=lead_id, email=email, status=status if isinstance(status, str) else None))
        if email:
            pending.pop(email.lower(), None)
            out.answered[email.lower()] = _dict(lead.get("data"))
    for error in map(_dict, _list(body.get("errors"))):
        email = _email_of(_dict(error.get("lead")))
        original = pending.pop(email.lower(), email) if email is not None else None
        if dup == "skip" and _is_duplicate(error) and original:
            out.skipped.append(original)
        else:
            out.failed.append(Failure(leads=[original] if original else [], error=_message(error)))
    # With dup=skip PersistIQ may leave a duplicate out of both lists.
    if pending and dup == "skip":
        out.skipped += pending.values()
    elif pending:
        out.failed.append(Failure(leads=list(pending.values()), error=UNCONFIRMED, maybe_applied=True))
    return out


UNCONFIRMED = "PersistIQ's answer did not mention these leads: check with persistiq_list_leads before resending."
UNCONFIRMED_IN_CAMPAIGN = (
    "PersistIQ's answer did not mention these leads: check with persistiq_list_campaigns(lead_id=...) before resending."
)


def _lead_id_of(error: dict[str, Any]) -> str | None:
    campaign_lead = _dict(error.get("campaign_lead"))
    lead = _dict(campaign_lead.get("lead")) or _dict(error.get("lead"))
    lead_id = lead.get("id") or campaign_lead.get("lead_id") or error.get("lead_id")
    return lead_id if isinstance(lead_id, str) else None


def campaign_outcome(lead_ids: list[str], data: Any) -> CampaignOutcome:
    """Leads added, already in the campaign (skipped), and failures by lead id."""
    body = _dict(data)
    out = CampaignOutcome()
    pending = dict.fromkeys(lead_ids)
    for entry in map(_dict, _list(body.get("campaign_leads"))):
        lead_id = _dict(entry.get("lead")).get("id") or entry.get("lead_id")
        if isinstance(lead_id, str) and lead_id in pending:
            pending.pop(lead_id)
            out.added.append(lead_id)
            mailbox = entry.get("mailbox_id")
            if isinstance(mailbox, str) and mailbox:
                out.mailboxes.add(mailbox)
    anonymous: list[str] = []
    for error in map(_dict, _list(body.get("errors"))):
        lead_id = _lead_id_of(error)
        if lead_id is None or lead_id not in pending:
            anonymous.append(_message(error))
            continue
        pending.pop(lead_id)
        if _is_duplicate(error):
            out.skipped.append(lead_id)
        else:
            out.failed.append(Failure(leads=[lead_id], error=_message(error)))
    if pending:
        reason = "; ".join(anonymous) if anonymous else UNCONFIRMED_IN_CAMPAIGN
        out.failed.append(Failure(leads=list(pending), error=reason, maybe_applied=not anonymous or None))
    return out

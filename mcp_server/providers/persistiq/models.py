"""PersistIQ's records as the tools accept and return them: ids typed by prefix, outputs compact."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mcp_server.core.output import clip, prune

T = TypeVar("T")


Maybe = T | None
"""An optional argument (the core trims ``null`` from its schema: leaving it out is the way)."""


class Compact(BaseModel):
    """A record whose unset fields are left out of the answer, never sent as null."""


LeadId = Annotated[str, Field(pattern=r"^l_[A-Za-z0-9]+$")]
CampaignId = Annotated[str, Field(pattern=r"^c_[A-Za-z0-9]+$")]
UserId = Annotated[str, Field(pattern=r"^u_[A-Za-z0-9]+$")]
MailboxId = Annotated[str, Field(pattern=r"^mbox_[A-Za-z0-9]+$")]
StatusName = Annotated[str, Field(min_length=1, max_length=100)]
StatusId = Annotated[str, Field(pattern=r"^lss_[A-Za-z0-9]+$")]
FieldName = Annotated[str, Field(min_length=1, max_length=100)]
Limit = Annotated[int, Field(ge=1, le=1000)]
Cursor = Annotated[Maybe[str], Field(description="next_cursor of the last call, same filters")]


def filled(values: Any) -> Any:
    """Only the fields that have a value; long texts clipped."""
    if not isinstance(values, dict):
        return values
    out = prune(values)
    return {key: clip(value) if isinstance(value, str) else value for key, value in out.items()}


# Inputs


class NewLead(Compact):
    """Other fields (persistiq_list_lead_fields) may be added as string keys."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, str] = Field(init=False)  # pyright: ignore[reportIncompatibleVariableOverride]

    email: Annotated[str, Field(min_length=1, max_length=254)]
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    title: str | None = None
    phone: str | None = None
    industry: str | None = None
    address: str | None = None
    city: str | None = None
    state: str | None = None
    snippet: str | None = None


# Outputs


class Ref(Compact):
    """A user, creator or campaign as other records mention it."""

    id: str | None = None
    name: str | None = None
    email: str | None = None


class User(Compact):
    id: str
    name: str | None = None
    email: str | None = None
    activated: bool | None = None
    default_mailbox_id: str | None = None
    salesforce_id: str | None = None


class Lead(Compact):
    id: str
    status: str | None = None
    bounced: bool | None = None
    optedout: bool | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    """Only the lead fields that have a value."""

    @field_validator("data", mode="before")
    @classmethod
    def _only_filled(cls, value: Any) -> Any:
        return filled(value) or {}


class LeadRef(Compact):
    id: str
    email: str | None = None


class CampaignStats(Compact):
    prospects_contacted: int | None = None
    prospects_reached: int | None = None
    prospects_opened: int | None = None
    prospects_replied: int | None = None
    prospects_bounced: int | None = None
    prospects_optedout: int | None = None


class Campaign(Compact):
    id: str
    name: str | None = None
    creator: Ref | None = None
    stats: CampaignStats | None = None


class EventLead(Compact):
    id: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class Event(Compact):
    id: str
    kind: str
    event_at: str | None = None
    user: Ref | None = None
    campaign: Ref | None = None
    lead: EventLead | None = None
    params: dict[str, Any] | None = None
    diff: dict[str, Any] | None = None

    @field_validator("params", "diff", mode="before")
    @classmethod
    def _only_filled(cls, value: Any) -> Any:
        return filled(value) or None


class DncDomain(Compact):
    id: str
    name: str


class LeadStatus(Compact):
    id: str
    name: str


class LeadField(Compact):
    id: str | None = None
    name: str
    label: str | None = None


class Listing(Compact, Generic[T]):
    items: list[T]


class Paged(Compact, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
    hint: str | None = None


class Failure(Compact):
    """Leads (emails when creating, ids when adding to a campaign) that one error belongs to."""

    leads: list[str]
    error: str
    maybe_applied: bool | None = None
    not_sent: bool | None = None


class CreatedLeads(Compact):
    created: list[LeadRef]
    updated: list[LeadRef] | None = None
    """With dup=update: the existing leads (same email) that were updated, not created."""
    skipped: list[str] | None = None
    failed: list[Failure] | None = None
    hint: str | None = None


class AddedToCampaign(Compact):
    campaign_id: str
    added: list[str]
    skipped: list[str] | None = None
    failed: list[Failure] | None = None
    hint: str | None = None


class Removed(Compact):
    campaign_id: str
    lead_id: str
    removed: bool

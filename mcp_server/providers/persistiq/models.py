"""PersistIQ's records as the tools accept and return them: ids typed by prefix, outputs compact."""

from __future__ import annotations

import re
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from mcp_server.core.tools.answer_models import Maybe, Record, SharedText
from mcp_server.core.tools.answers import prune, stranger, untrusted
from mcp_server.core.tools.arguments import AsPairs, given, pairs_to_map
from mcp_server.core.upstream.values import is_obj

T = TypeVar("T")


# Ids are short in every document; the cap keeps a pasted blob from becoming a request path.
LeadId = Annotated[str, Field(pattern=r"^l_[A-Za-z0-9]+$", max_length=64)]
CampaignId = Annotated[str, Field(pattern=r"^c_[A-Za-z0-9]+$", max_length=64)]
UserId = Annotated[str, Field(pattern=r"^u_[A-Za-z0-9]+$", max_length=64)]
MailboxId = Annotated[str, Field(pattern=r"^mbox_[A-Za-z0-9]+$", max_length=64)]
StatusName = Annotated[str, Field(min_length=1, max_length=100)]
StatusId = Annotated[str, Field(pattern=r"^lss_[A-Za-z0-9]+$", max_length=64)]
FieldName = Annotated[str, Field(min_length=1, max_length=100)]
FieldValue = Annotated[str, Field(max_length=5000)]
Limit = Annotated[int, Field(ge=1, le=1000)]
# Undescribed: an answer with next_cursor says how to pass it (core.lists.pages), so no call need pay for it.
Cursor = Annotated[Maybe[str], Field(max_length=4096)]
MAX_FIELDS = 100
FieldPairs = Annotated[dict[FieldName, FieldValue], Field(max_length=MAX_FIELDS), AsPairs()]
"""Lead fields by name (persistiq_list_lead_fields): ``[{name, value}]``, or a ``{name: value}`` map."""


FREE_TEXT = re.compile(r"(?i)snippet|note|message|comment|description|body|bio|about|summary")
"""Lead fields that hold prose (snippets go into sent emails): always fenced, however short."""
_FREE_WORDS = re.compile(FREE_TEXT.pattern.removeprefix("(?i)"))


def free_text(key: str) -> bool:
    """``FREE_TEXT.search(key)``; an ASCII name is lowered and searched case-sensitively, a quarter of the
    case-blind search's time (every field of every lead)."""
    if key.isascii():  # lower() is exact on ASCII, where the case-blind search folds nothing else
        return _FREE_WORDS.search(key.lower()) is not None
    return FREE_TEXT.search(key) is not None


def filled(values: Any) -> Any:
    """Only the fields that have a value; long texts clipped, free text fenced (strangers write leads): prose
    fields always, short structured values (a title, a company) only once they read as free text."""
    if not isinstance(values, dict):
        return values
    kept: dict[str, Any] = prune(values)
    return {
        key: untrusted(value) if isinstance(value, str) and free_text(key) else stranger(value)
        for key, value in kept.items()
    }


# Inputs


Text = Annotated[str, Field(max_length=1000)]


class NewLead(Record):
    # Other lead fields come in `fields`; as extra string keys of the lead too (the older form), which the
    # published schema leaves out: an open object is what strict-mode converters cannot keep.
    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": False})
    __pydantic_extra__: dict[str, FieldValue] = Field(init=False)  # pyright: ignore[reportIncompatibleVariableOverride]

    email: Annotated[str, Field(min_length=1, max_length=254)]
    first_name: Maybe[Text] = None
    last_name: Maybe[Text] = None
    company_name: Maybe[Text] = None
    title: Maybe[Text] = None
    phone: Maybe[Annotated[str, Field(max_length=100)]] = None
    industry: Maybe[Text] = None
    address: Maybe[Text] = None
    city: Maybe[Text] = None
    state: Maybe[Text] = None
    snippet: Maybe[FieldValue] = None
    fields: Annotated[Maybe[FieldPairs], Field(description="Other fields (persistiq_list_lead_fields)")] = None

    @model_validator(mode="before")
    @classmethod
    def _spread_fields(cls, data: Any) -> Any:
        # The pairs become the lead's own keys: a built-in name fills that field, others go as extras.
        data = given(cls, data)  # our names, only what was given, unknown keys refused (the schema is closed)
        if not is_obj(data):
            return data
        try:
            extra: object = pairs_to_map(data.get("fields")) or {}
        except ValidationError:
            return data  # the field's own check tells which pair is wrong, by its path
        if not is_obj(extra):
            return data
        rest = {key: value for key, value in data.items() if key != "fields"}
        out = {**{k: v for k, v in extra.items() if v not in (None, "")}, **rest}
        if len(set(out) - set(cls.model_fields)) > MAX_FIELDS:
            raise ValueError(f"a lead takes at most {MAX_FIELDS} other fields")
        return out


# Outputs


def _count(value: Any) -> int | None:
    """A count as a number or its text; anything else is left out rather than failing the record."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    return None if value is None or isinstance(value, dict | list) else str(value)


LooseCount = Annotated[int | None, BeforeValidator(_count)]
LooseText = Annotated[str | None, BeforeValidator(_text)]
"""Fields the documents never show: read whatever type they come in."""


class Read(Record):
    """A record as PersistIQ answers it: a number where the document shows text (an id, a status) is read as
    that text, never a record skipped."""

    model_config = ConfigDict(coerce_numbers_to_str=True)


def _bare_id(data: Any) -> Any:
    """A reference given as its bare id (``"creator": "u_7"``) instead of an object."""
    return {"id": str(data)} if isinstance(data, str | int) and not isinstance(data, bool) else data


class Ref(Read):
    """A user, creator or campaign as other records mention it (an object, or only its id)."""

    id: str | None = None
    name: str | None = None
    email: str | None = None

    _bare = model_validator(mode="before")(_bare_id)


class User(Read):
    id: str
    name: str | None = None
    email: str | None = None
    activated: bool | None = None
    default_mailbox_id: str | None = None
    salesforce_id: str | None = None


class Lead(Read):
    id: str
    status: str | None = None
    bounced: bool | None = None
    optedout: bool | None = None
    # Not in the document's examples; real answers carry them and connectors sync them (Airbyte's leads schema).
    owner_id: LooseText = None
    creator_id: LooseText = None
    sent_count: LooseCount = None
    replied_count: LooseCount = None
    last_sent_at: LooseText = None
    data: dict[str, Any] = Field(default_factory=dict)
    """Only the lead fields that have a value (free text fenced: leads are written by strangers)."""

    @field_validator("data", mode="before")
    @classmethod
    def _only_filled(cls, value: Any) -> Any:
        return filled(value) or {}


class LeadRow(Read):
    """A lead as a list shows it, one table row: who it is and its status (persistiq_get_lead has every field)."""

    id: str
    status: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    company_name: str | None = None
    title: str | None = None

    @classmethod
    def of(cls, lead: Lead) -> LeadRow:
        named = {name: lead.data.get(name) for name in ROW_FIELDS}
        return cls(id=lead.id, status=lead.status, **{k: v if isinstance(v, str) else None for k, v in named.items()})


ROW_FIELDS = ("first_name", "last_name", "email", "company_name", "title")
"""The lead fields a list row carries: enough to tell leads apart and pick one."""


class LeadRef(Record):
    id: str
    email: str | None = None
    status: str | None = None
    """As PersistIQ answers it: a new lead's first status, an updated one's current status."""


class CampaignStats(Read):
    prospects_contacted: int | None = None
    prospects_reached: int | None = None
    prospects_opened: int | None = None
    prospects_replied: int | None = None
    prospects_bounced: int | None = None
    prospects_optedout: int | None = None
    total_contacted: int | None = None


class Campaign(Read):
    id: str
    name: str | None = None
    creator: Ref | None = None
    stats: CampaignStats | None = None
    total_prospects: LooseCount = None
    """Leads in the campaign (real answers carry it, inside stats; the document's example does not)."""

    @model_validator(mode="before")
    @classmethod
    def _count_from_stats(cls, data: Any) -> Any:
        # Airbyte recorded a real campaign counting its leads in stats.total_prospects; answered once, at the top.
        if not is_obj(data) or not is_obj(data.get("stats")) or "total_prospects" not in data["stats"]:
            return data
        stats = {key: value for key, value in data["stats"].items() if key != "total_prospects"}
        total = data.get("total_prospects")
        return {**data, "stats": stats, "total_prospects": data["stats"]["total_prospects"] if total is None else total}


class EventLead(Read):
    id: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    _bare = model_validator(mode="before")(_bare_id)


class Event(Read):
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
        # Free-form: only an object is shown; any other shape is left out rather than losing the event.
        return (filled(value) or None) if is_obj(value) else None


class DncDomain(Read):
    id: str
    name: str


class DncAdded(Record):
    """A domain put on the do-not-contact list, or found there already."""

    id: str | None = None
    name: str
    already_listed: bool | None = None
    hint: SharedText = None


class LeadStatus(Read):
    id: str
    name: str


class LeadField(Read):
    id: str | None = None
    name: str
    label: str | None = None


class Listing(Record, Generic[T]):
    items: list[T]
    hint: SharedText = None


class Failure(Record):
    """Leads (emails when creating, ids when adding to a campaign) that one error belongs to."""

    leads: list[str]
    error: str
    maybe_applied: bool | None = None
    not_sent: bool | None = None


class CreatedLeads(Record):
    created: list[LeadRef]
    created_status: str | None = None
    """The status every created lead has, said once (then left out of each ``created`` entry)."""
    updated: list[LeadRef] | None = None
    """With dup=update: the existing leads (same email) that were updated, not created."""
    skipped: list[str] | None = None
    failed: list[Failure] | None = None
    hint: SharedText = None


class AddedToCampaign(Record):
    campaign_id: str
    added: list[str]
    mailbox_id: str | None = None
    """The mailbox PersistIQ answered it sends from (the one given, or the one it chose)."""
    skipped: list[str] | None = None
    failed: list[Failure] | None = None
    hint: SharedText = None


class Removed(Record):
    campaign_id: str
    lead_id: str
    removed: bool

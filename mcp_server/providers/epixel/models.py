"""Epixel's records as the tools return them: compact, stranger-written text fenced."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, ConfigDict, Field, field_validator, model_validator

from mcp_server.core.tools.answer_models import Record, SharedText
from mcp_server.core.tools.answers import prune, stranger, untrusted
from mcp_server.core.upstream.values import is_obj


def _fence(value: Any) -> Any:
    return untrusted(value) if isinstance(value, str) else value


PERSON_KEYS = ("username", "email", "name", "id")


def username_of(value: Any) -> str | None:
    """A person as a list filter compares them: a username, or the username of a nested user object. A bare
    number is a user id, which no username equals: ``None`` (cannot tell)."""
    if isinstance(value, str):
        return value
    if is_obj(value):
        name = value.get("username")
        return name if isinstance(name, str) else None
    return None


def _person(value: Any) -> Any:
    """A person as an answer shows them (Django REST framework may send a nested user or a bare user id)."""
    if is_obj(value):
        return next((str(value[key]) for key in PERSON_KEYS if value.get(key) not in (None, "")), None)
    return value


class Read(Record):
    """A record as Epixel answers it: a number where text is expected (a phone, an id) is read as that text,
    never a record skipped."""

    model_config = ConfigDict(coerce_numbers_to_str=True)


def _upstream(name: str) -> Any:
    return Field(default=None, validation_alias=AliasChoices(name, f"appointment_{name}"))


class Appointment(Read):
    """Times are the CRM's wall-clock ``YYYY-MM-DD HH:MM``, no zone (``appointment_date`` / ``appointment_to``)."""

    id: int
    slug: str | None = None
    lead_name: str | None = None
    start: str | None = Field(default=None, validation_alias=AliasChoices("start", "appointment_date"))
    end: str | None = Field(default=None, validation_alias=AliasChoices("end", "appointment_to"))
    status: str | None = _upstream("status")
    note: str | None = _upstream("note")
    created_by: str | None = None

    _fenced = field_validator("note", mode="before")(_fence)
    _people = field_validator("created_by", mode="before")(_person)


class SavedAppointment(Appointment):
    """What a create answers: the appointment, or (an answer with only a message) no id and a hint."""

    id: int | None = None  # pyright: ignore[reportIncompatibleVariableOverride]
    hint: SharedText = None


class Note(Read):
    id: int
    slug: str | None = None
    note: str | None = None
    created_by: str | None = None
    created_at: str | None = None

    _fenced = field_validator("note", mode="before")(_fence)
    _people = field_validator("created_by", mode="before")(_person)


class Lead(Read):
    slug: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    status: str | None = None
    source: str | None = None
    location: str | None = None
    message: str | None = None
    owner: str | None = None
    assignee: str | None = None

    _fenced = field_validator("message", mode="before")(_fence)
    _names = field_validator("first_name", "last_name", "source", "location", mode="before")(stranger)
    _people = field_validator("owner", "assignee", mode="before")(_person)


class LeadRow(Read):
    """A lead as a list shows it, one table row (epixel_get_lead has every field, appointments and notes)."""

    slug: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    status: str | None = None
    source: str | None = None
    owner: str | None = None
    assignee: str | None = None

    # Whoever fills the CRM's web form writes these: bare as names, fenced once they read as free text.
    _names = field_validator("first_name", "last_name", "source", mode="before")(stranger)
    _people = field_validator("owner", "assignee", mode="before")(_person)


class SavedLead(Lead):
    """What a create answers: the lead, or (an answer with only a message) no slug and a hint to find it."""

    slug: str | None = None  # pyright: ignore[reportIncompatibleVariableOverride]
    hint: SharedText = None


class LeadDetail(Lead):
    appointments: list[Appointment] | None = None
    notes: list[Note] | None = None


class Overview(Record):
    """The dashboard counts; keys the API adds beyond these are kept in ``other``."""

    total_leads: int | None = None
    assigned_leads: int | None = None
    lead_status: dict[str, int] | None = None
    appointment_count: int | None = None
    appointment_status: dict[str, int] | None = None
    appointments: list[Appointment] | None = None
    other: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _keep_unknown(cls, data: Any) -> Any:
        if not is_obj(data):
            return data
        known = {k: v for k, v in data.items() if k in cls.model_fields and k != "other"}
        rest = prune({k: v for k, v in data.items() if k not in known and k != "appointment_filter"})
        return {**known, "other": rest or None}


class SavedNote(Note):
    """What a create answers: the note, or (an answer with only a message) no id and a hint."""

    id: int | None = None  # pyright: ignore[reportIncompatibleVariableOverride]
    hint: SharedText = None


def message_only(data: Any) -> str | None:
    """The words of a 2xx answer that carries only a message (a bare string, or an object with a message and no
    record): the document gives creates no success body, and real servers were recorded answering so."""
    if isinstance(data, str):
        return data.strip()[:300] or "saved"
    if is_obj(data) and not ({"id", "slug"} & data.keys()):
        words = data.get("message") or data.get("detail") or data.get("msg")
        return str(words)[:300] if words else None
    return None


class Done(Record):
    """What a delete answers: the id or slug it removed and the API's message."""

    deleted: str
    message: str | None = None

"""Operations the vendors' APIs do not have, said as such: a model that reaches for one (a tool name that is
not in tools/list) is told the API cannot do it and what it can do instead, not just "Unknown tool"."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Absent:
    pattern: str
    """A regular expression over a tool name (``snov_delete_prospect_list``)."""
    what: str
    """The operation in words, as the server's instructions list it."""
    instead: str


ABSENT = [
    Absent(
        r"^snov_(delete|remove)_(prospect_)?lists?$",
        "delete a Snov.io prospect list",
        "delete it in the Snov.io app; snov_list_prospect_lists marks deleted lists.",
    ),
    Absent(
        r"^snov_(delete|remove)_prospects?(_from_list)?$",
        "delete a Snov.io prospect or take one out of a list",
        "do it in the Snov.io app; snov_change_recipient_status stops a campaign for one recipient.",
    ),
    Absent(
        r"^snov_(create|start|pause|stop|update|delete)_campaigns?$",
        "create, start, pause, change or delete a Snov.io campaign",
        "manage campaigns in the Snov.io app; snov_change_recipient_status pauses one recipient.",
    ),
    Absent(
        r"^snov_(remove|delete)_(from_)?(do_not_email|blacklist)",
        "take an address off a Snov.io do-not-email list",
        "do it in the Snov.io app.",
    ),
    Absent(
        r"^persistiq_(delete|remove)_leads?$",
        "delete a PersistIQ lead",
        "persistiq_update_lead can set its status (or optedout: true); "
        "persistiq_remove_lead_from_campaign takes it out of a campaign.",
    ),
    Absent(
        r"^persistiq_(create|start|pause|update|delete)_campaigns?$",
        "create, start, pause, change or delete a PersistIQ campaign",
        "manage campaigns in the PersistIQ app; persistiq_add_leads_to_campaign adds leads to one.",
    ),
    Absent(
        r"^persistiq_(delete|remove)_dnc(_domains?)?$",
        "take a domain off PersistIQ's do-not-contact list",
        "do it in the PersistIQ app.",
    ),
    Absent(
        r"^(snov|persistiq|epixel)_send_(an_)?e?mails?$",
        "send a one-off email",
        "emails go out through campaigns (persistiq_add_leads_to_campaign, snov_add_prospect_to_list).",
    ),
    Absent(
        r"^epixel_(list|get|update)_(lead_)?notes?$",
        "list, read or change an Epixel lead's notes",
        "epixel_get_lead shows a lead; notes can be added (epixel_create_lead_note) or deleted only.",
    ),
]


def absent_list() -> str:
    """The short list the server's instructions carry."""
    return "The APIs have no operation to: " + "; ".join(a.what for a in ABSENT) + "."


def unknown_tool(name: str, known: Iterable[str]) -> str:
    """What a call naming no tool is told: the API lacks it (and what to do instead), or the closest names."""
    wanted = name.strip().lower()
    for entry in ABSENT:
        if re.search(entry.pattern, wanted):
            return (
                f"Unknown tool {name}: the API has no such operation (no way to {entry.what}). Instead: {entry.instead}"
            )
    close = difflib.get_close_matches(wanted, list(known), n=3, cutoff=0.6)
    if close:
        return f"Unknown tool {name}. Did you mean {', '.join(close)}? tools/list has every tool."
    return f"Unknown tool {name}: no tool has this name, and tools/list has every tool."

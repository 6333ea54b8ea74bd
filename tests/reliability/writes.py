"""Counting writes: what a call asked for, what reached the sandbox's handler, what the answer said.

A write is sound when no item reached the vendor twice, every item asked for is accounted for in the
answer (done, or failed), everything reported done really arrived, and anything that arrived but is
not reported done is flagged "may have been applied".
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from outbound_sandbox.kit import LoggedRequest

MAYBE = re.compile(r"(?i)may have been applied|may or may not|probably applied|check with")


def text_of(result: Any) -> str:
    return " ".join(getattr(block, "text", "") for block in result.content)


def form_list(entry: LoggedRequest, name: str) -> list[str]:
    """A list field from the URL query and the form body (the Snov.io verifier sends its emails in the query)."""
    values = parse_qs(entry.query).get(name, []) + parse_qs(entry.body.decode()).get(name, [])
    return [v.lower() for v in values]


def accepted(sandbox: Any, method: str, path: str) -> list[LoggedRequest]:
    """Requests the vendor itself handled and answered 2xx: the writes it applied."""
    return [e for e in sandbox.env.handled(method, path) if 200 <= (getattr(e, "status", None) or 0) < 300]


def json_body(entry: LoggedRequest) -> Any:
    try:
        return json.loads(entry.body or b"null")
    except ValueError:
        return None


def json_fields(entry: LoggedRequest) -> dict[str, Any]:
    """The JSON object a request sent, empty when it sent none."""
    return json_body(entry) or {}


def listed(data: dict[str, Any], name: str) -> list[Any]:
    """A list field of an answer, empty when it is missing or null."""
    return data.get(name) or []


@dataclass
class Account:
    done: set[str] = field(default_factory=set[str])
    maybe: set[str] = field(default_factory=set[str])
    """Failed, flagged as possibly applied."""
    refused: dict[str, str] = field(default_factory=dict[str, str])
    """Failed and reported as not applied, with the error text."""


@dataclass(frozen=True)
class WriteSpec:
    """How to count one write tool: the handled requests that carry its items, and its answer."""

    method: str
    path: str
    keys: Callable[[LoggedRequest], list[str]]
    account: Callable[[Any, list[str]], Account]
    asked: Callable[[dict[str, Any]], list[str]] = lambda args: []
    """The item keys a call's arguments ask to write."""

    @property
    def pattern(self) -> str:
        """The sandbox fault pattern of these requests."""
        return f"{self.method} {self.path}"


def single_account() -> Callable[[Any, list[str]], Account]:
    """One item per call: done on success, else maybe/refused by the error's words."""

    def account(result: Any, asked: list[str]) -> Account:
        out = Account()
        if not result.is_error:
            out.done.update(asked)
        elif MAYBE.search(text_of(result)):
            out.maybe.update(asked)
        else:
            out.refused.update(dict.fromkeys(asked, text_of(result)))
        return out

    return account


def persistiq_leads_account(result: Any, asked: list[str]) -> Account:
    out = Account()
    if result.is_error:
        target = out.maybe if MAYBE.search(text_of(result)) else None
        for key in asked:
            if target is not None:
                target.add(key)
            else:
                out.refused[key] = text_of(result)
        return out
    data: dict[str, Any] = result.structured_content or {}
    out.done.update(ref["email"].lower() for ref in data.get("created", []) if ref.get("email"))
    out.done.update(email.lower() for email in listed(data, "skipped"))
    out.done.update(i.lower() for i in listed(data, "added"))
    for failure in listed(data, "failed"):
        for key in failure["leads"]:
            if failure.get("maybe_applied"):
                out.maybe.add(key.lower())
            else:
                out.refused[key.lower()] = failure["error"] + (" (not sent)" if failure.get("not_sent") else "")
    return out


def snov_queue_account(result: Any, asked: list[str]) -> Account:
    """snov_verify_emails with queue_unverified: each email queued/verified, or named in ``errors``."""
    out = Account()
    if result.is_error:
        for key in asked:
            out.refused[key] = text_of(result)
        return out
    data: dict[str, Any] = result.structured_content or {}
    named: dict[str, str] = {}
    for line in listed(data, "errors"):
        emails, _, error = line.partition(": ")
        for email in emails.split(", "):
            named[email.strip().lower()] = error
    for row in data.get("results", []):
        email = row["email"].lower()
        if email in named:
            (out.maybe.add(email) if MAYBE.search(named[email]) else out.refused.__setitem__(email, named[email]))
        elif row.get("status") != "unverified":
            out.done.add(email)
    return out


@dataclass
class Ledger:
    asked: list[str]
    arrived: list[str]
    """Item keys of every request the vendor handled and accepted (repeats kept)."""
    account: Account

    def problems(self) -> list[str]:
        found: list[str] = []
        asked = set(self.asked)
        arrived = Counter(k for k in self.arrived if k in asked)
        a = self.account
        twice = sorted(k for k, n in arrived.items() if n > 1)
        if twice:
            found.append(f"written twice: {twice[:5]}")
        silent = sorted(asked - a.done - a.maybe - set(a.refused))
        if silent:
            found.append(f"neither done nor failed in the answer: {silent[:5]}")
        phantom = sorted(a.done - set(arrived))
        if phantom:
            found.append(f"reported done but never arrived: {phantom[:5]}")
        unflagged = sorted(set(arrived) - a.done - a.maybe)
        if unflagged:
            found.append(f"arrived but reported failed without 'may have been applied': {unflagged[:5]}")
        return found


def ledger(sandbox: Any, spec: WriteSpec, asked: list[str], result: Any) -> Ledger:
    arrived = [k for entry in accepted(sandbox, spec.method, spec.path) for k in spec.keys(entry)]
    return Ledger(asked, arrived, spec.account(result, asked))

"""Every documented example answer (PersistIQ and Snov.io) fed through its tool: how many documented fields the
tool's answer keeps, counted per provider.

A documented field is one leaf of an example answer, named by its path with list positions folded: the three
users of one example are one `users[].name` field, not three; the same path in two examples of one tool (a start
and its result) is one field. Only fields the example gives a value count (not null, "", [] or {}: a tool cannot
show a value the document never gives). The envelope (success, status words, errors, has_more, next_page, meta,
links) is not counted, nor the document's elisions (a `"...": "..."` key). A field is kept when every value the
example gives it shows in the tool's answer: a long text or a number of two or more digits anywhere; a short text,
a flag, a small number or the documents' scrubbed placeholder e-mail under a key of the same name. The examples
are the vendor documents' own (tests/fixtures/documented_answers.json, taken from ../shared/api-docs with their
two typos mended: a missing comma, a trailing comma); where Snov.io's page export left "" for an e-mail address or
a social link, a stand-in is put first (``stand_ins``). A value said once at an answer's top for every row (a
table's shared campaign, a list page's ``same``) is under a key of the same name too.

Issue #29's audit counted 377 documented fields (PersistIQ 156, Snov.io 221) another way, not recorded; this
count prints its own totals beside it (docs/upstream-assumptions.md, "Documented fields kept")."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from mcp_server.core.upstream.values import is_obj, is_seq
from outbound_sandbox.app import Sandbox
from outbound_sandbox.config import Fault
from tests.confirm_helpers import agrees
from tests.providers.typed import SettingsFor, text_of

pytestmark = pytest.mark.anyio

DOCUMENTED: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "documented_answers.json").read_text()
)
UNSCRUBBED = {"email", "userEmail", "prospectEmail", "link"}
"""Keys under which Snov.io's page export left "" for an e-mail address or a social link (PersistIQ's pages left a
placeholder instead). A real answer has the address, and a tool rightly drops an email or a link it cannot show,
with its status or type: the test puts a stand-in there (``stand_ins``), so those fields, and the addresses
themselves, are counted as a real answer would give them."""


def stand_ins(value: Any, key: str = "", made: list[int] | None = None) -> Any:
    """``value`` with each scrubbed address or link under an ``UNSCRUBBED`` key replaced by a distinct stand-in."""
    made = [0] if made is None else made
    if is_obj(value):
        return {name: stand_ins(item, name, made) for name, item in value.items()}
    if is_seq(value):
        return [stand_ins(item, key, made) for item in value]
    if value == "" and key in UNSCRUBBED:
        made[0] += 1
        return f"https://social.example/p{made[0]}" if key == "link" else f"person{made[0]}@octagon.com"
    return value


ANSWERS = {key: stand_ins(value) if key.startswith("snov:") else value for key, value in DOCUMENTED.items()}
AUDIT = {"persistiq": 156, "snov": 221}
"""Issue #29's audit: documented fields per provider (377 in all), counted another way; its bar is 370 of 377."""
KEPT_FLOOR = {"persistiq": 65, "snov": 303}
"""What the tools keep now by this count, per provider: a field lost from an answer fails the test."""
MOST_LOST = 7
"""Issue #29's bar, 370 of 377 (2% lost), as fields: at most this many lost in all, each said in its tool's
description (``SAID``)."""
SAID = {
    "persistiq": {
        "persistiq_create_leads": "Other fields are left out",
        "persistiq_add_leads_to_campaign": "campaign-lead ids are left out",
    },
    "snov": {
        "snov_list_campaign_replies": "Bodies only with include_bodies",
        "snov_list_campaign_opens": "Bodies only with include_bodies",
        "snov_list_campaign_clicks": "Bodies only with include_bodies",
    },
}
"""Per provider that checks it: each tool that leaves a documented field out, and the words of its description
that say so. A field left out by a tool not listed here fails the test."""
ENVELOPE = {"success", "errors", "error", "has_more", "next_page", "meta", "links"}
PHP_DATE = {"date", "timezone_type", "timezone"}
"""Snov.io's PHP DateTime objects: one field, not three."""
STATUS_WORDS = {"success", "error", "completed", "in progress"}
LEAD = "l_1abc"
# (example keys in the order their requests are made, request pattern of each, tool, arguments)
CASES: list[tuple[list[tuple[str, str]], str, dict[str, Any]]] = [
    ([("snov:25", "POST /snov/v2/domain-search/start"), ("snov:32", "GET /snov/v2/domain-search/result*")],
     "snov_domain_search", {"domain": "octagon.com"}),
    ([("snov:56", "POST /snov/v2/domain-search/prospects/start"),
      ("snov:66", "GET /snov/v2/domain-search/prospects/result*")],
     "snov_list_domain_prospects", {"domain": "octagon.com", "limit": 20}),
    ([("snov:83", "POST /snov/v2/domain-search/prospects/search-emails/start/*"),
      ("snov:89", "GET /snov/v2/domain-search/prospects/search-emails/result*")],
     "snov_find_prospect_email", {"prospect": "5e846a1d80d95f66cfb30250a7c1881f"}),
    ([("snov:99", "POST /snov/v2/domain-search/domain-emails/start"),
      ("snov:108", "GET /snov/v2/domain-search/domain-emails/result*")],
     "snov_list_domain_emails", {"domain": "octagon.com", "limit": 2}),  # the example's one page
    ([("snov:121", "POST /snov/v2/domain-search/generic-contacts/start"),
      ("snov:130", "GET /snov/v2/domain-search/generic-contacts/result*")],
     "snov_list_generic_contacts", {"domain": "octagon.com", "limit": 50}),
    ([("snov:215", "POST /snov/v1/get-emails-from-url")], "snov_find_profile_by_url",
     {"url": "https://www.linkedin.com/in/gavin"}),
    ([("snov:237", "POST /snov/v1/get-profile-by-email")], "snov_get_profile_by_email", {"email": "lizi@octagon.com"}),
    ([("snov:355", "GET /snov/v2/statistics/campaign-analytics")], "snov_get_campaign_analytics",
     {"date_from": "2024-01-01", "date_to": "2024-12-31"}),
    ([("snov:424", "GET /snov/v2/campaigns/*/progress")], "snov_get_campaign_progress", {"campaign_id": 1234567}),
    ([("snov:444", "GET /snov/v1/prospect-finished")], "snov_list_completed_prospects", {"campaign_id": 1234567}),
    ([("snov:457", "GET /snov/v1/get-emails-replies")], "snov_list_campaign_replies", {"campaign_id": 1234567}),
    ([("snov:470", "GET /snov/v1/get-emails-opened")], "snov_list_campaign_opens", {"campaign_id": 1234567}),
    ([("snov:483", "GET /snov/v1/get-emails-clicked")], "snov_list_campaign_clicks", {"campaign_id": 1234567}),
    ([("snov:498", "GET /snov/v1/emails-sent")], "snov_list_sent_emails", {"campaign_id": 1234567}),
    ([("snov:509", "GET /snov/v1/get-user-campaigns")], "snov_list_campaigns", {}),
    ([("snov:524", "POST /snov/v1/do-not-email-list")], "snov_add_to_do_not_email_list",
     {"items": ["gavin@octagon.com"], "list_id": 1}),
    ([("snov:547", "POST /snov/v1/add-prospect-to-list")], "snov_add_prospect_to_list",
     {"list_id": 1, "email": "gavin@octagon.com"}),
    ([("snov:559", "POST /snov/v1/get-prospect-by-id")], "snov_get_prospect", {"prospect_id": "xusD3-T_K5IktGoaa8Jc8A=="}),
    ([("snov:580", "POST /snov/v1/get-prospects-by-email")], "snov_find_prospects_by_email",
     {"email": "gavin@octagon.com"}),
    ([("snov:601", "GET /snov/v1/prospect-custom-fields")], "snov_list_custom_fields", {}),
    ([("snov:612", "GET /snov/v1/get-user-lists")], "snov_list_prospect_lists", {}),
    ([("snov:628", "POST /snov/v1/prospect-list")], "snov_list_prospects_in_list", {"list_id": 1}),
    ([("snov:644", "POST /snov/v1/lists")], "snov_create_prospect_list", {"name": "Lead LIST"}),
    ([("snov:652", "GET /snov/v1/get-balance")], "snov_get_balance", {}),
    ([("snov:684", "GET /snov/v2/webhooks")], "snov_list_webhooks", {}),
    ([("snov:703", "POST /snov/v2/webhooks")], "snov_create_webhook",
     {"event": "campaign_email.sent", "endpoint_url": "https://example.com/hook"}),
    ([("snov:721", "PUT /snov/v2/webhooks/*")], "snov_set_webhook_status", {"webhook_id": 14, "status": "deactivated"}),
    ([("persistiq:20", "GET /persistiq/v1/users")], "persistiq_list_users", {}),
    ([("persistiq:57", "GET /persistiq/v1/leads")], "persistiq_list_leads", {"limit": 2}),
    ([("persistiq:122", "GET /persistiq/v1/leads/*")], "persistiq_get_lead", {"lead_id": LEAD}),
    ([("persistiq:167", "POST /persistiq/v1/leads")], "persistiq_create_leads",
     {"leads": [{"email": "[email protected]", "first_name": "Ivan"}, {"email": "x"}]}),
    ([("persistiq:248", "PUT /persistiq/v1/leads/*")], "persistiq_update_lead", {"lead_id": LEAD, "bounced": True}),
    ([("persistiq:294", "GET /persistiq/v1/lead_statuses")], "persistiq_list_lead_statuses", {}),
    ([("persistiq:320", "GET /persistiq/v1/lead_fields")], "persistiq_list_lead_fields", {}),
    ([("persistiq:344", "GET /persistiq/v1/campaigns")], "persistiq_list_campaigns", {"limit": 2}),
    ([("persistiq:412", "POST /persistiq/v1/campaigns/*/leads")], "persistiq_add_leads_to_campaign",
     {"campaign_id": "c_9lWrpz", "lead_ids": ["l_9N2XDp"], "mailbox_id": "mbox_W3rR3m"}),
    ([("persistiq:465", "GET /persistiq/v1/events")], "persistiq_list_events", {"limit": 4}),
    ([("persistiq:600", "GET /persistiq/v1/dnc_domains")], "persistiq_list_dnc_domains", {"limit": 2}),
    ([("persistiq:629", "POST /persistiq/v1/dnc_domains")], "persistiq_create_dnc_domain", {"name": "example.com"}),
]  # fmt: skip


UNIX_TIMES = (1_000_000_000, 4_000_000_000)
NUMBER = re.compile(r"-?\d+(\.\d+)?")
SCRUBBED = "[email protected]"
"""What the documents' pages left of every e-mail address: the same text everywhere, so kept only by its key."""
ELISION = "..."
LONG = 8
"""A text this long is told apart anywhere in an answer; a shorter one ("active", "copy") only under its key."""


def leaves(value: Any, path: str = "", key: str = "", top: bool = True) -> list[tuple[str, str, Any]]:
    """The example's fields with a value, as (path with list positions folded, own key, value)."""
    if is_obj(value) and set(value) == PHP_DATE:  # one field: its date
        return [(path, key, value["date"])]
    if is_obj(value):
        out: list[tuple[str, str, Any]] = []
        for name, item in value.items():
            if name == ELISION or (top and (name in ENVELOPE or (name == "status" and item in STATUS_WORDS))):
                continue
            out += leaves(item, f"{path}.{name}", name, top=top and name == "data")
        return out
    if is_seq(value):
        return [leaf for item in value for leaf in leaves(item, f"{path}[]", key, top)]
    return [] if value in (None, "") else [(path, key, value)]


def norm(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower()).removeprefix("is")


def same_name(key: str, other: str) -> bool:
    a, b = norm(key), norm(other)
    if min(len(a), len(b)) < 4:
        return a == b
    return a.endswith(b) or b.endswith(a) or a.startswith(b) or b.startswith(a)


WORDS = {("smtpStatus", 3): "valid"}
"""Vendor codes a tool answers in the words the other tools use (kept, translated)."""


def kept(key: str, value: Any, answer: Any, text: str) -> bool:
    named = [v for k, v in pairs(answer) if same_name(key, k)]
    word = WORDS.get((key, value)) if isinstance(value, int) else None
    if word is not None:
        return word in named
    if isinstance(value, str) and NUMBER.fullmatch(value.strip()):  # "25000.00" may come back as 25000.0
        number = float(value)
        if any(isinstance(v, int | float | str) and NUMBER.fullmatch(str(v)) and float(v) == number for v in named):
            return True
    if isinstance(value, str) and len(value.strip()) >= LONG and value != SCRUBBED:
        return value.strip() in text or value.strip()[:16] in text
    if isinstance(value, int) and UNIX_TIMES[0] <= value <= UNIX_TIMES[1]:  # a Unix time may come back as ISO text
        at = datetime.fromtimestamp(value, UTC)
        if at.strftime("%Y-%m-%dT%H:%M:%S") in text or at.strftime("%Y-%m-%d %H:%M:%S") in text:
            return True
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 10:
        return re.search(rf"(?<![\d.]){re.escape(str(value))}(?![\d])", text) is not None
    if isinstance(value, str) and value != SCRUBBED:  # a first name may come back within a whole name
        word = re.compile(rf"(?i)(?<!\w){re.escape(value.strip())}(?!\w)")
        if any(isinstance(v, str) and word.search(v) for v in named):
            return True
    return any(v == value or str(v).strip().lower() == str(value).strip().lower() for v in named)


def pairs(value: Any, key: str = "") -> list[tuple[str, Any]]:
    """The answer's leaves as (key, value); a table's cells under their column's name."""
    if is_obj(value) and is_seq(value.get("columns")) and is_seq(value.get("rows")):
        columns = [str(name) for name in value["columns"]]
        rest = {name: item for name, item in value.items() if name not in ("columns", "rows")}
        records = [dict(zip(columns, row, strict=False)) for row in value["rows"] if is_seq(row)]
        return pairs(rest) + pairs(records)
    if is_obj(value):
        return [pair for name, item in value.items() for pair in pairs(item, name)]
    if is_seq(value):
        return [pair for item in value for pair in pairs(item, key)]
    return [(key, value)]


@pytest.fixture
async def client(settings_for: SettingsFor, sandbox: Sandbox) -> AsyncIterator[Client]:
    from mcp_server.server import create_server

    sandbox.config.rate_limits = False
    # A person who agrees: the paid lookups answer their data, not a preview.
    settings = settings_for(poll_interval=0.05, snov_rate_limit=10_000)
    async with Client(create_server(settings), elicitation_callback=agrees) as connected:
        yield connected


async def test_the_tools_keep_the_documented_fields_of_every_documented_example_answer(
    client: Client, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
):
    total = dict.fromkeys(KEPT_FLOOR, 0)
    count = dict.fromkeys(KEPT_FLOOR, 0)
    lost: dict[str, list[str]] = {provider: [] for provider in KEPT_FLOOR}
    for examples, tool, args in CASES:
        provider = tool.split("_")[0]
        sandbox.config.faults.clear()
        for key, pattern in examples:
            sandbox.config.add_fault(pattern, Fault("body", status=200, body=ANSWERS[key], count=1))
        result = await client.call_tool(tool, args)
        if result.is_error:
            lost[provider].append(f"{tool} failed: {text_of(result)[:300]}")
        answer: dict[str, Any] = result.structured_content or {}
        text = json.dumps(answer, ensure_ascii=False) + text_of(result)
        fields: dict[str, list[tuple[str, Any]]] = {}
        for example, _ in examples:
            for path, key, value in leaves(ANSWERS[example]):
                fields.setdefault(path, []).append((key, value))
        for path, values in sorted(fields.items()):
            total[provider] += 1
            missing = [(key, value) for key, value in values if not kept(key, value, answer, text)]
            if missing:
                lost[provider].append(f"{tool}: {path}={json.dumps(missing[0][1], ensure_ascii=False)[:40]}")
            else:
                count[provider] += 1
    with capsys.disabled():
        for provider in KEPT_FLOOR:
            print(f"\n{provider}: documented fields kept {count[provider]} of {total[provider]}", end="")
            print(f" (issue #29's audit counted {AUDIT[provider]})")
            print("  not kept:", "; ".join(lost[provider]) or "none")
    assert all(count[p] >= KEPT_FLOOR[p] for p in KEPT_FLOOR), (count, lost)
    assert sum(total.values()) - sum(count.values()) <= MOST_LOST, lost
    descriptions = {tool.name: tool.description or "" for tool in (await client.list_tools()).tools}
    for provider, said in SAID.items():
        unsaid = [entry for entry in lost[provider] if entry.split(":")[0] not in said]
        assert not unsaid, f"{provider} tools leave these documented fields out without saying so: {unsaid}"
        assert all(words in descriptions[tool] for tool, words in said.items()), said

"""Snov.io campaigns: list, analytics, progress, recipient status, completed prospects and activity rows.

Activity rows (get-emails-replies, get-emails-opened, get-emails-clicked, emails-sent) come newest
first, at most ``SnovCore.row_cap`` (10,000) per request; ``offset`` skips that many of the newest
rows (no ``offset`` = offset 0 = the latest rows). Campaign analytics requires ``date_from`` and
``date_to`` (yyyy-mm-dd; 400 without them, as the vendor's current page says) and counts the rows
dated in that range; in the documented profile either may be left empty (the document: "leave empty
to receive statistics for all time"); an empty ``campaign_id`` means every Active campaign. An unknown campaign
answers ``{"success": false, "errors": "Campaign not found"}`` (404 on the v2 paths).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute

from outbound_sandbox.snov.core import Call, SnovCore, failure, missing, ok
from outbound_sandbox.snov.crm import Campaign, hex_id

SETTABLE = {"active": "Active", "paused": "Paused", "unsubscribed": "Unsubscribed"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _rate(part: int, whole: int) -> str:
    return f"{round(100 * part / whole) if whole else 0}%"


def _day(row: dict[str, Any]) -> str:
    stamp: dict[str, Any] = row.get("visitedAt") or row.get("sentDate") or {}
    return str(stamp.get("date", ""))[:10]


class CampaignApi:
    def __init__(self, core: SnovCore) -> None:
        self.core = core

    def routes(self) -> list[BaseRoute]:
        r = self.core.route
        return [
            r("/v1/get-user-campaigns", self.campaigns, ["GET"]),
            r("/v2/statistics/campaign-analytics", self.analytics, ["GET"]),
            r("/v2/campaigns/{campaign_id}/progress", self.progress, ["GET"]),
            r("/v1/change-recipient-status", self.change_status, ["POST"]),
            r("/v1/prospect-finished", self.finished, ["GET"]),
            r("/v1/get-emails-replies", self.rows("replies"), ["GET"]),
            r("/v1/get-emails-opened", self.rows("opens"), ["GET"]),
            r("/v1/get-emails-clicked", self.rows("clicks"), ["GET"]),
            r("/v1/emails-sent", self.rows("sent"), ["GET"]),
        ]

    def _campaign(self, raw: str) -> Campaign | None:
        return self.core.crm.campaigns.get(int(raw)) if raw.strip().isdigit() else None

    @staticmethod
    def _unknown(status: int = 200) -> Response:
        return failure("Campaign not found", status=status)

    def campaigns(self, call: Call) -> Response:
        return ok(
            [
                {
                    "id": c.id,
                    "campaign": c.name,
                    "list_id": c.list_id,
                    "status": c.status,
                    "created_at": c.created_at,
                    "updated_at": c.updated_at,
                    "started_at": c.started_at,
                    "hash": hex_id(self.core.crm.seed, "campaign", c.id),
                }
                for c in self.core.crm.campaigns.values()
            ]
        )

    def rows(self, kind: str) -> Any:
        def handler(call: Call) -> Response:
            raw = call.text("campaignId")
            if not raw:
                return missing("campaignId")
            camp = self._campaign(raw)
            if camp is None:
                return self._unknown()
            offset_text = call.text("offset") or "0"
            if not offset_text.isdigit():
                return failure({"offset": ["This value should be a non-negative integer."]}, status=400)
            offset = int(offset_text)
            newest_first = list(reversed(getattr(camp, kind)))
            return ok(newest_first[offset : offset + self.core.row_cap])

        return handler

    def finished(self, call: Call) -> Response:
        raw = call.text("campaignId")
        if not raw:
            return missing("campaignId")
        camp = self._campaign(raw)
        return self._unknown() if camp is None else ok(camp.finished)

    def progress(self, call: Call) -> Response:
        camp = self._campaign(call.path("campaign_id"))
        if camp is None:
            return self._unknown(404)
        total = len(camp.recipients)
        unfinished = sum(1 for s in camp.recipients.values() if s in ("Active", "Paused"))
        return ok({"status": camp.status, "unfinished": unfinished, "progress": _rate(total - unfinished, total)})

    def change_status(self, call: Call) -> Response:
        email, raw, status = call.text("email").lower(), call.text("campaign_id"), call.text("status")
        absent = [n for n, v in (("email", email), ("campaign_id", raw), ("status", status)) if not v]
        if absent:
            return missing(*absent)
        camp = self._campaign(raw)
        if camp is None:
            return self._unknown()
        new = SETTABLE.get(status.lower())
        if new is None:
            return failure("Status can be Active, Paused or Unsubscribed")
        current = camp.recipients.get(email)
        if current is None:
            return failure("Recipient not found in this campaign")
        if current in ("Finished", "Moved"):
            return failure(f"You can not change the recipient's status: it is {current}")
        camp.recipients[email] = new
        return ok({"success": True})

    def analytics(self, call: Call) -> Response:
        date_from, date_to = call.text("date_from"), call.text("date_to")
        absent = [n for n, v in (("date_from", date_from), ("date_to", date_to)) if not v]
        if absent and not self.core.documented:
            return missing(*absent)
        bad = [n for n, v in (("date_from", date_from), ("date_to", date_to)) if v and not _DATE.match(v)]
        if bad:
            return failure({n: ["The date format should be yyyy-mm-dd."] for n in bad}, status=400)
        ids = [s.strip() for s in call.text("campaign_id").split(",") if s.strip()]
        crm = self.core.crm
        if ids:
            camps = [c for i in ids if (c := self._campaign(i)) is not None]
        else:
            camps = [c for c in crm.campaigns.values() if c.status == "Active"]

        def within(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
            return [r for r in rows if (date_from or "0000") <= _day(r) <= (date_to or "9999")]

        sent = [r for c in camps for r in within(c.sent)]
        contacted = {r["userEmail"] for r in sent}
        bounced = len(sent) // 40
        delivered = len(sent) - bounced
        by_email = max(0, len(contacted) - bounced)
        opens = {r["prospectEmail"] for c in camps for r in within(c.opens)}
        clicks = {r["prospectEmail"] for c in camps for r in within(c.clicks)}
        replies = [r for c in camps for r in within(c.replies)]
        repliers = {r["prospectEmail"] for r in replies}
        unsub = sum(1 for c in camps for s in c.recipients.values() if s == "Unsubscribed")
        interested = len(repliers) // 3
        not_interested = len(repliers) // 4
        maybe = len(repliers) - interested - not_interested
        first = len(contacted)
        stats: dict[str, Any] = {
            "total_contacted": len(contacted),
            "emails_sent": len(sent),
            "first_emails": first,
            "first_emails_rate": _rate(first, len(sent)),
            "follow_ups": len(sent) - first,
            "follow_ups_rate": _rate(len(sent) - first, len(sent)),
            "delivered": delivered,
            "delivered_rate": _rate(delivered, len(sent)),
            "bounced": bounced,
            "bounced_rate": _rate(bounced, len(sent)),
            "contacted_by_email": by_email,
            "email_opens": len(opens),
            "email_opens_rate": _rate(len(opens), by_email),
            "link_clicks": len(clicks),
            "link_clicks_rate": _rate(len(clicks), by_email),
            "email_replies": len(repliers),
            "email_replies_rate": _rate(len(repliers), by_email),
            "unsubscribed": unsub,
            "unsubscribed_rate": _rate(unsub, by_email),
            "auto_replied": 0,
            "auto_replied_rate": "0%",
        }
        for name in ("contacted_by_linkedin", "linkedin_total_replies", "connection_request_replies"):
            stats[name] = 0
        stats.update(
            linkedin_total_replies_rate="0%",
            connection_request_replies_rate="0%",
            message_replies=0,
            message_replies_rate="0%",
            in_mail_replies=0,
            in_mail_replies_rate="0%",
            connection_requests=0,
            accepted_requests=0,
            accepted_requests_rate="0%",
            failed_connection_requests=0,
            messages_sent=0,
            linkedin_views=0,
            linkedin_likes=0,
            linkedin_follows=0,
            in_mail_sent=0,
            interested=interested,
            interested_rate=_rate(interested, len(repliers)),
            maybe=maybe,
            maybe_rate=_rate(maybe, len(repliers)),
            not_interested=not_interested,
            not_interested_rate=_rate(not_interested, len(repliers)),
        )
        return ok(stats)

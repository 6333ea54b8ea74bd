"""Snov.io account methods: balance, webhooks (v2, JSON bodies), do-not-email lists.

Webhooks: objects/actions as the doc lists them (campaign_email: sent, first_sent, opened;
campaign_reply: received, first_received); at most 50 (the 51st answers 400
``{"success": false, "errors": "..."}``); an unknown id answers 404. GET /v2/blacklists (its
shape is not in the doc) answers ``{"data": [{"id", "name", "items_count", "created_at"}],
"meta": {"user_id"}}``; do-not-email-list needs a ``listId`` from it. The documented profile has no
/v2/blacklists (404: only the newer pages list it); an unknown ``listId`` answers 200
``{"success": false, "errors": "Do-not-email list not found"}`` in both profiles.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute

from outbound_sandbox.snov.core import USER_ID, Call, SnovCore, failure, missing, ok
from outbound_sandbox.snov.crm import Webhook

EVENTS = {"campaign_email": {"sent", "first_sent", "opened"}, "campaign_reply": {"received", "first_received"}}
MAX_WEBHOOKS = 50


class AccountApi:
    def __init__(self, core: SnovCore) -> None:
        self.core = core

    def routes(self) -> list[BaseRoute]:
        r = self.core.route
        return [
            r("/v1/get-balance", self.balance, ["GET"]),
            r("/v2/webhooks", self.list_webhooks, ["GET"]),
            r("/v2/webhooks", self.add_webhook, ["POST"]),
            r("/v2/webhooks/{webhook_id}", self.set_webhook, ["PUT"]),
            r("/v2/webhooks/{webhook_id}", self.delete_webhook, ["DELETE"]),
            r("/v1/do-not-email-list", self.do_not_email, ["POST"]),
            r("/v2/blacklists", self.blacklists, ["GET"], documented=False),
        ]

    def balance(self, call: Call) -> Response:
        data = {
            "balance": f"{self.core.balance:.2f}",
            "teamwork": False,
            "unique_recipients_used": sum(len(c.recipients) for c in self.core.crm.campaigns.values()),
            "limit_resets_in": 29,
            "expires_in": 359,
        }
        return ok({"success": True, "data": data})

    # ---- webhooks
    def list_webhooks(self, call: Call) -> Response:
        hooks = self.core.crm.webhooks
        return ok(
            {
                "data": [{"data": h.view()} for h in hooks.values()],
                "meta": {"webhooks_count": len(hooks), "user_id": USER_ID},
            }
        )

    def add_webhook(self, call: Call) -> Response:
        obj, action, url = call.text("event_object"), call.text("event_action"), call.text("endpoint_url")
        absent = [n for n, v in (("event_object", obj), ("event_action", action), ("endpoint_url", url)) if not v]
        if absent:
            return missing(*absent)
        if obj not in EVENTS:
            return failure({"event_object": [f"Supported objects: {', '.join(sorted(EVENTS))}."]}, status=400)
        if action not in EVENTS[obj]:
            return failure({"event_action": [f"Supported actions: {', '.join(sorted(EVENTS[obj]))}."]}, status=400)
        if not url.startswith(("http://", "https://")):
            return failure({"endpoint_url": ["This value is not a valid URL."]}, status=400)
        crm = self.core.crm
        if len(crm.webhooks) >= MAX_WEBHOOKS:
            return failure(f"You can create up to {MAX_WEBHOOKS} webhooks", status=400)
        hook = Webhook(crm.next_webhook_id, url, obj, action, "active", int(time.time()))
        crm.webhooks[hook.id] = hook
        crm.next_webhook_id += 1
        return ok({"data": hook.view(), "meta": {"user_id": USER_ID}})

    def _hook(self, call: Call) -> Webhook | None:
        raw = call.path("webhook_id")
        return self.core.crm.webhooks.get(int(raw)) if raw.isdigit() else None

    def set_webhook(self, call: Call) -> Response:
        hook = self._hook(call)
        if hook is None:
            return failure("Webhook not found", status=404)
        status = call.text("status")
        if status not in ("active", "deactivated"):
            return failure({"status": ["The value should be active or deactivated."]}, status=400)
        hook.status = status
        return ok({"data": hook.view(), "meta": {"user_id": USER_ID}})

    def delete_webhook(self, call: Call) -> Response:
        hook = self._hook(call)
        if hook is None:
            return failure("Webhook not found", status=404)
        del self.core.crm.webhooks[hook.id]
        return ok({"data": {"success": True}})

    # ---- do-not-email
    def do_not_email(self, call: Call) -> Response:
        items = [i.strip().lower() for i in call.get_list("items") if i.strip()]
        raw = call.text("listId")
        absent = [n for n, v in (("items", items), ("listId", raw)) if not v]
        if absent:
            return missing(*absent)
        blacklist = self.core.crm.blacklists.get(int(raw)) if raw.isdigit() else None
        if blacklist is None:
            return failure("Do-not-email list not found")
        duplicates: list[Any] = []
        for item in dict.fromkeys(items):
            if item in blacklist.items:
                duplicates.append(item)
            else:
                blacklist.items.append(item)
        return ok([{"success": True, "data": {"duplicates": duplicates}}])

    def blacklists(self, call: Call) -> Response:
        data = [
            {"id": b.id, "name": b.name, "items_count": len(b.items), "created_at": b.created_at}
            for b in self.core.crm.blacklists.values()
        ]
        return ok({"data": data, "meta": {"user_id": USER_ID}})

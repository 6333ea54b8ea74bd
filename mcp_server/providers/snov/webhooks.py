"""Snov.io webhooks (v2, JSON bodies): list, create, switch on or off, delete."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import Field, model_validator

from mcp_server.core.errors import ApiError
from mcp_server.core.tools.answer_models import Record
from mcp_server.core.tools.confirmations import Absent, checked
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.core.upstream.values import is_obj, obj
from mcp_server.providers.snov.campaigns_models import as_list
from mcp_server.providers.snov.client import LABEL, Endpoints, snov
from mcp_server.providers.snov.reading import Text, UnixTime, Upstream, read

toolset = Toolset("snov")
"""This module's tools, in the order the provider lists them (providers/snov/provider.py)."""

Event = Literal[
    "campaign_email.sent",
    "campaign_email.first_sent",
    "campaign_email.opened",
    "campaign_reply.received",
    "campaign_reply.first_received",
]
"""The doc's event object and action pairs, written ``object.action``."""
Status = Literal["active", "deactivated"]
WebhookId = Annotated[int, Field(ge=1)]


class Webhook(Upstream):
    upstream = {"url": ("end_point",)}

    id: int
    event: Text = None
    url: Text = None
    status: Text = None
    created_at: UnixTime = None

    @model_validator(mode="before")
    @classmethod
    def _unnested(cls, data: Any) -> Any:
        # The list nests each webhook as {"data": {...}}; the writes answer {"data": {...}, "meta": ...}.
        row = data
        while is_obj(row) and is_obj(row.get("data")):
            row = row["data"]
        if not is_obj(row) or row.get("event"):
            return row
        target, action = row.get("event_object"), row.get("event_action")
        return {**row, "event": f"{target}.{action}" if target and action else None}


def webhook(raw: Any) -> Webhook:
    return read(Webhook, raw, "webhook")


class Webhooks(Record):
    items: list[Webhook]
    count: int | None = None
    """Webhooks in the account (at most 50)."""


class Deleted(Record):
    id: int
    deleted: bool


@toolset.tool("List Snov.io webhooks", Access.READ, example={})
async def snov_list_webhooks(ctx: Context) -> Webhooks:
    """Webhooks with their event, URL and status (active or deactivated); an account holds at most 50. Free."""
    data = (await Endpoints.webhooks.send(snov(ctx).api)).data
    count = obj(obj(data).get("meta")).get("webhooks_count")
    return Webhooks(items=[webhook(row) for row in as_list(data)], count=count)


@toolset.tool(
    "Create Snov.io webhook",
    Access.WRITE,
    example={"event": "campaign_reply.received", "endpoint_url": "https://hooks.example.org/snov"},
)
async def snov_create_webhook(
    ctx: Context,
    event: Event,
    endpoint_url: Annotated[str, Field(max_length=2000, pattern=r"^https?://\S+$")],
) -> Webhook:
    """Have Snov.io POST a JSON event to a URL on campaign sends, opens or replies. Free; premium plans, 50 per account;
    deactivated after 38 hours of failed deliveries."""
    obj, action = event.split(".")
    body = {"event_object": obj, "event_action": action, "endpoint_url": endpoint_url}
    response = await Endpoints.add_webhook.send(snov(ctx).api, json_body=body)
    return webhook(response.data)


@toolset.tool(
    "Set Snov.io webhook status", Access.IDEMPOTENT_WRITE, example={"webhook_id": 14, "status": "deactivated"}
)
async def snov_set_webhook_status(ctx: Context, webhook_id: WebhookId, status: Status) -> Webhook:
    """Switch a webhook on (active) or off (deactivated), e.g. to revive one Snov.io deactivated. Free."""
    endpoint = Endpoints.change_webhook.at(webhook_id=webhook_id)
    response = await endpoint.send(snov(ctx).api, json_body={"status": status})
    return webhook(response.data)


async def webhook_named(ctx: Context, webhook_id: int) -> str:
    """The webhook in words, read from the list (Snov.io has no read of one webhook); ``Absent`` when not there."""
    data = (await Endpoints.webhooks.send(snov(ctx).api)).data
    found = [hook for hook in map(webhook, as_list(data)) if hook.id == webhook_id]
    if not found:
        raise Absent(
            f"Snov.io has no webhook {webhook_id}, so there is nothing to delete",
            provider=LABEL,
            hint="snov_list_webhooks lists the account's webhooks with their ids.",
        )
    hook = found[0]
    what = " ".join(part for part in (hook.event, f"to {hook.url}" if hook.url else "") if part)
    return f"Delete Snov.io webhook {webhook_id}" + (f" ({what})" if what else "")


@toolset.tool(
    "Delete Snov.io webhook",
    Access.DESTRUCTIVE,
    confirm=checked(
        lambda ctx, a: webhook_named(ctx, a["webhook_id"]),
        "Its events stop being sent at once.",
        instead="To stop its events but keep it, snov_set_webhook_status can deactivate it.",
    ),
    example={"webhook_id": 14},
)
async def snov_delete_webhook(ctx: Context, webhook_id: WebhookId) -> Deleted:
    """Delete a webhook for good (to pause it: snov_set_webhook_status). Free."""
    response = await Endpoints.delete_webhook.at(webhook_id=webhook_id).send(snov(ctx).api)
    if obj(obj(response.data).get("data")).get("success") is False:
        raise ApiError(f"Snov.io did not delete webhook {webhook_id}", provider=LABEL, status=response.status)
    return Deleted(id=webhook_id, deleted=True)

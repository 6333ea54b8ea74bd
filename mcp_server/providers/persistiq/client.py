"""PersistIQ's service: one ``ApiClient`` with the ``x-api-key`` header and a 100/min budget.

Also the endpoint table and the one way every list tool reads ``has_more``/``next_page`` pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from mcp.server.mcpserver import Context
from pydantic import BaseModel

from mcp_server.core.auth import HeaderAuth
from mcp_server.core.budget import WindowBudget
from mcp_server.core.endpoints import Endpoint
from mcp_server.core.errors import BadResponse
from mcp_server.core.handles import fingerprint
from mcp_server.core.http import ApiClient
from mcp_server.core.paging import Collected, Page, collect
from mcp_server.core.progress import from_context
from mcp_server.core.provider import service_of
from mcp_server.core.records import parse_each, parse_record
from mcp_server.core.state import StateStore, namespace
from mcp_server.settings import Settings

PROVIDER = "persistiq"
LABEL = "PersistIQ"
M = TypeVar("M", bound=BaseModel)


class Endpoints:
    """Every upstream endpoint in one place (paths relative to the base URL)."""

    users = Endpoint("GET", "v1/users")
    leads = Endpoint("GET", "v1/leads")
    create_leads = Endpoint("POST", "v1/leads")
    lead = Endpoint("GET", "v1/leads/{lead_id}")
    update_lead = Endpoint("PUT", "v1/leads/{lead_id}")
    lead_statuses = Endpoint("GET", "v1/lead_statuses")
    lead_fields = Endpoint("GET", "v1/lead_fields")
    campaigns = Endpoint("GET", "v1/campaigns")
    add_campaign_leads = Endpoint("POST", "v1/campaigns/{campaign_id}/leads")
    remove_campaign_lead = Endpoint("DELETE", "v1/campaigns/{campaign_id}/leads/{lead_id}")
    # The doc's events section says /v1/leads; the real path is /v1/events.
    events = Endpoint("GET", "v1/events")
    dnc_domains = Endpoint("GET", "v1/dnc_domains")
    add_dnc_domain = Endpoint("POST", "v1/dnc_domains")


@dataclass
class PersistIQ:
    api: ApiClient


def open_service(settings: Settings, http: httpx.AsyncClient, store: StateStore) -> PersistIQ:
    assert settings.persistiq_api_key is not None
    # One budget per API key, shared by every process on the store.
    account = namespace(PROVIDER, settings.persistiq_base_url, settings.persistiq_api_key.get_secret_value())
    api = ApiClient(
        provider=LABEL,
        base_url=settings.persistiq_base_url,
        auth=HeaderAuth({"x-api-key": settings.persistiq_api_key}),
        budget=WindowBudget(
            settings.persistiq_rate_limit, settings.rate_window, provider=LABEL, store=store, key=f"{account}:rate"
        ),
        http=http,
        unauthorized_hint="The PersistIQ API key was refused: ask the user to check PERSISTIQ_API_KEY.",
    )
    return PersistIQ(api)


def persistiq(ctx: Context) -> PersistIQ:
    return service_of(ctx, PROVIDER, PersistIQ)


def parse(model: type[M], raw: Any, what: str) -> M:
    """One upstream record as ``model``; an unexpected shape is a clear error, not a crash."""
    return parse_record(model, raw, what, LABEL)


def rows(data: Any, key: str) -> list[Any]:
    """The raw list under ``key`` of a response body."""
    raw = data.get(key) if isinstance(data, dict) else None
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise BadResponse(f"PersistIQ answered without a list of {key}", provider=LABEL)
    return raw


def records(data: Any, key: str, model: type[M], what: str) -> list[M]:
    """The list under ``key`` of a response body, each parsed as ``model``."""
    return [parse(model, item, what) for item in rows(data, key)]


async def read_pages(
    ctx: Context,
    tool: str,
    endpoint: Endpoint,
    key: str,
    model: type[M],
    *,
    limit: int,
    cursor: str | None,
    filters: Mapping[str, str | None],
) -> Collected[M]:
    """Follow ``next_page`` links from ``endpoint`` until ``limit`` records; the filters go with every page.

    A ``next_page`` URL may or may not repeat the filters; the core merges them into its query.
    """
    api = persistiq(ctx).api
    params = {name: value for name, value in filters.items() if value is not None}

    async def fetch(ref: Any) -> Page[M]:
        # A next_page link is followed only to this same list (its query is its own).
        response = await endpoint.send(api, ref or endpoint.path, params=params or None, link=endpoint.link)
        data = response.data
        what = key.rstrip("s").replace("_", " ")
        readable = parse_each(lambda item: parse(model, item, what), rows(data, key))
        more = isinstance(data, dict) and data.get("has_more") is not False
        next_page = data.get("next_page") if isinstance(data, dict) and more else None
        next_page = next_page if isinstance(next_page, str) and next_page else None
        return Page(readable.items, next_page, skipped=readable.skipped)

    return await collect(
        fetch,
        limit=limit,
        cursor=cursor,
        scope=fingerprint(tool=tool, **params),
        progress=from_context(ctx),
        noun=key.replace("_", " "),
    )

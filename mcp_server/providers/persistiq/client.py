"""PersistIQ's service: one ``ApiClient`` with the ``x-api-key`` header and a 100/min budget.

Also the endpoint table and how its lists chain their pages (``has_more``/``next_page``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, TypeVar

import httpx
from mcp.server.mcpserver import Context
from pydantic import BaseModel

from mcp_server.app.providers import service_of
from mcp_server.core.errors import BadResponse
from mcp_server.core.lists.listings import Listing, NextLink
from mcp_server.core.state import StateStore, namespace
from mcp_server.core.tools.answer_models import row_text
from mcp_server.core.upstream.auth import HeaderAuth
from mcp_server.core.upstream.budget import WindowBudget
from mcp_server.core.upstream.client import ApiClient
from mcp_server.core.upstream.dialect import Dialect
from mcp_server.core.upstream.endpoints import Endpoint
from mcp_server.core.upstream.records import parse_record
from mcp_server.core.upstream.values import is_seq, obj
from mcp_server.providers.persistiq.models import Campaign, DncDomain, Event, Lead, LeadRow
from mcp_server.settings import Settings

PROVIDER = "persistiq"
LABEL = "PersistIQ"
M = TypeVar("M", bound=BaseModel)


NO_LEAD = "No lead {lead_id}: take lead ids from persistiq_list_leads."

DIALECT = Dialect(unauthorized_hint="The PersistIQ API key was refused: ask the user to check PERSISTIQ_API_KEY.")
"""PersistIQ speaks plain REST: errors as ``{"error": {"reason", "message"}}``, read by the core."""


class Endpoints:
    """Every upstream endpoint in one place (paths relative to the base URL)."""

    users = Endpoint("GET", "v1/users")
    leads = Endpoint("GET", "v1/leads")
    create_leads = Endpoint("POST", "v1/leads")
    lead = Endpoint("GET", "v1/leads/{lead_id}", hints={404: NO_LEAD})
    update_lead = Endpoint("PUT", "v1/leads/{lead_id}", hints={404: NO_LEAD})
    lead_statuses = Endpoint("GET", "v1/lead_statuses")
    lead_fields = Endpoint("GET", "v1/lead_fields")
    campaigns = Endpoint("GET", "v1/campaigns")
    add_campaign_leads = Endpoint("POST", "v1/campaigns/{campaign_id}/leads")
    remove_campaign_lead = Endpoint(
        "DELETE",
        "v1/campaigns/{campaign_id}/leads/{lead_id}",
        hints={
            404: "The campaign does not exist or {lead_id} is not in it: "
            "persistiq_list_campaigns(lead_id={lead_id}) lists the lead's campaigns."
        },
    )
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
        dialect=DIALECT,
    )
    return PersistIQ(api)


def persistiq(ctx: Context) -> PersistIQ:
    return service_of(ctx, PROVIDER, PersistIQ)


def parse(model: type[M], raw: Any, what: str) -> M:
    """One upstream record as ``model``; an unexpected shape is a clear error, not a crash."""
    return parse_record(model, raw, what, LABEL)


def rows(data: Any, key: str) -> list[Any]:
    """The raw list under ``key`` of a response body."""
    raw = obj(data).get(key)
    if raw is None:
        return []
    if not is_seq(raw):
        raise BadResponse(f"PersistIQ answered without a list of {key}", provider=LABEL)
    return raw


def records(data: Any, key: str, model: type[M], what: str) -> list[M]:
    """The list under ``key`` of a response body, each parsed as ``model``."""
    return [parse(model, item, what) for item in rows(data, key)]


@dataclass(frozen=True)
class RebasedLink(NextLink):
    """``next_page`` followed on the configured base URL: a link on PersistIQ's own origin (the document's
    ``https://api.persistiq.com`` examples, on a proxied or test base) whose path ends with the list's own path
    is rebuilt there with its query. The key goes only to the configured API; a link to any other origin or path
    is left as it is, for the core to refuse (a link is followed only to the endpoint it stands for)."""

    path: str = ""

    def read(self, ref: Any, body: Any, raw: list[Any]) -> tuple[list[Any], Any]:
        raw, link = super().read(ref, body, raw)
        return raw, rebased(link, self.path) if isinstance(link, str) else link


VENDOR_ORIGIN = ("https", "api.persistiq.com", None)
"""The origin PersistIQ's own answers name, whatever base URL this server is configured with."""


def rebased(link: str, path: str) -> str:
    """``link`` as ``path?query`` when its own path is ``path`` (after any prefix), else unchanged."""
    try:
        url = httpx.URL(link)
    except httpx.InvalidURL:
        return link
    own = "/" + path.strip("/")
    if (url.host or url.scheme) and (url.scheme, url.host, url.port) != VENDOR_ORIGIN:
        return link
    if url.path.rstrip("/") != own and not url.path.rstrip("/").endswith(own):
        return link
    query = url.query.decode(errors="replace")
    return path.strip("/") + (f"?{query}" if query else "")


def listing(tool: str, endpoint: Endpoint, key: str, model: type[M]) -> Listing[M]:
    """A PersistIQ list: records under ``key``, pages chained by ``next_page`` links while ``has_more``.

    A ``next_page`` URL may or may not repeat the filters; the core merges them into its query."""
    what = key.rstrip("s").replace("_", " ")

    def record(item: Any) -> M:
        return parse(model, item, what)

    pages = RebasedLink(path=endpoint.path)
    return Listing(tool, api, endpoint, pages, lambda data: rows(data, key), record, key.replace("_", " "))


def api(ctx: Context) -> ApiClient:
    return persistiq(ctx).api


class Lists:
    """Every paged list in one place: the tool that reads it, its endpoint, the key of its records."""

    leads = replace(listing("persistiq_list_leads", Endpoints.leads, "leads", Lead), shown=row_text(LeadRow.of))
    campaigns = listing("persistiq_list_campaigns", Endpoints.campaigns, "campaigns", Campaign)
    events = listing("persistiq_list_events", Endpoints.events, "events", Event)
    dnc_domains = listing("persistiq_list_dnc_domains", Endpoints.dnc_domains, "dnc_domains", DncDomain)

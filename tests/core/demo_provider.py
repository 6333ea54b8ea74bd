"""A small provider used only by the core's tests: every shared mechanism, over respx."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import httpx
from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from mcp_server.app.providers import ProviderDef, service_of
from mcp_server.core.call.progress import from_context
from mcp_server.core.errors import ApiError
from mcp_server.core.lists.batches import run_batches
from mcp_server.core.lists.handles import decode, encode, scope
from mcp_server.core.lists.jobs import Pending, Poller, Schedule, clamp_wait
from mcp_server.core.lists.listings import Listing, PageNumber, read
from mcp_server.core.lists.pages import Page, collect
from mcp_server.core.state import StateStore, namespace
from mcp_server.core.tools.registry import Access, Toolset
from mcp_server.core.upstream.auth import HeaderAuth, Token, TokenAuth
from mcp_server.core.upstream.budget import WindowBudget
from mcp_server.core.upstream.client import ApiClient, ApiResponse
from mcp_server.core.upstream.dialect import Dialect
from mcp_server.core.upstream.endpoints import Endpoint
from mcp_server.core.upstream.links import Link
from mcp_server.core.upstream.retry import RetryPolicy
from mcp_server.core.upstream.values import is_obj
from mcp_server.settings import Settings

BASE = "https://demo.example.com/api"
toolset = Toolset("persistiq")


@dataclass
class Demo:
    api: ApiClient
    token_api: ApiClient


class DemoDialect(Dialect):
    """The demo API refuses inside a 200 (``{"ok": false, "why": ...}``) and answers 401 "not yours" for a
    business rule, which no new token would change."""

    def data(self, response: ApiResponse) -> Any:
        body = response.data
        if is_obj(body) and body.get("ok") is False:
            raise ApiError(f"the API refused: {body.get('why')}", provider="Demo", status=200)
        return body

    def token_rejected(self, response: httpx.Response, body: bytes) -> bool:
        return b"not yours" not in body


ITEM = Endpoint("GET", "items/{item_id}", hints={404: "No item {item_id}: take item ids from demo_list."})


async def _fetch_token(client: ApiClient, deadline: float, previous: Token | None) -> Token:
    response = await client.request("POST", "oauth/token", deadline=deadline, idempotent=True, authenticated=False)
    return Token(response.data["access_token"], client.clock() + response.data["expires_in"])


def open_demo(settings: Settings, http: httpx.AsyncClient, store: StateStore) -> Demo:
    assert settings.persistiq_api_key is not None
    fast = RetryPolicy(max_retries=3, base_delay=0.001, max_delay=0.01)
    account = namespace("demo", BASE, settings.persistiq_api_key.get_secret_value())  # a budget per key
    budget = WindowBudget(
        settings.persistiq_rate_limit, settings.rate_window, provider="Demo", store=store, key=f"{account}:rate"
    )
    dialect = DemoDialect()
    key = HeaderAuth({"x-api-key": settings.persistiq_api_key})
    api = ApiClient("Demo", BASE, key, budget, http, retry=fast, dialect=dialect)
    token_api = ApiClient(
        "Demo", BASE, TokenAuth(_fetch_token), WindowBudget(1000, 60), http, retry=fast, dialect=dialect
    )
    return Demo(api, token_api)


def demo(ctx: Context) -> Demo:
    return service_of(ctx, "persistiq", Demo)


class Item(BaseModel):
    id: str
    name: str | None = None


class Items(BaseModel):
    items: list[Item]
    next_cursor: str | None = None
    hint: str | None = None


class Created(BaseModel):
    created: list[str]
    failed: list[dict[str, Any]]


class JobResult(BaseModel):
    status: str
    value: str | None = None
    resume_handle: str | None = None


@toolset.tool("Get item", Access.READ)
async def demo_get(ctx: Context, item_id: Annotated[str, Field(description="id")]) -> Item:
    """Get one item."""
    response = await demo(ctx).api.request("GET", f"items/{item_id}")
    return Item(**response.data)


@toolset.tool("Get item by its endpoint", Access.READ)
async def demo_get_declared(ctx: Context, item_id: Annotated[str, Field(description="id")]) -> Item:
    """Get one item through the declared endpoint (and its hints)."""
    response = await ITEM.at(item_id=item_id).send(demo(ctx).api)
    return Item(**response.data)


@toolset.tool("Get item with token", Access.READ)
async def demo_token_get(ctx: Context, item_id: str) -> Item:
    """Get one item with a bearer token."""
    response = await demo(ctx).token_api.request("GET", f"items/{item_id}")
    return Item(**response.data)


@toolset.tool("List items", Access.READ)
async def demo_list(
    ctx: Context, limit: Annotated[int, Field(ge=1, le=1000)] = 100, cursor: str | None = None, kind: str = "all"
) -> Items:
    """List items."""
    api = demo(ctx).api

    async def fetch(ref: Any) -> Page[Item]:
        response = await api.request("GET", ref or "items", params={"kind": kind}, link=Link.to("GET", "items"))
        return Page([Item(**i) for i in response.data["items"]], response.data.get("next_page"))

    got = await collect(fetch, limit=limit, cursor=cursor, scope=scope(kind=kind), progress=from_context(ctx))
    return Items(items=got.items, next_cursor=got.next_cursor, hint=got.hint)


GROUP_ITEMS = Endpoint("GET", "groups/{group_id}/items")


@toolset.tool("List a group's items", Access.READ)
async def demo_list_group_items(
    ctx: Context, group_id: str, limit: Annotated[int, Field(ge=1, le=1000)] = 100, cursor: str | None = None
) -> Items:
    """List one group's items: a list whose scope is in its path, not its query."""
    listing = Listing(
        "demo_list_group_items",
        lambda c: demo(c).api,
        GROUP_ITEMS.at(group_id=group_id),
        PageNumber("page"),
        lambda data: data["items"],
        lambda raw: Item(**raw),
        "items",
    )
    got = await read(ctx, listing, limit, cursor, {})
    return Items(items=got.items, next_cursor=got.next_cursor, hint=got.hint)


@toolset.tool("Create items", Access.WRITE)
async def demo_create(ctx: Context, names: list[str]) -> Created:
    """Create items, 2 per request."""
    api = demo(ctx).api

    async def send(batch: list[str]) -> list[str]:
        response = await api.request("POST", "items", json_body={"names": batch})
        return [i["id"] for i in response.data["items"]]

    report = await run_batches(names, 2, send)
    return Created(
        created=[i for _, ids in report.done for i in ids],
        failed=[
            {"names": f.items, "error": f.error, "maybe_applied": f.maybe_applied, "sent": f.sent}
            for f in report.failed
        ],
    )


@toolset.tool("Run job", Access.READ)
async def demo_job(ctx: Context, resume_handle: str | None = None, max_wait: float | None = None) -> JobResult:
    """Start a job and wait for it."""
    api = demo(ctx).api
    if resume_handle:
        job_id = decode("demo-job", resume_handle, "resume_handle")["id"]
    else:
        job_id = (await api.request("POST", "jobs", idempotent=False)).data["id"]

    async def check() -> str | None:
        data = (await api.request("GET", f"jobs/{job_id}")).data
        return data["value"] if data["status"] == "done" else None

    poller = Poller(
        check,
        wait=clamp_wait(max_wait),
        schedule=Schedule(first=0.05, factor=1.0, most=0.05),  # polls start 50 ms apart: 20 in a 1 s wait
        progress=from_context(ctx),
        label="demo job",
    )
    outcome = await poller.run()
    if isinstance(outcome, Pending):
        return JobResult(status="in_progress", resume_handle=encode("demo-job", {"id": job_id}))
    return JobResult(status="completed", value=outcome)


DEMO = ProviderDef("persistiq", "Demo", toolset, open_demo, needs="PERSISTIQ_API_KEY")

"""Counts derived, never hand-kept: every tool tools/list names reaches a route the sandbox serves, and some
test calls it by name. A new tool fails here until the sandbox answers it and a test of its own calls it."""

from __future__ import annotations

import ast
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from mcp import Client
from starlette.routing import BaseRoute, Match, Mount

from mcp_server.examples import example_of
from mcp_server.server import create_server
from outbound_sandbox.app import AnsweredRequest, Sandbox
from tests.confirm_helpers import agrees
from tests.fixture_types import SettingsFor
from tests.strict_helpers import listed_tools

pytestmark = pytest.mark.anyio
TOOLS = listed_tools()
IDS = [tool["name"] for tool in TOOLS]
TUNING = {"poll_wait": 0.3, "poll_interval": 0.01, "snov_rate_limit": 10_000, "persistiq_rate_limit": 10_000}
NOWHERE = "/no-such-route-in-any-vendor-document"
HERE = Path(__file__).resolve()
TESTS = HERE.parent


# Each vendor ends its table with a catch-all that answers in the vendor's own 404 body, so a body alone cannot
# tell "no such route" from "no such lead"; the route a request matched can.
def matched(routes: list[BaseRoute], scope: dict[str, Any]) -> tuple[Match, BaseRoute | None]:
    """The route Starlette would pick: the first full match, else the first partial one (a 405)."""
    partial: BaseRoute | None = None
    for route in routes:
        match, child = route.matches(scope)
        if match is Match.FULL:
            if isinstance(route, Mount) and route.routes:
                return matched(route.routes, {**scope, **child})
            return Match.FULL, route
        if match is Match.PARTIAL and partial is None:
            partial = route
    return (Match.PARTIAL, partial) if partial else (Match.NONE, None)


class Routing:
    """The sandbox's vendors mounted as the sandbox mounts them, to tell which route a logged request met."""

    def __init__(self, sandbox: Any, http: httpx.AsyncClient) -> None:
        self.prefixes = [vendor.prefix for vendor in sandbox.vendors]
        self.routes: list[BaseRoute] = [Mount(vendor.prefix, routes=vendor.routes()) for vendor in sandbox.vendors]
        self.http = http

    def route(self, method: str, path: str) -> tuple[Match, BaseRoute | None]:
        return matched(self.routes, {"type": "http", "method": method, "path": path, "root_path": ""})

    def nowhere(self, path: str) -> str:
        return next(p for p in self.prefixes if path.startswith(p)) + NOWHERE

    def matches_a_route(self, method: str, path: str) -> bool:
        """A route of the vendor's own, not its catch-all, a 405 or no vendor at all."""
        match, route = self.route(method, path)
        return match is Match.FULL and route is not self.route(method, self.nowhere(path))[1]

    def missing(self, requests: list[Any]) -> list[str]:
        """The requests the sandbox has no route for in any profile: no match, or a 405."""
        return [
            f"{r.method} {r.path} -> {r.status}"
            for r in requests
            if r.status == 405 or not self.matches_a_route(r.method, r.path)
        ]

    async def served(self, r: Any) -> bool:
        """Answered by its route. A route this profile leaves out (Snov.io's retired v1, an Epixel path
        the document lacks) answers as the catch-all does, which a client may rightly fall back from; asked
        again without its body, the PersistIQ key getting it past PersistIQ's sign-in check (the others
        leave a route out before theirs)."""
        if self.missing([r]):
            return False
        if r.status != 404:
            return True
        return await self.answer(r.method, r.path) != await self.answer(r.method, self.nowhere(r.path))

    async def answer(self, method: str, path: str) -> tuple[int, bytes]:
        response = await self.http.request(method, path)
        return response.status_code, response.content


@pytest.fixture
async def routing(sandbox: Any, sandbox_urls: Any) -> AsyncIterator[Routing]:
    sandbox.config.rate_limits = False
    sandbox.config.job_delay = 0.0
    key = {"x-api-key": sandbox_urls.environment()["PERSISTIQ_API_KEY"]}
    async with httpx.AsyncClient(base_url=sandbox_urls.origin, headers=key, timeout=10) as http:
        yield Routing(sandbox, http)


PROVIDERS = ["persistiq", "snov", "epixel", "outreach"]


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_every_tool_of_a_provider_called_with_its_example_reaches_a_sandbox_route(
    provider: str, sandbox: Sandbox, routing: Routing, settings_for: SettingsFor
):
    names = [name for name in IDS if name.startswith(f"{provider}_")]
    problems: list[str] = []
    async with Client(create_server(settings_for(**TUNING)), elicitation_callback=agrees) as client:
        for name in names:
            before = len(sandbox.env.requests)
            result = await client.call_tool(name, example_of(name))
            text = " ".join(getattr(b, "text", "") for b in result.content)
            requests = list(sandbox.env.requests)[before:]
            if "arguments refused" in text:
                problems.append(f"{name}: its example was refused: {text}")
            if missing := routing.missing(requests):
                problems.append(f"{name}: the sandbox has no route for {missing}")
            if not [r for r in requests if await routing.served(r)]:
                problems.append(f"{name}: no request was answered by its route: {text[:300]}")
    assert names and problems == []


def test_every_tool_is_tried_with_its_provider():
    assert sorted(name for provider in PROVIDERS for name in IDS if name.startswith(f"{provider}_")) == sorted(IDS)


async def test_a_path_no_vendor_serves_is_told_apart_from_a_lead_the_vendor_does_not_have(
    sandbox: Sandbox, routing: Routing, settings_for: SettingsFor
):
    async with Client(create_server(settings_for())) as client:
        missing = await client.call_tool("persistiq_get_lead", {"lead_id": "l_nobody1"})
    await routing.http.get("/persistiq/v1/leads/l_nobody1/no-such-part")
    [lead, stray] = sandbox.env.requests
    assert isinstance(lead, AnsweredRequest) and isinstance(stray, AnsweredRequest)
    assert missing.is_error and lead.status == stray.status == 404
    assert routing.missing([lead]) == [] and await routing.served(lead)
    assert routing.missing([stray]) == ["GET /persistiq/v1/leads/l_nobody1/no-such-part -> 404"]
    assert not await routing.served(stray)


async def test_a_route_the_profile_leaves_out_exists_but_does_not_count_as_reached(sandbox: Sandbox, routing: Routing):
    sandbox.config.profile = "documented"  # which has no /leads/create/lead/, only its /v1/ twin
    await routing.http.post("/epixel/api/v1/leads/create/lead/")
    await routing.http.get("/epixel/api/v1/leads/overview/")
    [left_out, signed_out] = sandbox.env.requests
    assert isinstance(left_out, AnsweredRequest) and isinstance(signed_out, AnsweredRequest)
    assert (left_out.status, signed_out.status) == (404, 401)
    assert routing.missing([left_out, signed_out]) == []
    assert not await routing.served(left_out)
    assert await routing.served(signed_out)


async def test_a_405_from_a_route_counts_as_no_route(routing: Routing):
    # Epixel's own routes answer a wrong method after the sign-in check; what the log keeps is enough here.
    wrong = SimpleNamespace(method="GET", path="/epixel/api/v1/leads/delete/lead/", status=405)
    assert routing.matches_a_route(wrong.method, wrong.path)
    assert routing.missing([wrong]) == ["GET /epixel/api/v1/leads/delete/lead/ -> 405"]


async def test_a_path_outside_every_vendor_or_one_only_a_catch_all_takes_matches_no_route(routing: Routing):
    assert routing.matches_a_route("GET", "/persistiq/v1/users")
    assert not routing.matches_a_route("PUT", "/snov/v1/oauth/access_token")
    assert not routing.matches_a_route("GET", "/nobody/v1/users")


def called_names(source: str) -> set[str]:
    """Every text passed straight to a call, alone or in a list: ``call_tool("name", ...)``,
    ``ok(mcp, "name")``, ``connect(["name"])``; a name merely compared or mentioned does not count."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        for arg in [*node.args, *(keyword.value for keyword in node.keywords)]:
            items = arg.elts if isinstance(arg, ast.List | ast.Tuple | ast.Set) else [arg]
            found |= {item.value for item in items if isinstance(item, ast.Constant) and isinstance(item.value, str)}
    return found


@cache
def called_in_tests() -> frozenset[str]:
    """What the test files (not this one, not the helpers) call; the all-tool tests, calling each tool's example,
    name none."""
    files = [p for p in TESTS.rglob("*.py") if p.name.startswith("test_") or p.name == "conftest.py"]
    return frozenset[str]().union(*(called_names(p.read_text(encoding="utf-8")) for p in files if p != HERE))


def test_every_tool_is_called_by_some_test():
    assert sorted(set(IDS) - called_in_tests()) == [], "no test calls these by name"


def test_only_a_name_passed_to_a_call_counts_as_calling_it():
    source = """
await mcp.call_tool("a_tool", {})
await ok(mcp, "b_tool", {"x": 1})
async with connect(["c_tool"]): pass
assert name == "d_tool"
TOOLS = {"e_tool": 1}
"""
    assert called_names(source) & {"a_tool", "b_tool", "c_tool", "d_tool", "e_tool"} == {"a_tool", "b_tool", "c_tool"}

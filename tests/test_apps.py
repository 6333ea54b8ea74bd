"""MCP Apps (docs/apps.md): spends and deletes name the approval App; a client that renders Apps but shows no
form gets the question in the App, and only the App-only tool's Approve runs the call, once."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any

import mcp.types as t
import pytest
from mcp import Client
from mcp.client.extension import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID

from mcp_server.apps.build import BUILT, pages
from mcp_server.apps.uris import LEADS_URI, PAGES, REPORT_URI
from mcp_server.core.guards import is_str_dict
from mcp_server.core.tools.approvals import APPROVAL_TOOL, APPROVAL_URI, META_KEY
from mcp_server.server import create_server
from outbound_sandbox.app import Sandbox
from tests.confirm_helpers import MODES
from tests.core.helpers import text_of
from tests.fixture_types import SettingsFor

pytestmark = pytest.mark.anyio

RENDERS_APPS = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})
ALEX = {"first_name": "Alex", "last_name": "Rivera", "domain": "acme.com", "queue_if_missing": True}
QUEUE = "/snov/v1/add-names-to-find-emails"


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


Connect = Callable[..., Any]


@pytest.fixture
def jobs(sandbox: Sandbox) -> Sandbox:
    sandbox.config.job_delay = 0.2
    sandbox.config.rate_limits = False
    return sandbox


@pytest.fixture
def connect(settings_for: SettingsFor) -> Connect:
    @asynccontextmanager
    async def open_client(
        *, apps: bool = True, clock: Clock | None = None, mode: str = "auto"
    ) -> AsyncGenerator[Client]:
        settings = settings_for(poll_interval=0.05, snov_rate_limit=10_000)
        server = create_server(settings, clock=clock or Clock())
        async with Client(server, extensions=[RENDERS_APPS] if apps else None, mode=mode) as client:
            yield client

    return open_client


def approval_of(result: t.CallToolResult) -> dict[str, Any]:
    meta = result.meta or {}
    pending = meta.get(META_KEY)
    assert is_str_dict(pending), text_of(result)
    return pending


async def answer(client: Client, approval: dict[str, Any], choice: str) -> t.CallToolResult:
    return await client.call_tool(APPROVAL_TOOL, {"approval_id": approval["id"], "choice": choice})


async def test_every_spend_and_delete_tool_names_the_approval_app_and_the_report_names_its_chart(connect: Connect):
    async with connect() as client:
        tools = (await client.list_tools()).tools
        pages = {uri: await client.read_resource(uri) for uri in PAGES}

    def ui(tool: t.Tool) -> Any:
        return (tool.meta or {}).get("ui", {}).get("resourceUri")

    asking = {tool.name for tool in tools if "confirmation_token" in tool.input_schema["properties"]}
    assert {"snov_domain_search", "epixel_delete_lead", "snov_delete_webhook"} <= asking
    assert {tool.name for tool in tools if ui(tool) == APPROVAL_URI} == asking | {APPROVAL_TOOL}
    assert {tool.name for tool in tools if ui(tool) == REPORT_URI} == {"outreach_campaign_report"}
    assert {tool.name for tool in tools if ui(tool) == LEADS_URI} == {"persistiq_list_leads", "epixel_list_leads"}
    for page in pages.values():
        (content,) = page.contents
        assert isinstance(content, t.TextResourceContents) and content.mime_type == APP_MIME_TYPE
        assert "Content-Security-Policy" in content.text and "<script src" not in content.text
    for tool in tools:
        assert "anyOf" not in (tool.output_schema or {}), tool.name


async def test_the_app_only_tool_is_shown_to_apps_clients_as_app_only_and_to_no_other_client(connect: Connect):
    async with connect() as with_apps:
        listed = {tool.name: tool for tool in (await with_apps.list_tools()).tools}
    async with connect(apps=False) as without:
        names = {tool.name for tool in (await without.list_tools()).tools}

    assert (listed[APPROVAL_TOOL].meta or {})["ui"]["visibility"] == ["app"]
    assert APPROVAL_TOOL not in names and "snov_domain_search" in names


async def test_a_client_without_apps_gets_no_ui_links_but_keeps_the_other_meta(connect: Connect):
    async with connect(apps=False) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}

    assert all("ui" not in (tool.meta or {}) for tool in tools.values())
    assert tools["outreach_campaign_report"].meta == {"anthropic/alwaysLoad": True}
    assert tools["snov_domain_search"].meta is None


async def test_the_app_only_tool_refuses_an_approval_that_was_never_issued_and_sends_nothing(
    connect: Connect, jobs: Sandbox
):
    async with connect() as client:
        result = await client.call_tool(APPROVAL_TOOL, {"approval_id": "ap_made_up_by_a_model", "choice": "approve"})

    assert result.is_error and "no such pending approval" in text_of(result) and "Nothing was sent" in text_of(result)
    assert jobs.env.requests == []


async def test_a_spend_waits_for_the_app_tells_the_model_so_and_never_shows_it_the_approval_id(
    connect: Connect, jobs: Sandbox
):
    async with connect() as client:
        result = await client.call_tool("snov_find_email", ALEX)

    pending = approval_of(result)
    assert not result.is_error
    text = text_of(result)
    assert "waiting for the user's approval" in text and "approval panel" in text
    assert "searching the email of Alex Rivera at acme.com will spend 1 credit" in text
    assert pending["id"] not in text and pending["id"] not in str(result.structured_content)
    assert pending["kind"] == "paid" and pending["tool"] == "snov_find_email"
    assert "confirmation_token" not in result.structured_content["confirmation_required"]
    assert jobs.env.requests == []


@pytest.mark.parametrize("mode", MODES)
async def test_approve_runs_the_spend_once_and_a_second_answer_is_refused(connect: Connect, jobs: Sandbox, mode: str):
    async with connect(mode=mode) as client:
        pending = approval_of(await client.call_tool("snov_find_email", ALEX))
        done = await answer(client, pending, "approve")
        again = await answer(client, pending, "approve")

    assert not done.is_error, text_of(done)
    assert done.structured_content["status"] == "found"
    assert again.is_error and "already answered" in text_of(again)
    assert len(jobs.env.handled("POST", QUEUE)) == 1
    assert jobs.snov.spent == 1


async def test_decline_sends_nothing_and_the_declined_approval_cannot_be_approved_after(
    connect: Connect, jobs: Sandbox
):
    async with connect() as client:
        pending = approval_of(await client.call_tool("snov_find_email", ALEX))
        declined = await answer(client, pending, "decline")
        late = await answer(client, pending, "approve")

    assert not declined.is_error
    assert "declined" in text_of(declined) and "no credits were spent" in text_of(declined)
    assert declined.structured_content == {"choice": "decline", "tool": "snov_find_email", "ran": False}
    assert late.is_error
    assert jobs.env.requests == []
    assert jobs.snov.spent == 0


async def test_approve_of_a_delete_deletes_once(connect: Connect, sandbox: Sandbox):
    async with connect() as client:
        await client.call_tool("snov_list_webhooks", {})
        asked = await client.call_tool("snov_delete_webhook", {"webhook_id": 8})
        assert sandbox.env.handled("DELETE") == []
        done = await answer(client, approval_of(asked), "approve")

    assert "Delete Snov.io webhook 8" in text_of(asked)
    assert not done.is_error, text_of(done)
    assert len(sandbox.env.handled("DELETE")) == 1


async def test_an_approval_answered_after_its_expiry_is_refused(connect: Connect, jobs: Sandbox):
    clock = Clock()
    async with connect(clock=clock) as client:
        pending = approval_of(await client.call_tool("snov_find_email", ALEX))
        clock.now += 601
        late = await answer(client, pending, "approve")

    assert late.is_error and "expired" in text_of(late)
    assert jobs.env.requests == []


async def test_a_client_with_a_form_keeps_the_form(settings_for: SettingsFor, jobs: Sandbox):
    asked: list[str] = []

    async def person(context: Any, params: Any) -> t.ElicitResult:
        asked.append(params.message)
        return t.ElicitResult(action="decline")

    server = create_server(settings_for())
    async with Client(server, extensions=[RENDERS_APPS], elicitation_callback=person) as client:
        result = await client.call_tool("snov_find_email", ALEX)

    assert result.is_error and "the user declined" in text_of(result)
    assert META_KEY not in (result.meta or {})
    assert len(asked) == 1


async def test_a_client_without_apps_or_forms_keeps_the_preview(connect: Connect, jobs: Sandbox):
    async with connect(apps=False) as client:
        result = await client.call_tool("snov_find_email", ALEX)

    assert "confirmation_token" in result.structured_content["confirmation_required"]
    assert META_KEY not in (result.meta or {})


def test_the_served_pages_are_what_ui_builds_and_stay_small():
    built = pages()
    assert set(built) == set(PAGES.values())
    for name, html in built.items():
        assert (BUILT / name).read_text(encoding="utf-8") == html, f"run python -m mcp_server.apps.build ({name})"
        assert "/* inline:" not in html and len(html.encode()) < 16_000

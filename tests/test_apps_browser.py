"""Each App in a real headless Chromium (Debian's package), inside a small host page that speaks the Apps
messages to a real server process over stdio: the approval's words, one upstream write after Approve, the
report's chart from sandbox data, no console error. Screenshots go to docs/images/ (README, docs/apps.md)."""

from __future__ import annotations

import itertools
import os
import shutil
import sys
import tempfile
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import mcp.types as t
import pytest
from mcp import Client, StdioServerParameters
from playwright.async_api import Page, async_playwright

from mcp_server.apps.uris import LEADS_URI, REPORT_URI
from mcp_server.core.tools.approvals import APPROVAL_URI, META_KEY
from outbound_sandbox.app import Sandbox
from outbound_sandbox.runner import SandboxUrls
from tests.test_apps import ALEX, QUEUE, RENDERS_APPS
from tests.test_stdio_e2e import clean_env

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
ROOT = Path(__file__).resolve().parents[1]
HOST = Path(__file__).with_name("apps_host.html")
IMAGES = ROOT / "docs" / "images"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FOUND = os.path.exists(CHROMIUM)
DELETE_LEAD = "/epixel/api/v1/leads/delete/lead/"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def jobs(sandbox: Sandbox) -> Sandbox:
    sandbox.config.job_delay = 0.2
    sandbox.config.rate_limits = False
    return sandbox


@asynccontextmanager
async def server_process(urls: SandboxUrls) -> AsyncGenerator[Client]:
    env = clean_env({**urls.environment(), "OUTBOUND_MCP_POLL_INTERVAL": "0.05"})
    params = StdioServerParameters(command=sys.executable, args=["-m", "mcp_server"], env=env)
    async with Client(params, extensions=[RENDERS_APPS]) as client:
        yield client


@asynccontextmanager
async def host(client: Client, uri: str) -> AsyncGenerator[tuple[Page, list[str]]]:
    """The host page with the App of ``uri`` loaded and initialized; console errors collected."""
    if not CHROMIUM_FOUND:
        pytest.fail("Chromium is not installed: apt-get install -y chromium (see .ci/run)")
    (content,) = (await client.read_resource(uri)).contents
    assert isinstance(content, t.TextResourceContents)
    errors: list[str] = []

    async def call_tool(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        result = await client.call_tool(name, arguments)
        return result.model_dump(by_alias=True, mode="json", exclude_none=True)

    with tempfile.TemporaryDirectory() as profile:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=FLAGS, headless=True, viewport={"width": 600, "height": 420}
            )
            try:
                page = browser.pages[0] if browser.pages else await browser.new_page()
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                await page.expose_function("hostCallTool", call_tool)  # pyright: ignore[reportUnknownMemberType]
                await page.goto(HOST.as_uri())
                await page.evaluate("html => window.showApp(html)", content.text)
                await page.wait_for_function("window.hostLog.initialized")
                yield page, errors
            finally:
                await browser.close()


def wire(result: t.CallToolResult) -> dict[str, Any]:
    return result.model_dump(by_alias=True, mode="json", exclude_none=True)


async def test_the_approval_app_shows_the_question_and_approve_makes_exactly_one_upstream_write(
    sandbox_urls: SandboxUrls, jobs: Sandbox
):
    async with server_process(sandbox_urls) as client:
        asked = await client.call_tool("snov_find_email", ALEX)
        assert META_KEY in (asked.meta or {})
        async with host(client, APPROVAL_URI) as (page, errors):
            await page.evaluate("result => window.sendToolResult(result)", wire(asked))
            app = page.frame_locator("iframe")
            await app.get_by_text("searching the email of Alex Rivera at acme.com will spend 1 credit").wait_for()
            words = await app.locator("#question").inner_text()
            await page.screenshot(path=str(IMAGES / "app-approval.png"))
            assert jobs.env.handled("POST", QUEUE) == []
            await app.get_by_role("button", name="Approve: spend").click()
            await page.wait_for_function("window.hostLog.messages.length > 0")
            log = await page.evaluate("window.hostLog")
            status = await app.locator("#status").inner_text()

    assert "Spend the credits?" in words and "This server has spent 0 credits today" in words
    assert len(jobs.env.handled("POST", QUEUE)) == 1
    assert jobs.snov.spent == 1
    assert [call["name"] for call in log["calls"]] == ["outbound_answer_approval"]
    (message,) = log["messages"]
    assert "In the approval panel I approved" in message["content"][0]["text"]
    assert "Not done" not in status
    assert errors == []


async def test_the_decline_button_sends_nothing_upstream(sandbox_urls: SandboxUrls, jobs: Sandbox):
    async with server_process(sandbox_urls) as client:
        asked = await client.call_tool("snov_find_email", ALEX)
        async with host(client, APPROVAL_URI) as (page, errors):
            await page.evaluate("result => window.sendToolResult(result)", wire(asked))
            app = page.frame_locator("iframe")
            await app.get_by_role("button", name="Decline").click()
            await page.wait_for_function("window.hostLog.messages.length > 0")
            log = await page.evaluate("window.hostLog")

    assert "In the approval panel I declined" in log["messages"][0]["content"][0]["text"]
    assert jobs.env.requests == []
    assert errors == []


async def test_the_report_app_draws_each_campaign_from_sandbox_data(sandbox_urls: SandboxUrls, sandbox: Sandbox):
    async with server_process(sandbox_urls) as client:
        report = await client.call_tool("outreach_campaign_report", {})
        assert not report.is_error
        async with host(client, REPORT_URI) as (page, errors):
            await page.evaluate("result => window.sendToolResult(result)", wire(report))
            app = page.frame_locator("iframe")
            await app.locator("svg rect").first.wait_for()
            drawn = await app.locator("text[data-measure='sent']").all_text_contents()
            headings = await app.locator("h2").all_inner_texts()
            await app.locator("summary").first.click()
            opened = await app.locator("details[open] td").first.inner_text()
            await page.set_viewport_size({"width": 600, "height": 640})
            await page.screenshot(path=str(IMAGES / "app-campaign-report.png"))

    table = report.structured_content["campaigns"]
    campaigns = [dict(itertools.zip_longest(table["columns"], row)) for row in table["rows"]]
    assert campaigns, "the sandbox has campaigns"
    assert drawn == [str(c["sent"] or 0) for c in campaigns]
    assert headings == [c["name"] or c["id"] for c in campaigns]
    first = next(c for c in campaigns if c["repliers"] and c["repliers"]["rows"])
    assert opened == dict(itertools.zip_longest(first["repliers"]["columns"], first["repliers"]["rows"][0]))["name"]
    assert errors == []


async def test_the_lead_table_sorts_filters_and_a_picked_delete_goes_through_the_approval(
    sandbox_urls: SandboxUrls, sandbox: Sandbox
):
    async with server_process(sandbox_urls) as client:
        listed = await client.call_tool("epixel_list_leads", {"limit": 20})
        table = listed.structured_content
        leads = [dict(itertools.zip_longest(table["columns"], row)) for row in table["rows"]]
        async with host(client, LEADS_URI) as (page, errors):
            await page.evaluate("result => window.sendToolResult(result)", wire(listed))
            app = page.frame_locator("iframe")
            await app.get_by_role("button", name="email").click()
            first_email = await app.locator("tr:nth-child(2) td:nth-child(5)").inner_text()
            target = leads[1]
            await app.get_by_label("Filter").fill(target["email"])
            shown = await app.locator("tr").count()
            await app.get_by_role("checkbox").first.check()
            await app.get_by_role("button", name="Delete 1 picked").click()
            question = app.locator(".ask p")
            await question.wait_for()
            asked = await question.inner_text()
            await page.set_viewport_size({"width": 600, "height": 360})
            await page.screenshot(path=str(IMAGES / "app-lead-table.png"))
            deletes_before = len(sandbox.env.handled("POST", DELETE_LEAD))
            await app.get_by_role("button", name="Approve: delete").click()
            await page.wait_for_function("window.hostLog.messages.length > 0")

    assert first_email == min(plain(lead["email"]) for lead in leads)
    assert shown == 2  # the header and the one lead the filter keeps
    assert f"Delete Epixel lead {target['first_name']} {target['last_name']}" in asked
    assert deletes_before == 0
    assert len(sandbox.env.handled("POST", DELETE_LEAD)) == 1
    assert errors == []


def plain(value: Any) -> str:
    return str(value or "").replace("<untrusted-content>", "").replace("</untrusted-content>", "").strip()

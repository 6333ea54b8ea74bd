"""Login, cached access token, expiry handled by a refresh or a fresh login, and a fixed token."""

from __future__ import annotations

import pytest
from mcp import Client

from mcp_server.server import create_server
from outbound_sandbox.app import Sandbox
from outbound_sandbox.runner import SandboxUrls
from tests.providers.epixel.helpers import calls, issued_token, ok, refused
from tests.providers.typed import SettingsFor
from tests.sandbox_clock import SandboxClock
from tests.tables import rows

pytestmark = pytest.mark.anyio


async def test_the_first_call_logs_in_once_and_later_calls_reuse_the_token(mcp: Client, sandbox: Sandbox):
    await ok(mcp, "epixel_list_leads", {"limit": 1})
    await ok(mcp, "epixel_get_lead", {"slug": "lead1"})
    assert len(calls(sandbox, "POST", "user/login/")) == 1
    login = calls(sandbox, "POST", "user/login/")[0]
    assert b"username=demo" in login.body and b"password=" in login.body  # form fields, not JSON


@pytest.mark.current_profile  # the refresh path is not in the document
async def test_an_expired_access_token_is_refreshed_and_the_call_repeated_without_the_model_noticing(
    sandbox_clock: SandboxClock, mcp: Client, sandbox: Sandbox
):
    sandbox.config.token_lifetime = 0.5
    await ok(mcp, "epixel_list_leads", {"limit": 1})
    sandbox_clock.advance(0.7)
    got = await ok(mcp, "epixel_list_leads", {"limit": 1})
    assert rows(got)
    assert len(calls(sandbox, "POST", "user/login/")) == 1
    assert len(calls(sandbox, "POST", "user/token/refresh/")) == 1
    assert len(calls(sandbox, "GET", "leads/list/")) == 3  # ok, refused as expired, repeated


async def test_when_the_refresh_token_has_expired_too_the_client_logs_in_again(
    sandbox_clock: SandboxClock, mcp: Client, sandbox: Sandbox
):
    sandbox.config.time_scale = 86400.0  # a day of vendor time per real second: the refresh token lives 1 s
    sandbox.config.token_lifetime = 43200.0  # the access token 0.5 s
    await ok(mcp, "epixel_list_leads", {"limit": 1})
    sandbox_clock.advance(1.1)
    await ok(mcp, "epixel_list_leads", {"limit": 1})
    assert len(calls(sandbox, "POST", "user/token/refresh/")) == 1
    assert len(calls(sandbox, "POST", "user/login/")) == 2


async def test_a_fixed_access_token_is_used_as_given_without_any_login(settings_for: SettingsFor, sandbox: Sandbox):
    token = issued_token(sandbox)
    settings = settings_for(epixel_access_token=token, epixel_username=None, epixel_password=None)
    async with Client(create_server(settings)) as client:
        got = await ok(client, "epixel_list_leads", {"limit": 2})
    assert len(rows(got)) == 2
    assert calls(sandbox, "POST", "user/") == []


async def test_a_refused_fixed_token_is_reported_with_the_settings_to_change_and_no_login(
    settings_for: SettingsFor, sandbox: Sandbox
):
    settings = settings_for(epixel_access_token="expired.jwt.token", epixel_username=None, epixel_password=None)
    async with Client(create_server(settings)) as client:
        text = await refused(client, "epixel_list_leads", {})
    assert "Given token not valid" in text
    assert "EPIXEL_ACCESS_TOKEN" in text
    assert calls(sandbox, "POST", "user/") == []


async def test_a_wrong_password_is_reported_as_refused_credentials(settings_for: SettingsFor, sandbox: Sandbox):
    async with Client(create_server(settings_for(epixel_password="not-the-password"))) as client:
        text = await refused(client, "epixel_get_leads_overview", {})
    assert "No active account found with the given credentials" in text
    assert "EPIXEL_USERNAME/EPIXEL_PASSWORD" in text
    assert calls(sandbox, "GET") == []


async def test_a_base_url_without_the_version_is_reported_as_a_setting_to_check(
    settings_for: SettingsFor, sandbox_urls: SandboxUrls
):
    async with Client(create_server(settings_for(epixel_base_url=sandbox_urls.origin + "/epixel/api"))) as client:
        text = await refused(client, "epixel_get_lead", {"slug": "lead1"})
    assert "404" in text and "EPIXEL_BASE_URL" in text

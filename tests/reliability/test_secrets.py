"""Secrets: every credential is a canary (conftest.py), and after every test of this suite, the fault
matrix and the fuzzing included, no tool output, error or captured log line may contain one, nor any
token the sandbox issued. These tests add the hostile cases: an upstream that echoes credentials back."""

from __future__ import annotations

from typing import Any

import pytest

from outbound_sandbox.config import Fault
from tests.reliability.conftest import CANARIES, LeakWatch
from tests.reliability.writes import text_of

pytestmark = pytest.mark.anyio

MASK = "[REDACTED]"
ECHO = " ".join(CANARIES.values())


async def test_the_canaries_are_the_credentials_the_sandbox_accepts(connect: Any, sandbox: Any) -> None:
    tools = ["persistiq_list_users", "snov_list_custom_fields", "epixel_get_leads_overview"]
    async with connect(tools) as client:
        for tool in tools:
            result = await client.call_tool(tool, {})
            assert not result.is_error, text_of(result)
    # The sandbox only answers the canaries: these calls were authenticated with them.
    assert sandbox.env.handled("POST", "/snov/v1/oauth/access_token")
    assert sandbox.env.handled("POST", "/epixel/api/v1/user/login/")


async def test_credentials_an_upstream_echoes_in_its_errors_are_masked_in_answers_and_logs(
    connect: Any, sandbox: Any, leak_watch: LeakWatch
) -> None:
    tools = ["persistiq_list_users", "snov_list_custom_fields", "snov_list_webhooks", "epixel_get_leads_overview"]
    async with connect(tools) as client:
        assert not (await client.call_tool("snov_list_custom_fields", {})).is_error  # a token is issued
        token = next(iter(sandbox.snov.core.tokens))
        sandbox.config.add_fault(
            "GET /persistiq/v1/users",
            Fault("body", status=400, body={"error": {"reason": "bad_key", "message": f"key {ECHO} refused"}}),
        )
        sandbox.config.add_fault(
            "GET /snov/v2/webhooks*",
            Fault("body", status=400, body={"success": False, "message": f"token {token} of {ECHO} refused"}),
        )
        sandbox.config.add_fault(
            "GET /epixel/api/v1/leads/overview/",
            Fault("body", status=400, body={"status_code": 400, "errors": {"apikey": [f"{ECHO} refused"]}, "data": {}}),
        )
        results = [await client.call_tool(tool, {}) for tool in tools if tool != "snov_list_custom_fields"]
    for result in results:
        assert result.is_error
        assert MASK in text_of(result), text_of(result)  # the upstream's words came through, masked
    assert all(rule.applied for rule in sandbox.config.faults)
    assert any(MASK in line for line in leak_watch.logs), "the echoed errors were not logged at all"


async def test_a_refused_login_or_token_request_that_echoes_the_password_does_not_leak_it(
    connect: Any, sandbox: Any
) -> None:
    sandbox.config.add_fault(
        "POST /snov/v1/oauth/access_token",
        Fault("body", status=401, body={"error": f"invalid_client: client_secret={ECHO} is wrong"}),
    )
    sandbox.config.add_fault(
        "POST /epixel/api/v1/user/login/",
        Fault("body", status=401, body={"detail": f"password {ECHO} does not match"}),
    )
    async with connect(["snov_list_custom_fields", "epixel_get_leads_overview"]) as client:
        snov = await client.call_tool("snov_list_custom_fields", {})
        epixel = await client.call_tool("epixel_get_leads_overview", {})
    assert snov.is_error and epixel.is_error
    assert MASK in text_of(snov) and MASK in text_of(epixel)


async def test_a_credential_inside_a_successful_answer_is_masked_before_the_model_sees_it(
    connect: Any, sandbox: Any
) -> None:
    lead = {"id": "l_echo1", "status": "active", "data": {"email": "a@b.co", "snippet": f"key: {ECHO}"}}
    sandbox.config.add_fault("GET /persistiq/v1/leads/l_echo1", Fault("body", status=200, body={"leads": [lead]}))
    async with connect(["persistiq_get_lead"]) as client:
        result = await client.call_tool("persistiq_get_lead", {"lead_id": "l_echo1"})
    assert not result.is_error, text_of(result)
    assert MASK in text_of(result)

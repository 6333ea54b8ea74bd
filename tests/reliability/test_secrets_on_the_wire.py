"""Secrets in the forms they take on the wire: an upstream that echoes a request back prints a password
form-encoded, URL-encoded, JSON-escaped or inside Basic auth; each form is masked like the secret itself.
A short access token is masked where it stands alone, while words that merely contain it stay."""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from mcp_server.core.redact import wire_forms
from outbound_sandbox import config as cfg
from outbound_sandbox.config import Fault
from tests.reliability.conftest import LeakWatch
from tests.reliability.figures import count
from tests.reliability.writes import text_of

pytestmark = pytest.mark.anyio

MASK = "[REDACTED]"
PASSWORD = "cnry P@ss+w/rd&x=9"
"""A password with every character that encodes differently in a form, a URL, JSON and HTML."""


async def test_a_password_echoed_in_any_wire_encoding_is_masked_in_the_error_and_the_logs(
    connect: Any, sandbox: Any, leak_watch: LeakWatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cfg, "EPIXEL_PASSWORD", PASSWORD)
    basic = base64.b64encode(f"{cfg.EPIXEL_USERNAME}:{PASSWORD}".encode()).decode()
    echoes = {
        "form": f"username={cfg.EPIXEL_USERNAME}&password={quote_plus(PASSWORD)}",
        "query": f"?password={quote(PASSWORD, safe='')}",
        "lower-case hex": "?password=" + re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(PASSWORD, safe="")),
        "json": json.dumps({"password": PASSWORD}),
        "php json": json.dumps({"password": PASSWORD}).replace("/", "\\/"),
        "basic auth": f"Authorization: Basic {basic}",
    }
    leak_watch.extra_secrets |= {PASSWORD, quote_plus(PASSWORD), quote(PASSWORD, safe=""), basic}
    leak_watch.extra_secrets |= {json.dumps(PASSWORD)[1:-1].replace("/", "\\/")}
    async with connect(["epixel_get_leads_overview"]) as client:
        for name, echo in echoes.items():
            sandbox.config.faults.clear()
            body = {"detail": f"could not read the request body {echo}"}
            sandbox.config.add_fault("POST /epixel/api/v1/user/login/", Fault("body", status=400, body=body))
            result = await client.call_tool("epixel_get_leads_overview", {})
            count("encoded_secrets")
            text = text_of(result)
            assert result.is_error and MASK in text, f"{name}: {text}"
            assert "could not read the request body" in text, f"{name}: {text}"
    every_form = wire_forms(PASSWORD) | {basic}
    seen = "\n".join(leak_watch.outputs + leak_watch.logs)
    assert not [form for form in every_form if form in seen]


SHORT = "Zq9x"
"""A 4-character access token: too short to mask wherever it occurs, not too short to mask."""


async def test_a_short_access_token_is_masked_where_it_stands_alone_and_words_containing_it_stay(
    connect: Any, sandbox: Any, leak_watch: LeakWatch
) -> None:
    token = {"access_token": SHORT, "token_type": "Bearer", "expires_in": 3600}
    sandbox.config.add_fault("POST /snov/v1/oauth/access_token", Fault("body", status=200, body=token))
    echo = {"success": False, "message": f"token {SHORT} (Bearer {SHORT}) is not valid for account {SHORT}xy"}
    sandbox.config.add_fault("GET /snov/v1/prospect-custom-fields", Fault("body", status=400, body=echo))
    async with connect(["snov_list_custom_fields"]) as client:
        result = await client.call_tool("snov_list_custom_fields", {})
    text = text_of(result)
    assert result.is_error, text
    standing_alone = re.compile(rf"(?<![A-Za-z0-9]){SHORT}(?![A-Za-z0-9])")
    assert not standing_alone.search(text), text
    assert f"account {SHORT}xy" in text and MASK in text
    assert not [line for line in leak_watch.logs if standing_alone.search(line)]

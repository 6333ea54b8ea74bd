"""The confirmation settings: their values, their mistakes, and the state secret kept out of every output."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from mcp_server.core.errors import ConfigError
from mcp_server.core.redact import MASK, REDACTOR
from mcp_server.server import create_server
from mcp_server.settings import load_settings

SECRET = "state-secret-" + "9f8e7d6c5b4a3210" * 2


@pytest.mark.parametrize(
    ("given", "kinds"),
    [(None, ["paid", "destructive"]), ("none", []), ("Destructive", ["destructive"]), (" paid , destructive", None)],
)
def test_confirm_accepts_the_two_kinds_or_none(
    given: str | None, kinds: list[str] | None, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("OUTBOUND_MCP_CONFIRM", raising=False)
    settings = load_settings(**({} if given is None else {"outbound_mcp_confirm": given}))
    assert settings.outbound_mcp_confirm == (kinds if kinds is not None else ["paid", "destructive"])


@pytest.mark.parametrize(
    ("overrides", "variable", "says"),
    [
        ({"outbound_mcp_confirm": "paid,writes"}, "OUTBOUND_MCP_CONFIRM", "unknown kind writes"),
        ({"outbound_mcp_unconfirmed": "ask"}, "OUTBOUND_MCP_UNCONFIRMED", "allow"),
        ({"outbound_mcp_state_secret": "short-secret"}, "OUTBOUND_MCP_STATE_SECRET", "at least 32 bytes"),
    ],
)
def test_a_wrong_confirmation_setting_names_its_variable(overrides: dict[str, Any], variable: str, says: str):
    with pytest.raises(ConfigError) as raised:
        load_settings(**overrides)
    assert raised.value.variable == variable
    assert says in str(raised.value)
    assert "short-secret" not in str(raised.value)


def test_the_state_secret_is_masked_in_every_log_line(caplog: pytest.LogCaptureFixture):
    create_server(load_settings(outbound_mcp_state_secret=SECRET))
    with caplog.at_level(logging.WARNING):
        logging.getLogger("outbound_mcp.test").warning("state is %s", SECRET)
    assert SECRET not in caplog.text and MASK in caplog.text
    assert REDACTOR(f"key={SECRET}") == f"key={MASK}"
    assert SECRET not in repr(load_settings(outbound_mcp_state_secret=SECRET))

"""The providers are described once (``mcp_server.described``): settings, per-user headers, the CORS list,
registration and the README all agree with that description."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_server.core.errors import ConfigError
from mcp_server.described import DESCRIBED, EPIXEL, credentials
from mcp_server.http.credentials import HEADERS
from mcp_server.http.origins import REQUEST_HEADERS
from mcp_server.providers import ALL_PROVIDERS
from mcp_server.settings import CREDENTIALS, Settings, load_settings

README = (Path(__file__).parents[1] / "README.md").read_text()


def test_every_described_credential_is_a_setting_a_header_and_documented():
    for credential in credentials():
        assert credential.field in Settings.model_fields and credential.field in CREDENTIALS
        assert HEADERS[credential.header.lower()][1] == credential
        assert credential.header in REQUEST_HEADERS
        assert f"`{credential.variable}`" in README and credential.header in README, credential.field


def test_registration_takes_names_labels_and_needs_from_the_description():
    assert [(p.name, p.label, p.needs) for p in ALL_PROVIDERS] == [(d.name, d.label, d.needs) for d in DESCRIBED]


@pytest.mark.parametrize(
    ("given", "configured"),
    [
        ({"epixel_api_key": "a" * 12, "epixel_access_token": "t" * 12}, True),
        ({"epixel_api_key": "a" * 12, "epixel_username": "u", "epixel_password": "p" * 12}, True),
        ({"epixel_access_token": "t" * 12}, False),
    ],
)
def test_a_provider_is_configured_exactly_when_one_whole_login_is_given(given: dict[str, str], configured: bool):
    settings = Settings.model_validate({"epixel_base_url": "https://crm.example.com/api/v1", **given})
    assert settings.configured("epixel") is configured
    assert EPIXEL.complete(lambda field: field in given) is configured


def test_half_of_a_credential_pair_is_refused_naming_the_missing_half():
    with pytest.raises(ConfigError, match="SNOV_CLIENT_SECRET is required when SNOV_CLIENT_ID is set"):
        load_settings(snov_client_id="i" * 12)

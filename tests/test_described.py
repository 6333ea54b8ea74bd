"""The providers are described once (each in its ``providers/<name>/settings.py``, listed by ``Settings``): settings, per-user headers, the CORS list,
registration and the README all agree with that description."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_server.app.registry import ALL_PROVIDERS
from mcp_server.core.errors import ConfigError
from mcp_server.described import ProviderSettings
from mcp_server.http.credentials import HEADERS
from mcp_server.http.origins import REQUEST_HEADERS
from mcp_server.providers.epixel.settings import EpixelSettings
from mcp_server.settings import CREDENTIALS, DESCRIBED, PROVIDER_SETTINGS, Settings, credentials, load_settings

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
    assert EpixelSettings.described.complete(lambda field: field in given) is configured


def test_half_of_a_credential_pair_is_refused_naming_the_missing_half():
    with pytest.raises(ConfigError, match="SNOV_CLIENT_SECRET is required when SNOV_CLIENT_ID is set"):
        load_settings(snov_client_id="i" * 12)


def unbound(method: object) -> object:
    return getattr(method, "__func__", method)


def test_each_provider_owns_its_settings_and_every_check_of_them_runs_in_the_composed_settings():
    composed = Settings.__pydantic_decorators__.field_validators
    for own in PROVIDER_SETTINGS:
        fields = set(own.model_fields) - set(ProviderSettings.model_fields)
        assert fields and all(field.startswith(f"{own.described.name}_") for field in fields), own
        for name, validator in own.__pydantic_decorators__.field_validators.items():
            # Composed by inheritance: a validator of the same name in another class would silently replace it.
            assert unbound(composed[name].func) is unbound(validator.func), f"{own.__name__}.{name} is shadowed"
    assert [own.described for own in PROVIDER_SETTINGS] == list(DESCRIBED)
    assert [p.name for p in ALL_PROVIDERS] == [own.described.name for own in PROVIDER_SETTINGS]

"""Epixel's settings and description: its base URL (no default: every instance has its own), its API key, and
an access token or a login (docs/configuration.md)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import SecretStr, field_validator

from mcp_server.core.errors import ConfigError
from mcp_server.described import Credential, Described, ProviderSettings, base_url, blank_is_unset


class EpixelSettings(ProviderSettings):
    described = Described(
        "epixel",
        "Epixel Leads & CRM",
        (
            Credential(
                "epixel_api_key",
                "X-Epixel-Api-Key",
                title="Epixel API key",
                where="The apikey header value of your Epixel instance",
            ),
            Credential(
                "epixel_access_token",
                "X-Epixel-Access-Token",
                title="Epixel access token",
                where="Or leave empty and give a username and password",
            ),
            Credential(
                "epixel_username",
                "X-Epixel-Username",
                secret=False,
                title="Epixel username",
                where="To log in and renew tokens (with the password)",
            ),
            Credential("epixel_password", "X-Epixel-Password", title="Epixel password", where="With the username"),
        ),
        logins=(("epixel_api_key", "epixel_access_token"), ("epixel_api_key", "epixel_username", "epixel_password")),
        base_url="epixel_base_url",
    )

    epixel_base_url: str | None = None
    epixel_api_key: SecretStr | None = None
    epixel_access_token: SecretStr | None = None
    epixel_username: str | None = None
    epixel_password: SecretStr | None = None

    @field_validator(
        "epixel_base_url", "epixel_api_key", "epixel_access_token", "epixel_username", "epixel_password", mode="before"
    )
    @classmethod
    def _epixel_blank_is_unset(cls, value: Any) -> Any:
        return blank_is_unset(value)

    @field_validator("epixel_base_url")
    @classmethod
    def _epixel_url(cls, value: str | None) -> str | None:
        return base_url(value)

    def check_own(self, enabled: Iterable[str], user_credentials: bool) -> None:
        """Epixel needs all three: base URL, API key, and a token or a login; a part alone is a mistake."""
        login = self.epixel_access_token is not None or self.epixel_username is not None
        given = [
            name
            for name, value in (
                ("EPIXEL_API_KEY", self.epixel_api_key),
                ("EPIXEL_ACCESS_TOKEN", self.epixel_access_token),
                ("EPIXEL_USERNAME", self.epixel_username),
            )
            if value is not None
        ]
        if given and self.epixel_base_url is None:
            raise ConfigError(
                "EPIXEL_BASE_URL is required for Epixel: https://<domain>/<api prefix>/<version>",
                variable="EPIXEL_BASE_URL",
            )
        # With per-user credentials on, a server may name Epixel without holding a key of its own.
        named = self.epixel_base_url is not None and "epixel" in enabled and not user_credentials
        if self.epixel_api_key is None and (login or named):
            because = f"when {given[0]} is set" if given else "when EPIXEL_BASE_URL is set"
            raise ConfigError(f"EPIXEL_API_KEY is required {because}", variable="EPIXEL_API_KEY")
        if self.epixel_api_key is not None and not login:
            raise ConfigError(
                "EPIXEL_ACCESS_TOKEN (or EPIXEL_USERNAME and EPIXEL_PASSWORD) is required when EPIXEL_API_KEY is set",
                variable="EPIXEL_ACCESS_TOKEN",
            )

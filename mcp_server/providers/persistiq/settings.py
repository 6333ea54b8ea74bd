"""PersistIQ's settings and description: its key, its base URL and its rate limit (docs/configuration.md)."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr, ValidationInfo, field_validator

from mcp_server.described import (
    Credential,
    Described,
    ProviderSettings,
    base_url,
    blank_is_default,
    blank_is_unset,
    tuning,
)


class PersistIQSettings(ProviderSettings):
    described = Described(
        "persistiq",
        "PersistIQ",
        (
            Credential(
                "persistiq_api_key",
                "X-PersistIQ-Key",
                title="PersistIQ API key",
                where="PersistIQ: Settings > Integrations > API key",
            ),
        ),
        logins=(("persistiq_api_key",),),
        base_url=None,
    )

    persistiq_api_key: SecretStr | None = None
    persistiq_base_url: str = "https://api.persistiq.com"
    persistiq_rate_limit: int = tuning(100, "OUTBOUND_MCP_PERSISTIQ_RATE_LIMIT")

    @field_validator("persistiq_api_key", mode="before")
    @classmethod
    def _persistiq_blank_is_unset(cls, value: Any) -> Any:
        return blank_is_unset(value)

    @field_validator("persistiq_base_url", mode="before")
    @classmethod
    def _persistiq_blank_is_default(cls, value: Any, info: ValidationInfo) -> Any:
        return blank_is_default(PersistIQSettings, str(info.field_name), value)

    @field_validator("persistiq_base_url")
    @classmethod
    def _persistiq_url(cls, value: str) -> str | None:
        return base_url(value)

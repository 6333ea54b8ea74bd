"""Snov.io's settings and description: its OAuth client, base URL, credit cap and its period, rate limit
(docs/configuration.md)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, SecretStr, ValidationInfo, field_validator

from mcp_server.core.state.periods import check_period
from mcp_server.described import (
    Credential,
    Described,
    ProviderSettings,
    base_url,
    blank_is_default,
    blank_is_unset,
    tuning,
)


class SnovSettings(ProviderSettings):
    described = Described(
        "snov",
        "Snov.io",
        (
            Credential(
                "snov_client_id",
                "X-Snov-Client-Id",
                title="Snov.io client id",
                where="Snov.io: Account > API (with the client secret)",
            ),
            Credential(
                "snov_client_secret",
                "X-Snov-Client-Secret",
                title="Snov.io client secret",
                where="Snov.io: Account > API",
            ),
        ),
        logins=(("snov_client_id", "snov_client_secret"),),
        base_url=None,
        note="SNOV_MAX_CREDITS caps spending",
    )

    snov_client_id: SecretStr | None = None
    snov_client_secret: SecretStr | None = None
    snov_base_url: str = "https://api.snov.io"
    snov_max_credits: float | None = Field(default=None, ge=0)
    snov_credit_period: str = "day"
    """The period SNOV_MAX_CREDITS applies to: day, week, month (UTC) or a number of seconds."""
    snov_rate_limit: int = tuning(60, "OUTBOUND_MCP_SNOV_RATE_LIMIT")

    @field_validator("snov_client_id", "snov_client_secret", "snov_max_credits", mode="before")
    @classmethod
    def _snov_blank_is_unset(cls, value: Any) -> Any:
        return blank_is_unset(value)

    @field_validator("snov_base_url", mode="before")
    @classmethod
    def _snov_blank_is_default(cls, value: Any, info: ValidationInfo) -> Any:
        return blank_is_default(SnovSettings, str(info.field_name), value)

    @field_validator("snov_base_url")
    @classmethod
    def _snov_url(cls, value: str) -> str | None:
        return base_url(value)

    @field_validator("snov_credit_period")
    @classmethod
    def _snov_period(cls, value: str) -> str:
        return check_period(value)

"""Configuration from environment variables (flags override them); secrets stay ``SecretStr``."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any, Literal

import httpx
from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from mcp_server.core.errors import ConfigError
from mcp_server.core.state.opener import check_spec
from mcp_server.core.state.periods import check_period
from mcp_server.core.tools.host import ConfirmKind, Unconfirmed
from mcp_server.described import BY_NAME, DESCRIBED, PROVIDERS, Provider, credentials
from mcp_server.http.names import check_host, check_origin

CommaList = Annotated[list[str], NoDecode]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]

SERVER_SECRETS = ("outbound_mcp_http_token", "outbound_mcp_state_secret")
UNFILLED = "${user_config."
"""How a Claude Desktop bundle's setting reads when the host did not fill it in (docs/install.md, the bundle)."""
PLACEHOLDER_PREFIX = "change-me"
"""How every sample secret in .env.example begins: a value starting so is refused at start."""
GENERATE = 'python -c "import secrets; print(secrets.token_hex(32))"'
CREDENTIALS = (*(credential.field for credential in credentials()), *SERVER_SECRETS)
"""Every credential field (the providers' from ``described``, then the server's own)."""


def _tuning(default: float, variable: str) -> Any:
    """A tuning knob read from ``OUTBOUND_MCP_<NAME>`` only; overrides keep the short field name."""
    return Field(default=default, gt=0, validation_alias=variable.lower())


def _left_empty(value: str) -> bool:
    text = value.strip()
    return not text or (text.startswith(UNFILLED) and text.endswith("}"))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(value: str) -> str:
    """An absolute https URL (http only on loopback), without query or fragment."""
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ValueError(f"not a URL ({exc})") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError("must be an absolute http(s) URL such as https://api.example.com")
    if url.scheme == "http" and not is_loopback(url.host):
        raise ValueError("must use https (plain http is allowed only on loopback)")
    if url.query or url.fragment:
        raise ValueError("must not carry a query string or fragment")
    return value.rstrip("/")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", validate_default=True, frozen=True)

    persistiq_api_key: SecretStr | None = None
    persistiq_base_url: str = "https://api.persistiq.com"
    snov_client_id: SecretStr | None = None
    snov_client_secret: SecretStr | None = None
    snov_base_url: str = "https://api.snov.io"
    snov_max_credits: float | None = Field(default=None, ge=0)
    epixel_base_url: str | None = None
    epixel_api_key: SecretStr | None = None
    epixel_access_token: SecretStr | None = None
    epixel_username: str | None = None
    epixel_password: SecretStr | None = None
    outbound_mcp_read_only: bool = False
    outbound_mcp_sandbox: bool = False
    """Same as --sandbox (how a Claude Desktop bundle's "try it on the sandbox" setting reaches the server)."""
    outbound_mcp_allow_spend: bool = False
    """With read-only mode: serve the tools that spend credits too (research set-ups), still no writes."""
    outbound_mcp_toolsets: CommaList = Field(default_factory=list)
    outbound_mcp_tools: CommaList = Field(default_factory=list)
    outbound_mcp_http_token: SecretStr | None = None
    # HTTP deployment (issue 15): hosts and origins accepted, sessions, per-user credentials, OAuth.
    outbound_mcp_allowed_hosts: CommaList = Field(default_factory=list)
    outbound_mcp_allowed_origins: CommaList = Field(default_factory=list)
    outbound_mcp_http_stateless: bool = True
    outbound_mcp_user_credentials: Literal["off", "allow", "require"] = "allow"
    outbound_mcp_resource_url: str | None = None
    outbound_mcp_oauth_issuer: str | None = None
    outbound_mcp_oauth_audience: str | None = None
    outbound_mcp_oauth_jwks_url: str | None = None
    outbound_mcp_oauth_public_key: str | None = None
    outbound_mcp_oauth_scopes: CommaList = Field(default_factory=list)

    outbound_mcp_log_level: LogLevel = "WARNING"
    outbound_mcp_state: str = "sqlite"
    """Where budgets, credits and tokens are shared: sqlite (one file per user), memory, or redis://..."""
    snov_credit_period: str = "day"
    """The period SNOV_MAX_CREDITS applies to: day, week, month (UTC) or a number of seconds."""
    outbound_mcp_max_wait: float = Field(default=50.0, gt=0, le=600)
    """Seconds one tool call may take as a whole (polls, rate waits, pages); past it, a handle or cursor."""
    # README "Confirmations": which calls ask the person first, and what happens when the client cannot ask.
    outbound_mcp_confirm: Annotated[list[ConfirmKind], NoDecode] = Field(
        default_factory=lambda: ["paid", "destructive"]
    )
    outbound_mcp_unconfirmed: Unconfirmed = "preview"
    """A spend or delete the client cannot be asked about: a preview with a one-time token, run unasked, or refuse."""
    outbound_mcp_state_secret: SecretStr | None = None
    """Seals the 2026-07-28 input-required round trip, so any replica sharing it can take the retry."""

    # Tuning (README "Tuning"): prefixed variables, so a stray HTTP_TIMEOUT in the shell is not read.
    http_timeout: float = _tuning(30.0, "OUTBOUND_MCP_HTTP_TIMEOUT")
    poll_wait: float = _tuning(25.0, "OUTBOUND_MCP_POLL_WAIT")
    poll_interval: float = _tuning(1.0, "OUTBOUND_MCP_POLL_INTERVAL")
    persistiq_rate_limit: int = _tuning(100, "OUTBOUND_MCP_PERSISTIQ_RATE_LIMIT")
    snov_rate_limit: int = _tuning(60, "OUTBOUND_MCP_SNOV_RATE_LIMIT")
    rate_window: float = _tuning(60.0, "OUTBOUND_MCP_RATE_WINDOW")
    http_session_idle: float = _tuning(300.0, "OUTBOUND_MCP_HTTP_SESSION_IDLE")
    http_sessions_per_client: int = _tuning(16, "OUTBOUND_MCP_HTTP_SESSIONS_PER_CLIENT")
    http_large_bodies: int = _tuning(4, "OUTBOUND_MCP_HTTP_LARGE_BODIES")

    @field_validator(*CREDENTIALS, "snov_max_credits", "epixel_base_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        # PERSISTIQ_API_KEY= (or a pasted key with a trailing newline) must not turn a provider on; nor may a
        # bundle setting the person left empty, whether the host passes "" or its ${user_config.x} unreplaced.
        if isinstance(value, str):
            return None if _left_empty(value) else value.strip()
        return value

    @field_validator(
        "persistiq_base_url", "snov_base_url", "outbound_mcp_read_only", "outbound_mcp_sandbox", mode="before"
    )
    @classmethod
    def _blank_is_default(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str) and _left_empty(value):
            return cls.model_fields[str(info.field_name)].default
        return value

    @field_validator("outbound_mcp_log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("persistiq_base_url", "snov_base_url", "epixel_base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None or value == "" else check_base_url(value)

    @field_validator("outbound_mcp_state")
    @classmethod
    def _state(cls, value: str) -> str:
        return check_spec(value)

    @field_validator("snov_credit_period")
    @classmethod
    def _period(cls, value: str) -> str:
        return check_period(value)

    @field_validator(
        "outbound_mcp_allowed_hosts", "outbound_mcp_allowed_origins", "outbound_mcp_oauth_scopes", mode="before"
    )
    @classmethod
    def _split_http(cls, value: Any) -> Any:
        return cls._split(value)

    @field_validator("outbound_mcp_allowed_hosts")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        return [check_host(v) for v in value]

    @field_validator("outbound_mcp_allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        return [check_origin(v) for v in value]

    @field_validator("outbound_mcp_resource_url", "outbound_mcp_oauth_jwks_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        return None if value is None or value == "" else check_base_url(value)

    @field_validator("outbound_mcp_oauth_issuer")
    @classmethod
    def _issuer(cls, value: str | None) -> str | None:
        """Checked as a URL but kept as written: a JWT's ``iss`` is compared exactly (Auth0's ends in /)."""
        if value is None or value.strip() == "":
            return None
        check_base_url(value.strip())
        return value.strip()

    @field_validator("outbound_mcp_toolsets", "outbound_mcp_tools", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("outbound_mcp_confirm", mode="before")
    @classmethod
    def _confirm_kinds(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [part.strip().lower() for part in value.split(",") if part.strip()]
            if parts == ["none"]:
                return []
            unknown = sorted(set(parts) - {"paid", "destructive"})
            if unknown:
                raise ValueError(
                    f"unknown kind {', '.join(unknown)}; allowed: paid, destructive (comma-separated) or none"
                )
            return parts
        return value

    @field_validator("outbound_mcp_unconfirmed", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator(*SERVER_SECRETS)
    @classmethod
    def _not_a_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        # .env.example is public: a deployment left on its sample value would be guarded by a published secret.
        if value is not None and value.get_secret_value().lower().startswith(PLACEHOLDER_PREFIX):
            raise ValueError(f"is still the placeholder from .env.example; generate a value with {GENERATE}")
        return value

    @field_validator("outbound_mcp_state_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().encode()) < 32:
            raise ValueError(f"must be at least 32 bytes of randomness: {GENERATE}")
        return value

    @field_validator("outbound_mcp_toolsets")
    @classmethod
    def _known_toolsets(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(PROVIDERS))
        if unknown:
            raise ValueError(f"unknown toolset {', '.join(unknown)}; allowed: {', '.join(PROVIDERS)}")
        return value

    def configured(self, provider: str) -> bool:
        """True when the provider's credentials are complete (``described``), its base URL too if it has no default."""
        described = BY_NAME[provider]
        if described.base_url and getattr(self, described.base_url) is None:
            return False
        return described.complete(lambda field: getattr(self, field) is not None)

    def enabled_providers(self) -> list[Provider]:
        if self.outbound_mcp_toolsets:
            return [p for p in PROVIDERS if p in self.outbound_mcp_toolsets]
        return [p for p in PROVIDERS if self.configured(p)]

    def check(self) -> Settings:
        """Cross-field rules; raises ``ConfigError`` naming the variable."""
        for described in DESCRIBED:  # credentials that only work together (a client id and its secret, a login)
            for part in described.parts:
                given = [field for field in part if getattr(self, field) is not None]
                if given and len(given) < len(part):
                    missing = next(field for field in part if field not in given).upper()
                    raise ConfigError(f"{missing} is required when {given[0].upper()} is set", variable=missing)
        self._check_epixel()
        self._check_oauth()
        return self

    def _check_epixel(self) -> None:
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
        user_keys = self.outbound_mcp_user_credentials != "off"
        named = self.epixel_base_url is not None and "epixel" in self.enabled_providers() and not user_keys
        if self.epixel_api_key is None and (login or named):
            because = f"when {given[0]} is set" if given else "when EPIXEL_BASE_URL is set"
            raise ConfigError(f"EPIXEL_API_KEY is required {because}", variable="EPIXEL_API_KEY")
        if self.epixel_api_key is not None and not login:
            raise ConfigError(
                "EPIXEL_ACCESS_TOKEN (or EPIXEL_USERNAME and EPIXEL_PASSWORD) is required when EPIXEL_API_KEY is set",
                variable="EPIXEL_ACCESS_TOKEN",
            )

    def _check_oauth(self) -> None:
        if self.outbound_mcp_oauth_issuer is None:
            return
        if (self.outbound_mcp_oauth_jwks_url is None) == (self.outbound_mcp_oauth_public_key is None):
            raise ConfigError(
                "OAuth mode needs exactly one of OUTBOUND_MCP_OAUTH_JWKS_URL and OUTBOUND_MCP_OAUTH_PUBLIC_KEY",
                variable="OUTBOUND_MCP_OAUTH_JWKS_URL",
            )
        if self.outbound_mcp_resource_url is None:
            raise ConfigError(
                "OUTBOUND_MCP_RESOURCE_URL (this server's public /mcp URL) is required with OUTBOUND_MCP_OAUTH_ISSUER",
                variable="OUTBOUND_MCP_RESOURCE_URL",
            )

    def secrets(self) -> list[str]:
        """Every secret value configured, for redaction."""
        fields = [credential.field for credential in credentials() if credential.secret] + list(SERVER_SECRETS)
        values: list[SecretStr | None] = [getattr(self, field) for field in fields]
        return [v.get_secret_value() for v in values if v is not None and v.get_secret_value()]


def load_settings(**overrides: Any) -> Settings:
    """Environment plus overrides; a bad value raises ``ConfigError`` naming its variable."""
    by_alias = {name: field.validation_alias for name, field in Settings.model_fields.items() if field.validation_alias}
    try:
        settings = Settings(**{str(by_alias.get(key, key)): value for key, value in overrides.items()})
    except ValidationError as exc:
        first = exc.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "configuration"
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{variable}: {message}", variable=variable) from None
    return settings.check()

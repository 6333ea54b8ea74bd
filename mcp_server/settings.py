"""Configuration from environment variables (flags override them); secrets stay ``SecretStr``.

``Settings`` is the server's own settings plus every provider's (``providers/<name>/settings.py``): its bases
are the list of providers, in catalogue order. Adding a provider is its package and one line there."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from mcp_server.core.errors import ConfigError
from mcp_server.core.state.opener import check_spec
from mcp_server.core.tools.host import ConfirmKind, Unconfirmed
from mcp_server.described import Credential, Described, ProviderSettings, check_base_url, left_empty, tuning
from mcp_server.described import credentials as credentials_of
from mcp_server.described import either as either_of
from mcp_server.described import is_loopback as is_loopback
from mcp_server.http.names import check_host, check_origin
from mcp_server.providers.epixel.settings import EpixelSettings
from mcp_server.providers.persistiq.settings import PersistIQSettings
from mcp_server.providers.snov.settings import SnovSettings

CommaList = Annotated[list[str], NoDecode]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]

SERVER_SECRETS = ("outbound_mcp_http_token", "outbound_mcp_state_secret")
PLACEHOLDER_PREFIX = "change-me"
"""How every sample secret in .env.example begins: a value starting so is refused at start."""
GENERATE = 'python -c "import secrets; print(secrets.token_hex(32))"'


class Settings(
    PersistIQSettings,
    SnovSettings,
    EpixelSettings,  # the providers, one line each, in catalogue order
):
    model_config = SettingsConfigDict(extra="ignore", validate_default=True, frozen=True)

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
    http_timeout: float = tuning(30.0, "OUTBOUND_MCP_HTTP_TIMEOUT")
    poll_wait: float = tuning(25.0, "OUTBOUND_MCP_POLL_WAIT")
    poll_interval: float = tuning(1.0, "OUTBOUND_MCP_POLL_INTERVAL")
    rate_window: float = tuning(60.0, "OUTBOUND_MCP_RATE_WINDOW")
    http_session_idle: float = tuning(300.0, "OUTBOUND_MCP_HTTP_SESSION_IDLE")
    http_sessions_per_client: int = tuning(16, "OUTBOUND_MCP_HTTP_SESSIONS_PER_CLIENT")
    http_large_bodies: int = tuning(4, "OUTBOUND_MCP_HTTP_LARGE_BODIES")

    @field_validator(*SERVER_SECRETS, mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        # A provider's credentials are checked by its own settings; a bundle setting the person left empty
        # counts as unset, whether the host passes "" or its ${user_config.x} unreplaced.
        if isinstance(value, str):
            return None if left_empty(value) else value.strip()
        return value

    @field_validator("outbound_mcp_read_only", "outbound_mcp_sandbox", mode="before")
    @classmethod
    def _blank_is_default(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str) and left_empty(value):
            return cls.model_fields[str(info.field_name)].default
        return value

    @field_validator("outbound_mcp_log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("outbound_mcp_state")
    @classmethod
    def _state(cls, value: str) -> str:
        return check_spec(value)

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

    def enabled_providers(self) -> list[str]:
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
        enabled = self.enabled_providers()
        for own in PROVIDER_SETTINGS:  # each provider's own rules, read from its own class
            own.check_own(self, enabled, self.outbound_mcp_user_credentials != "off")
        self._check_oauth()
        return self

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


PROVIDER_SETTINGS: tuple[type[ProviderSettings], ...] = tuple(
    base for base in Settings.__bases__ if issubclass(base, ProviderSettings)
)
"""Every provider's settings, in catalogue order: the one list of providers."""
DESCRIBED: tuple[Described, ...] = tuple(own.described for own in PROVIDER_SETTINGS)
PROVIDERS: tuple[str, ...] = tuple(described.name for described in DESCRIBED)
BY_NAME: dict[str, Described] = {described.name: described for described in DESCRIBED}


def credentials() -> list[Credential]:
    """Every provider's credentials, in catalogue order."""
    return credentials_of(DESCRIBED)


def either() -> str:
    """What to set for any one provider to be on."""
    return either_of(DESCRIBED)


CREDENTIALS = (*(credential.field for credential in credentials()), *SERVER_SECRETS)
"""Every credential field (the providers', then the server's own)."""


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

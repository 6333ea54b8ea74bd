"""How a provider describes itself: its name, its credentials (settings field, environment variable, per-user
header), what makes a set of them complete, and its own settings (``ProviderSettings``, mixed into the server's
``Settings``). Each provider's package declares its own (``providers/<name>/settings.py``); ``mcp_server.settings``
lists them, once. Settings, the per-user credential headers, the browser CORS list, registration, ``--help``
and the "not configured" errors all read that list; nothing else names a provider.

A leaf module (no imports from the package): settings import it before any provider's tools are loaded."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings

UNFILLED = "${user_config."
"""How a Claude Desktop bundle's setting reads when the host did not fill it in (docs/install.md, the bundle)."""


@dataclass(frozen=True)
class Credential:
    field: str
    """The settings field; upper-cased, the environment variable."""
    header: str
    """The request header that carries it in per-user mode (``OUTBOUND_MCP_USER_CREDENTIALS``)."""
    secret: bool = True
    """Masked in every output and log (a login name is not)."""
    title: str = ""
    """As a settings form shows it (the Claude Desktop bundle); its field name when empty."""
    where: str = ""
    """Where the person finds it, for the same form."""

    @property
    def variable(self) -> str:
        return self.field.upper()


@dataclass(frozen=True)
class Described:
    name: str
    label: str
    credentials: tuple[Credential, ...]
    logins: tuple[tuple[str, ...], ...]
    """Complete sets of credential fields; a provider is configured when one of them is wholly given."""
    base_url: str | None
    """The settings field of a base URL with no default (it must be set too), if any."""
    note: str = ""
    """A setting worth naming beside the credentials (``--help``)."""

    def complete(self, given: Callable[[str], bool]) -> bool:
        """Whether the credentials ``given`` says are set make one whole login."""
        return any(all(given(field) for field in login) for login in self.logins)

    def _spell(self, names: Callable[[Credential], str]) -> str:
        """``A and B``, or with several logins their common part first: ``A and B or C + D``."""
        name = {credential.field: names(credential) for credential in self.credentials}
        common = [field for field in self.logins[0] if all(field in login for login in self.logins)]
        if len(self.logins) == 1:
            return " and ".join(name[field] for field in common)
        rests = [" + ".join(name[field] for field in login if field not in common) for login in self.logins]
        return " and ".join([*(name[field] for field in common), " or ".join(rests)])

    @property
    def needs(self) -> str:
        """The variables to set, for the error when a tool of an unconfigured provider is called."""
        spelled = self._spell(lambda credential: credential.variable)
        return f"{self.base_url.upper()}, {spelled}" if self.base_url else spelled

    @property
    def headers_needed(self) -> str:
        """The headers a per-user request sends for this provider."""
        return self._spell(lambda credential: credential.header)

    @property
    def parts(self) -> list[tuple[str, ...]]:
        """Credentials that only work together (2 or more): a client id and its secret, a username and password."""
        if len(self.logins) == 1:
            return [login for login in self.logins if len(login) > 1]
        common = set(self.logins[0]).intersection(*self.logins)
        rests = [tuple(field for field in login if field not in common) for login in self.logins]
        return [rest for rest in rests if len(rest) > 1]

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """Credentials that travel as a pair (an OAuth client, a login): an echo of them as Basic auth is masked."""
        return [(part[0], part[1]) for part in self.parts if len(part) == 2]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(credential.field for credential in self.credentials)


def either(providers: Iterable[Described]) -> str:
    """What to set for any one provider to be on: ``A, or B and C, or ...``."""
    return ", or ".join(described.needs for described in providers)


def credentials(providers: Iterable[Described]) -> list[Credential]:
    return [credential for described in providers for credential in described.credentials]


class ProviderSettings(BaseSettings):
    """A provider's own settings: fields named ``<provider>_...`` (read from the variables of the same names, so
    a provider's variables are its own), their checks, and ``check_own`` for rules across them. ``Settings``
    composes every provider's by inheritance, so validator names start with the provider's name too (one of
    the same name in another class would replace it)."""

    described: ClassVar[Described]

    def check_own(self, enabled: Iterable[str], user_credentials: bool) -> None:
        """Rules across this provider's fields (raise ``ConfigError`` naming the variable); ``enabled``: the
        providers the server serves, ``user_credentials``: whether requests may carry their own."""
        del enabled, user_credentials


def tuning(default: float, variable: str) -> Any:
    """A tuning knob read from ``OUTBOUND_MCP_<NAME>`` only; overrides keep the short field name."""
    return Field(default=default, gt=0, validation_alias=variable.lower())


def left_empty(value: str) -> bool:
    """A value the person left empty: "", blanks, or a bundle's ``${user_config.x}`` the host did not replace."""
    text = value.strip()
    return not text or (text.startswith(UNFILLED) and text.endswith("}"))


def blank_is_unset(value: Any) -> Any:
    """A credential left empty is not given (a pasted key loses its trailing newline)."""
    if isinstance(value, str):
        return None if left_empty(value) else value.strip()
    return value


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


def blank_is_default(model: type[BaseModel], field: str, value: Any) -> Any:
    """A setting left empty takes its default."""
    if isinstance(value, str) and left_empty(value):
        return model.model_fields[field].default
    return value


def base_url(value: str | None) -> str | None:
    """A base URL setting: checked (``check_base_url``), None or "" unset."""
    return None if value is None or value == "" else check_base_url(value)

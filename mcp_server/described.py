"""The three providers described once: their names, their credentials (settings field, environment variable,
per-user header) and what makes a set of them complete. Settings, the per-user credential headers, the
browser CORS list, registration and the "not configured" errors all read it; nothing else names them.

A leaf module (no imports from the package): settings import it before any provider is loaded."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

Provider = Literal["persistiq", "snov", "epixel"]


@dataclass(frozen=True)
class Credential:
    field: str
    """The settings field; upper-cased, the environment variable."""
    header: str
    """The request header that carries it in per-user mode (``OUTBOUND_MCP_USER_CREDENTIALS``)."""
    secret: bool = True
    """Masked in every output and log (a login name is not)."""

    @property
    def variable(self) -> str:
        return self.field.upper()


@dataclass(frozen=True)
class Described:
    name: Provider
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


PERSISTIQ = Described(
    "persistiq",
    "PersistIQ",
    (Credential("persistiq_api_key", "X-PersistIQ-Key"),),
    logins=(("persistiq_api_key",),),
    base_url=None,
)
SNOV = Described(
    "snov",
    "Snov.io",
    (Credential("snov_client_id", "X-Snov-Client-Id"), Credential("snov_client_secret", "X-Snov-Client-Secret")),
    logins=(("snov_client_id", "snov_client_secret"),),
    base_url=None,
    note="SNOV_MAX_CREDITS caps spending",
)
EPIXEL = Described(
    "epixel",
    "Epixel Leads & CRM",
    (
        Credential("epixel_api_key", "X-Epixel-Api-Key"),
        Credential("epixel_access_token", "X-Epixel-Access-Token"),
        Credential("epixel_username", "X-Epixel-Username", secret=False),
        Credential("epixel_password", "X-Epixel-Password"),
    ),
    logins=(("epixel_api_key", "epixel_access_token"), ("epixel_api_key", "epixel_username", "epixel_password")),
    base_url="epixel_base_url",
)
DESCRIBED: tuple[Described, ...] = (PERSISTIQ, SNOV, EPIXEL)
"""In catalogue order."""
PROVIDERS: tuple[Provider, ...] = tuple(described.name for described in DESCRIBED)
BY_NAME: dict[str, Described] = {described.name: described for described in DESCRIBED}


def either(providers: Iterable[Described] = DESCRIBED) -> str:
    """What to set for any one provider to be on: ``A, or B and C, or ...``."""
    return ", or ".join(described.needs for described in providers)


def credentials(providers: Iterable[Described] = DESCRIBED) -> list[Credential]:
    return [credential for described in providers for credential in described.credentials]

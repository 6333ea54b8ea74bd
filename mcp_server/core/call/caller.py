"""Who a tool call is for: the authenticated subject (OAuth mode) and the provider credentials the
request carried for its user alone. Built by the HTTP layer, put in each call's context by the tool wrapper."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mcp_server.core.call.request import request_of
from mcp_server.core.guards import is_str_mapping

SCOPE_KEY = "outbound_mcp.caller"
"""Where the HTTP layer leaves the ``Caller`` in the ASGI scope of each request."""


def _digest(*parts: str) -> str:
    # Every credential set includes a high-entropy key (API key, client secret), so a plain digest with
    # domain separation cannot be reversed; replicas compute the same value without sharing a salt.
    return hashlib.sha256("\0".join(("outbound-mcp/v1", *parts)).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Caller:
    subject: str = ""
    """``issuer|sub`` of a verified access token, or "" without OAuth."""
    credentials: Mapping[str, Mapping[str, str]] = field(default_factory=dict[str, Mapping[str, str]])
    """Per provider, the settings fields (``persistiq_api_key``...) the request's headers gave."""

    def credential_id(self, provider: str) -> str:
        """A stable, irreversible id of this caller's credentials for ``provider`` ("" when it sent none)."""
        values = self.credentials.get(provider)
        if not values:
            return ""
        return _digest(provider, *(f"{k}={v}" for k, v in sorted(values.items())))

    def principal(self) -> str:
        """The caller's stable id: the token's subject, else a digest of the credentials sent, else ""."""
        if self.subject:
            return "sub:" + _digest("subject", self.subject)
        ids = [self.credential_id(p) for p in sorted(self.credentials)]
        return "cred:" + _digest("credentials", *ids) if ids else ""

    def credentials_key(self) -> str:
        """One id of every credential this request carried ("" when none): whose secrets to mask."""
        ids = [self.credential_id(p) for p in sorted(self.credentials)]
        return _digest("secrets", *ids) if ids else ""

    def secrets(self) -> list[str]:
        return [v for values in self.credentials.values() for k, v in values.items() if k != "epixel_username"]


LOCAL = Caller()
"""stdio, or HTTP without per-user credentials and without OAuth: the server's own keys."""


def caller_of(ctx: Any) -> Caller:
    """The caller the HTTP layer resolved for the request of the tool call ``ctx``; ``LOCAL`` over stdio or in
    memory."""
    request = getattr(request_of(ctx), "request", None)
    scope = getattr(request, "scope", None)
    caller: object = scope.get(SCOPE_KEY) if is_str_mapping(scope) else None
    return caller if isinstance(caller, Caller) else LOCAL

"""Shared by the Epixel tool tests: calling a tool, reading the sandbox's request log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from mcp import Client

from outbound_sandbox.app import Sandbox
from outbound_sandbox.epixel.data import Lead
from outbound_sandbox.kit import LoggedRequest
from tests.providers.typed import text_of

PREFIX = "/epixel/api/v1/"
NEW_LEAD = {"first_name": "Jane", "last_name": "Doe", "email": "jane.doe@example.com", "phone": "5551234567"}
# The sandbox's token issuer is private; a fixed-token test needs a token without a login request being logged.
_ISSUER = "_issue"


async def ok(client: Client, name: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    result = await client.call_tool(name, args or {})
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    return result.structured_content


async def refused(client: Client, name: str, args: dict[str, Any]) -> str:
    result = await client.call_tool(name, args)
    assert result.is_error, text_of(result)
    return text_of(result)


def calls(sandbox: Sandbox, method: str | None = None, path: str = "") -> list[LoggedRequest]:
    """Requests that reached Epixel (any outcome), optionally one method and path under the API prefix."""
    return [
        r for r in sandbox.env.requests if r.path.startswith(PREFIX + path) and (method is None or r.method == method)
    ]


def stored_lead(sandbox: Sandbox, slug: str) -> Lead:
    """The sandbox's own record of a lead, which must exist."""
    lead = sandbox.epixel.store.lead(slug)
    assert lead is not None, slug
    return lead


def issued_token(sandbox: Sandbox, kind: str = "access", user: str = "demo") -> str:
    """A token the sandbox issued, as its login would answer, without a login request."""
    issue: Callable[[str, str], str] = getattr(sandbox.epixel, _ISSUER)
    return issue(kind, user)


def ahead(days: int, hour: int = 3, minute: int = 17) -> datetime:
    """A UTC time ``days`` from now, at an hour no seeded appointment uses."""
    day = datetime.now(UTC) + timedelta(days=days)
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")

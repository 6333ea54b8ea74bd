"""Shared by the Epixel tool tests: calling a tool, reading the sandbox's request log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

PREFIX = "/epixel/api/v1/"
NEW_LEAD = {"first_name": "Jane", "last_name": "Doe", "email": "jane.doe@example.com", "phone": "5551234567"}


async def ok(client: Any, name: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    result = await client.call_tool(name, args or {})
    assert not result.is_error, result.content[0].text
    return result.structured_content


async def refused(client: Any, name: str, args: dict[str, Any]) -> str:
    result = await client.call_tool(name, args)
    assert result.is_error, result.content[0].text
    return result.content[0].text


def calls(sandbox: Any, method: str | None = None, path: str = "") -> list[Any]:
    """Requests that reached Epixel (any outcome), optionally one method and path under the API prefix."""
    return [
        r for r in sandbox.env.requests if r.path.startswith(PREFIX + path) and (method is None or r.method == method)
    ]


def ahead(days: int, hour: int = 3, minute: int = 17) -> datetime:
    """A UTC time ``days`` from now, at an hour no seeded appointment uses."""
    day = datetime.now(UTC) + timedelta(days=days)
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")

"""Shared bits of the PersistIQ tests: reading tool results and the sandbox's request log."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from mcp import Client
from mcp.types import CallToolResult

from outbound_sandbox.kit import LoggedRequest
from tests.providers.typed import is_record, text_of
from tests.tables import rows

LEADS = "/persistiq/v1/leads"
CAMPAIGNS = "/persistiq/v1/campaigns"
EVENTS = "/persistiq/v1/events"
DNC = "/persistiq/v1/dnc_domains"


def ok(result: CallToolResult) -> dict[str, Any]:
    """The structured content of a successful call (its error text otherwise)."""
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    return result.structured_content


def query(entry: LoggedRequest) -> dict[str, list[str]]:
    return parse_qs(entry.query)


def body(entry: LoggedRequest) -> dict[str, Any]:
    """The JSON object a logged request sent."""
    sent = json.loads(entry.body)
    assert is_record(sent), sent
    return sent


async def every(mcp: Client, tool: str, args: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """All records a list tool gives, following next_cursor (an answer stops at its size budget)."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = ok(await mcp.call_tool(tool, {**(args or {}), "limit": 1000, "cursor": cursor}))
        items += rows(page) if "columns" in page else page.get("items", [])
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def new_leads(count: int, prefix: str = "new") -> list[dict[str, str]]:
    return [{"email": f"{prefix}{i}@example.org", "first_name": f"First{i}"} for i in range(count)]


async def at_least_leads(mcp: Client, count: int) -> list[dict[str, Any]]:
    """All leads, after creating enough to have ``count``."""
    leads = await every(mcp, "persistiq_list_leads")
    if len(leads) < count:
        ok(await mcp.call_tool("persistiq_create_leads", {"leads": new_leads(count - len(leads), "filler")}))
        leads = await every(mcp, "persistiq_list_leads")
    assert len(leads) >= count
    return leads

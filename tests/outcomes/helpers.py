"""Reading the outcome tools' answers and the sandbox's request log."""

from __future__ import annotations

from typing import Any

from outbound_sandbox.app import Sandbox
from tests.providers.snov.outreach_helpers import failed, ok
from tests.tables import rows

__all__ = ["failed", "ok", "paid_starts", "people", "persistiq_writes", "rows_of"]

PAID_PATHS = (
    "/snov/v2/domain-search",
    "/snov/v1/add-emails-to-verification",
    "/snov/v2/email-verification/start",
    "/snov/v1/add-names-to-find-emails",
)


def persistiq_writes(sandbox: Sandbox) -> list[str]:
    """Every PersistIQ request that changes something (creates leads, adds to a campaign, DNC...)."""
    return [
        f"{r.method} {r.path}" for r in sandbox.env.requests if r.path.startswith("/persistiq") and r.method != "GET"
    ]


def paid_starts(sandbox: Sandbox, prefix: str = "") -> list[str]:
    """Snov.io requests that start paid work (searches, email searches, verification queues)."""
    return [
        r.path
        for r in sandbox.env.handled("POST")
        if r.path.startswith(PAID_PATHS) and r.path.startswith(prefix or "/snov")
    ]


def people(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The run's table as records by person name."""
    table = answer["people"]
    return {row["name"]: row for row in rows_of(table)}


def rows_of(table: dict[str, Any]) -> list[dict[str, Any]]:
    """A table answer's rows as records (a table with no rows leaves ``rows`` out)."""
    return rows({"columns": table["columns"], "rows": table.get("rows", [])})

"""Where the sandbox holds the most rows: the arguments that make each list tool's largest page (the answer-size
test and benchmark both read these)."""

from __future__ import annotations

from typing import Any

LARGEST = {
    "campaign_id": 237945,  # Snov.io's "mass" campaign: 10,250 sent rows
    "list_id": 8512947,  # Snov.io's "Acme outreach": 130 prospects
    "domain": "acme.com",  # Snov.io's biggest company: 48 prospects, 130 emails
}
"""A value for each required argument of a paged tool, chosen where the sandbox holds the most rows."""


def largest_limit(schema: dict[str, Any]) -> int:
    """A limit's ``maximum``, also where the schema says it may be null (``anyOf [integer, null]``)."""
    arms: list[dict[str, Any]] = schema.get("anyOf", [schema])
    return next(arm["maximum"] for arm in arms if "maximum" in arm)

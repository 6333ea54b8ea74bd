"""Output size in o200k tokens (cl100k beside): the answer a tool returns for a page of records against the raw
API JSON of the same records (compact, without the envelope), for a 100-lead PersistIQ page, a 100-prospect
Snov.io list page and the Epixel lead list (the sandbox's 64 leads). A structured-only client reads the
structured content, a text-only client the text block, google-adk and llama-index both."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from mcp import Client

from benchmarks.common import FAST_SCALE, FAST_WINDOW, Figure, sandbox, settings_for, snov_token
from mcp_server.core.tokens import OLDER, count_tokens
from mcp_server.server import create_server
from outbound_sandbox import config as cfg
from outbound_sandbox.runner import SandboxUrls

GOAL_ONE_BLOCK = 0.35
GOAL_BOTH = 0.70
SNOV_LIST = 8512947  # the sandbox's "Acme outreach", 130 prospects

Raw = Callable[[httpx.AsyncClient, SandboxUrls], Awaitable[list[Any]]]


async def persistiq_raw(http: httpx.AsyncClient, urls: SandboxUrls) -> list[Any]:
    body = (await http.get(f"{urls.persistiq}/v1/leads", headers={"x-api-key": cfg.PERSISTIQ_API_KEY})).json()
    return body["leads"][:100]


async def snov_raw(http: httpx.AsyncClient, urls: SandboxUrls) -> list[Any]:
    token = await snov_token(http, urls)
    page = {"listId": SNOV_LIST, "page": 1, "perPage": 100}
    body = (
        await http.post(f"{urls.snov}/v1/prospect-list", data=page, headers={"Authorization": f"Bearer {token}"})
    ).json()
    return body["prospects"]


async def epixel_raw(http: httpx.AsyncClient, urls: SandboxUrls) -> list[Any]:
    key = {"apikey": cfg.EPIXEL_API_KEY}
    login = {"username": cfg.EPIXEL_USERNAME, "password": cfg.EPIXEL_PASSWORD}
    access = (await http.post(f"{urls.epixel}/user/login/", data=login, headers=key)).json()["access"]
    headers = {**key, "Authorization": f"Bearer {access}"}
    body = (await http.get(f"{urls.epixel}/leads/list/", params={"limit": 100, "offset": 0}, headers=headers)).json()
    return body["data"]["results"]


@dataclass
class Case:
    label: str
    tool: str
    args: dict[str, Any]
    raw: Raw


CASES = [
    Case("PersistIQ 100-lead page", "persistiq_list_leads", {"limit": 100}, persistiq_raw),
    Case("Snov.io 100-prospect page", "snov_list_prospects_in_list", {"list_id": SNOV_LIST, "limit": 100}, snov_raw),
    Case("Epixel lead list", "epixel_list_leads", {"limit": 100}, epixel_raw),
]


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Size:
    """One block's size in o200k tokens, cl100k tokens and bytes."""

    tokens: int
    older: int
    nbytes: int

    @classmethod
    def of(cls, text: str) -> Size:
        return cls(count_tokens(text), count_tokens(text, OLDER), len(text.encode()))

    def __add__(self, other: Size) -> Size:
        return Size(self.tokens + other.tokens, self.older + other.older, self.nbytes + other.nbytes)

    def share(self, raw: Size) -> str:
        return f"{self.tokens:,} = {self.tokens / raw.tokens:.1%} of raw (cl100k {self.older / raw.older:.1%})"


def as_records(answer: dict[str, Any]) -> Any:
    """A table answer (``shapes.Table``) as the records form it replaced: each row a map, empties left out."""
    if "columns" not in answer:
        return answer
    rows = [{c: v for c, v in zip(answer["columns"], row, strict=False) if v is not None} for row in answer["rows"]]
    return {**{k: v for k, v in answer.items() if k not in ("columns", "rows")}, "items": rows}


async def run() -> list[Figure]:
    figures = []
    with sandbox(time_scale=FAST_SCALE) as (_, urls):
        async with Client(create_server(settings_for(urls, **FAST_WINDOW))) as client, httpx.AsyncClient() as http:
            for case in CASES:
                result = await client.call_tool(case.tool, case.args)
                assert not result.is_error and result.structured_content, result.content
                text = Size.of("".join(getattr(block, "text", "") for block in result.content))
                answer = result.structured_content
                structured = Size.of(compact(answer))
                items = answer.get("rows", answer.get("items", []))  # a table (shapes.Table) or records
                raw_records = await case.raw(http, urls)
                assert len(raw_records) == len(items), (case.label, len(raw_records), len(items))
                raw = Size.of(compact(raw_records))
                baseline = f"raw API JSON of the same records: {raw.tokens:,} o200k tokens ({raw.nbytes:,} bytes)"
                for family, received, goal in (
                    ("structured-only client", structured, GOAL_ONE_BLOCK),
                    ("text-only client", text, GOAL_ONE_BLOCK),
                    ("client sent both blocks (google-adk, llama-index)", structured + text, GOAL_BOTH),
                ):
                    figures.append(
                        Figure(
                            f"o200k tokens received, {case.label} ({len(items)} records), {family}",
                            received.share(raw),
                            baseline,
                            f"<= {goal:.0%}",
                            received.tokens / raw.tokens <= goal,
                        )
                    )
                records = Size.of(compact(as_records(answer)))
                figures.append(
                    Figure(
                        f"for comparison, {case.label} as one record per row, keys repeated (one block)",
                        records.share(raw),
                        baseline,
                        "- (reported)",
                        None,
                    )
                )
    return figures

"""PersistIQ's service: one ``ApiClient`` with the ``x-api-key`` header and a 100/min budget."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from mcp_server.core.auth import HeaderAuth
from mcp_server.core.budget import WindowBudget
from mcp_server.core.http import ApiClient
from mcp_server.settings import Settings

PROVIDER = "persistiq"


@dataclass
class PersistIQ:
    api: ApiClient


def open_service(settings: Settings, http: httpx.AsyncClient) -> PersistIQ:
    assert settings.persistiq_api_key is not None
    api = ApiClient(
        provider="PersistIQ",
        base_url=settings.persistiq_base_url,
        auth=HeaderAuth({"x-api-key": settings.persistiq_api_key}),
        budget=WindowBudget(settings.persistiq_rate_limit, settings.rate_window, provider="PersistIQ"),
        http=http,
    )
    return PersistIQ(api)

"""How the HTTP app is served: uvicorn, believing ``X-Forwarded-For``/``-Proto`` only from the proxies the
operator names in ``FORWARDED_ALLOW_IPS``. Uvicorn's own default believes any loopback peer, so any local
process could claim a new address with each request and slip past the per-client session bound."""

from __future__ import annotations

import os

import uvicorn
from starlette.types import ASGIApp


def uvicorn_config(app: ASGIApp, *, log_level: str) -> uvicorn.Config:
    trusted = os.environ.get("FORWARDED_ALLOW_IPS", "").strip()
    return uvicorn.Config(app, log_level=log_level, proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None)

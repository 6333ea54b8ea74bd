"""How one vendor's API speaks beyond HTTP: the one place a provider customises the shared client.

A ``Dialect`` says how the vendor's 2xx bodies become data (or an error said inside a 200), how its
error bodies are read and hinted, and when a 401 is about the token. Each provider makes one in its
``client.py`` and passes it to its ``ApiClient``; hints about one endpoint (a 404 on a lead id, say) are
declared on that endpoint in the provider's ``Endpoints`` table, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from mcp_server.core.errors import ApiError


@dataclass
class ApiResponse:
    """An upstream answer as the client read it (its ``data`` as the dialect made it)."""

    status: int
    headers: httpx.Headers
    data: Any
    url: httpx.URL


@dataclass
class Dialect:
    """The generic reading: a 2xx body is the data, an error body is what ``error_bodies.parse_error``
    read, every 401 is about the token. A vendor that says more subclasses it."""

    unauthorized_hint: str = ""
    """What to do about a final 401, naming the variables to fix; "" keeps the generic hint."""

    def data(self, response: ApiResponse) -> Any:
        """The useful part of a 2xx answer; raises ``ApiError`` when the body says the request failed."""
        return response.data

    def error(self, error: ApiError, response: httpx.Response, body: bytes) -> ApiError:
        """A non-2xx answer, as the core read it, in this vendor's words and with its hint. Returned, it goes
        through the retry decision; raised, it ends the request at once (a refusal: no retry, and never
        "may have been applied")."""
        if response.status_code == 401 and self.unauthorized_hint:
            error.hint = self.unauthorized_hint
        return error

    def token_rejected(self, response: httpx.Response, body: bytes) -> bool:
        """Whether a 401 is about the token (worth one renewal and a resend)."""
        return True

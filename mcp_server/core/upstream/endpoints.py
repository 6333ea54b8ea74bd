"""An upstream endpoint declared once: its method, its path and whether a request to it may be resent.

Providers list theirs in one table in their ``client.py``; tools send through them, so no call site
chooses a method, writes a path or decides idempotency by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from mcp_server.core.upstream.client import ApiClient, ApiResponse
from mcp_server.core.upstream.links import Link


@dataclass(frozen=True)
class Endpoint:
    """``method`` on ``path`` (relative to the base URL; ``{name}`` marks an id).

    ``idempotent``: whether a failed request may be sent again; None decides by the HTTP method, as
    ``ApiClient.request`` does. A POST that only reads (or repeats harmlessly) declares True here.

    ``hints``: what to do when this endpoint answers an error status, by status (a 404 on a lead id: where
    lead ids come from); ``{name}`` parts are filled in with the ids, as the path's are."""

    method: str
    path: str
    idempotent: bool | None = None
    hints: Mapping[int, str] = field(default_factory=dict[int, str], compare=False)

    def at(self, **ids: Any) -> Endpoint:
        """This endpoint with its ids filled in as given: the tools' arguments have validated them, and a
        plain ``str.format`` is what every id path was built with before."""
        hints = {status: hint.format(**ids) for status, hint in self.hints.items()}
        return replace(self, path=self.path.format(**ids), hints=hints)

    @property
    def link(self) -> Link:
        """What a link standing for this endpoint must match (its ``{name}`` parts match one segment)."""
        return Link.to(self.method, self.path)

    async def send(self, client: ApiClient, target: str | None = None, /, **kwargs: Any) -> ApiResponse:
        """One request to this endpoint through the shared client.

        ``target``: a path or URL a model or an API answer gave for this endpoint, sent exactly as given
        (pass the ``link`` it must match); None sends to ``path``."""
        path = self.path if target is None else target
        return await client.request(self.method, path, idempotent=self.idempotent, hints=self.hints, **kwargs)

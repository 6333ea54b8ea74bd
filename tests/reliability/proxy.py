"""A proxy in front of the sandbox (respx): the API applies a write, then the answer is an error page."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable

import httpx

PAGES = {
    500: "<html><body><h1>500 Internal Server Error</h1></body></html>",
    502: "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
    504: "<html><body><h1>504 Gateway Time-out</h1></body></html>",
}


def applied_then(
    status: int, meanwhile: Callable[[], None] = lambda: None
) -> Callable[[httpx.Request], httpx.Response]:
    """The sandbox applies the request (reached past respx with urllib), ``meanwhile`` runs, and the answer is
    a proxy's HTML error page with ``status``."""

    def answer(request: httpx.Request) -> httpx.Response:
        forwarded = urllib.request.Request(
            str(request.url), data=request.content, method=request.method, headers=dict(request.headers)
        )
        with urllib.request.urlopen(forwarded, timeout=10) as applied:
            applied.read()
        meanwhile()
        return httpx.Response(status, text=PAGES[status], headers={"content-type": "text/html"})

    return answer


def passed_on(meanwhile: Callable[[], None]) -> Callable[[httpx.Request], httpx.Response]:
    """The sandbox handles the request and its own answer comes back; ``meanwhile`` runs in between."""

    def answer(request: httpx.Request) -> httpx.Response:
        forwarded = urllib.request.Request(
            str(request.url), data=request.content, method=request.method, headers=dict(request.headers)
        )
        with urllib.request.urlopen(forwarded, timeout=10) as handled:
            status, body, kind = handled.status, handled.read(), handled.headers.get("content-type", "")
        meanwhile()
        return httpx.Response(status, content=body, headers={"content-type": kind})

    return answer

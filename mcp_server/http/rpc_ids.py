"""Requests whose JSON-RPC id is neither a string nor an integer (null, 1.5, true, {}) are answered 400 with
Invalid Request: the SDK reads them as notifications and answers 202 with nothing, so the client waits."""

from __future__ import annotations

import json

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mcp_server.core.guards import is_str_dict

INVALID_REQUEST = -32600


def odd_id(body: bytes) -> bool:
    """Whether ``body`` is one JSON-RPC message carrying an id that cannot be one."""
    if b'"id"' not in body:
        return False
    try:
        message: object = json.loads(body)
    except ValueError:
        return False  # the SDK answers a parse error itself
    if not is_str_dict(message) or "id" not in message:
        return False
    ident: object = message["id"]
    return not (isinstance(ident, str) or (isinstance(ident, int) and not isinstance(ident, bool)))


class OddIds:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see it
                break
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if odd_id(body):
            error = {"code": INVALID_REQUEST, "message": "Invalid Request: the id must be a string or an integer"}
            await JSONResponse({"jsonrpc": "2.0", "id": None, "error": error}, status_code=400)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

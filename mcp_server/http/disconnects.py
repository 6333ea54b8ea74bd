"""Stateful mode: a client that drops the connection of a pending request cancels it, as if it had sent
``notifications/cancelled`` (many legacy clients just disconnect). Stateless mode needs none of this:
the SDK ends the request's own task when its connection goes."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mcp_server.core.guards import is_list, is_str_dict

_MAX_PEEK = 4 * 1024 * 1024


def _request_ids(body: bytes) -> list[Any]:
    try:
        parsed = json.loads(body)
    except ValueError:
        return []
    messages: list[object] = parsed if is_list(parsed) else [parsed]
    return [m["id"] for m in messages if is_str_dict(m) and "method" in m and m.get("id") is not None]


class CancelOnDisconnect:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", []))
        if scope["type"] != "http" or scope["method"] != "POST" or b"mcp-session-id" not in headers:
            await self.app(scope, receive, send)
            return
        body = bytearray()
        state = {"gone": False, "done": False}

        async def receiving() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(body) < _MAX_PEEK:
                body.extend(message.get("body", b""))
            elif message["type"] == "http.disconnect":
                state["gone"] = True
            return message

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                state["done"] = True
            await send(message)

        try:
            await self.app(scope, receiving, sending)
        finally:
            if state["gone"] and not state["done"]:
                for request_id in _request_ids(bytes(body)):
                    await self._cancel(scope, request_id)

    async def _cancel(self, scope: Scope, request_id: Any) -> None:
        note = {
            "jsonrpc": "2.0",
            "method": "notifications/cancelled",
            "params": {"requestId": request_id, "reason": "the client disconnected"},
        }
        payload = json.dumps(note).encode()
        headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
        inner = {**scope, "headers": [*headers, (b"content-length", str(len(payload)).encode())]}
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": payload, "more_body": False}

        async def discard(message: Message) -> None:
            del message

        await self.app(inner, receive, discard)

"""The stdio transport, with a stdin reader that never holds up shutdown (Ctrl-C in a terminal stops at once),
and an answer to every line the SDK cannot read (it drops them, and the client waits for its timeout)."""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any, cast

import anyio
import anyio.from_thread
import anyio.lowlevel
import mcp_types as types
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp.server.mcpserver import MCPServer
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage

from mcp_server.core.guards import is_str_dict

CHUNK = 65536
TERMINAL_HINT = (
    "outbound-mcp: this server speaks MCP (JSON-RPC messages from an AI client) on stdin, not typed commands; "
    "to try it: `outbound-mcp tools --sandbox` lists its tools, "
    "`npx @modelcontextprotocol/inspector outbound-mcp --sandbox` calls them (Ctrl-C stops it)"
)
JSON_STARTS = (b"{", b"[")


class StdinLines:
    """The lines of a file descriptor, read by a daemon thread.

    The SDK reads stdin in a worker thread that a cancel cannot interrupt and that the interpreter
    waits for at exit, so in a terminal Ctrl-C waited for Enter. A daemon thread is simply left behind.
    """

    def __init__(self, fd: int, *, hinted: bool = False) -> None:
        self._fd = fd
        self._hinted = hinted
        self._send: MemoryObjectSendStream[str]
        self._receive: MemoryObjectReceiveStream[str] | None = None
        self.last = ""
        """The line handed out last: the SDK reads one at a time, so a line it failed to read is this one."""

    def __aiter__(self) -> StdinLines:
        return self

    async def __anext__(self) -> str:
        if self._receive is None:
            self._send, self._receive = anyio.create_memory_object_stream[str](0)
            token = anyio.lowlevel.current_token()
            threading.Thread(target=self._pump, args=(token,), name="outbound-mcp stdin", daemon=True).start()
        try:
            self.last = await self._receive.receive()
            return self.last
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    def _pump(self, token: Any) -> None:
        pending = b""
        try:
            while chunk := os.read(self._fd, CHUNK):
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    self._hint_unless_json(line)
                    anyio.from_thread.run(self._send.send, line.decode("utf-8", "replace") + "\n", token=token)
            if pending:
                self._hint_unless_json(pending)
                anyio.from_thread.run(self._send.send, pending.decode("utf-8", "replace"), token=token)
            anyio.from_thread.run_sync(self._send.close, token=token)
        except (OSError, RuntimeError, anyio.BrokenResourceError, anyio.ClosedResourceError):
            # stdin failed, or the server has stopped: nobody is left to tell.
            return

    def _hint_unless_json(self, line: bytes) -> None:
        """A person typing at the server gets one line saying what it expects, once (a client never sees it)."""
        text = line.strip()
        if self._hinted or not text:
            return
        self._hinted = True
        if not text.startswith(JSON_STARTS):
            sys.stderr.write(TERMINAL_HINT + "\n")
            sys.stderr.flush()


PARSE_ERROR, INVALID_REQUEST = -32700, -32600


def refusal(line: str) -> types.JSONRPCError | None:
    """The JSON-RPC error for a line that is no request, response or notification; None for a notification."""
    try:
        message: object = json.loads(line)
    except ValueError:
        return _error(None, PARSE_ERROR, "Parse error")
    if not is_str_dict(message):
        batch = isinstance(message, list)
        return _error(None, INVALID_REQUEST, "Invalid Request" + (": send one message per line" if batch else ""))
    if "id" not in message:
        return None
    raw_id: object = message["id"]
    # Only a string or an integer is an id (JSON-RPC 2.0, MCP); anything else is answered with id null.
    if isinstance(raw_id, str) or (isinstance(raw_id, int) and not isinstance(raw_id, bool)):
        return _error(raw_id, INVALID_REQUEST, "Invalid Request")
    return _error(None, INVALID_REQUEST, "Invalid Request: the id must be a string or an integer")


def _error(ident: str | int | None, code: int, message: str) -> types.JSONRPCError:
    return types.JSONRPCError(jsonrpc="2.0", id=ident, error=types.ErrorData(code=code, message=message))


async def answer_unreadable(
    lines: StdinLines,
    read_stream: Any,
    forward: MemoryObjectSendStream[SessionMessage | Exception],
    write_stream: Any,
) -> None:
    """Pass what the SDK read on to the server; answer what it could not read, as JSON-RPC asks. A request
    with an odd id (null, 1.5, true, {}) reads as a notification to the SDK, which then drops it unanswered."""
    async with forward:
        async for item in read_stream:
            odd = isinstance(item, SessionMessage) and isinstance(item.message, types.JSONRPCNotification)
            if not isinstance(item, Exception) and not (odd and '"id"' in lines.last):
                await forward.send(item)
                continue
            error = refusal(lines.last)
            if error is not None:
                await write_stream.send(SessionMessage(error))
            elif isinstance(item, SessionMessage):
                await forward.send(item)


async def run_stdio(server: MCPServer[Any], *, hinted: bool = False) -> None:
    """``server.run_stdio_async()``, reading stdin through ``StdinLines`` (``hinted``: the hint was printed)."""
    # The one private name the package uses: SDK 2.3 has no public way to pass stdin to run_stdio_async.
    # Should a later minor release move it, serve through the public runner and its own stdin reader.
    lowlevel = getattr(server, "_lowlevel_server", None)
    if lowlevel is None:
        await server.run_stdio_async()
        return
    lines = StdinLines(sys.stdin.fileno(), hinted=hinted)
    stdin = cast("anyio.AsyncFile[str]", lines)  # the SDK only iterates it
    async with stdio_server(stdin=stdin) as (read_stream, write_stream):
        forward, received = anyio.create_memory_object_stream[SessionMessage | Exception](0)
        async with anyio.create_task_group() as group:
            group.start_soon(answer_unreadable, lines, read_stream, forward, write_stream)
            await lowlevel.run(received, write_stream, lowlevel.create_initialization_options())

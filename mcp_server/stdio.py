"""The stdio transport, with a stdin reader that never holds up shutdown (Ctrl-C in a terminal stops at once)."""

from __future__ import annotations

import os
import sys
import threading
from typing import Any, cast

import anyio
import anyio.from_thread
import anyio.lowlevel
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp.server.mcpserver import MCPServer
from mcp.server.stdio import stdio_server

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

    def __aiter__(self) -> StdinLines:
        return self

    async def __anext__(self) -> str:
        if self._receive is None:
            self._send, self._receive = anyio.create_memory_object_stream[str](0)
            token = anyio.lowlevel.current_token()
            threading.Thread(target=self._pump, args=(token,), name="outbound-mcp stdin", daemon=True).start()
        try:
            return await self._receive.receive()
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


async def run_stdio(server: MCPServer[Any], *, hinted: bool = False) -> None:
    """``server.run_stdio_async()``, reading stdin through ``StdinLines`` (``hinted``: the hint was printed)."""
    # The one private name the package uses: SDK 2.3 has no public way to pass stdin to run_stdio_async.
    # Should a later minor release move it, serve through the public runner and its own stdin reader.
    lowlevel = getattr(server, "_lowlevel_server", None)
    if lowlevel is None:
        await server.run_stdio_async()
        return
    stdin = cast("anyio.AsyncFile[str]", StdinLines(sys.stdin.fileno(), hinted=hinted))  # the SDK only iterates it
    async with stdio_server(stdin=stdin) as (read_stream, write_stream):
        await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())

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


class StdinLines:
    """The lines of a file descriptor, read by a daemon thread.

    The SDK reads stdin in a worker thread that a cancel cannot interrupt and that the interpreter
    waits for at exit, so in a terminal Ctrl-C waited for Enter. A daemon thread is simply left behind.
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
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
                    anyio.from_thread.run(self._send.send, line.decode("utf-8", "replace") + "\n", token=token)
            if pending:
                anyio.from_thread.run(self._send.send, pending.decode("utf-8", "replace"), token=token)
            anyio.from_thread.run_sync(self._send.close, token=token)
        except (OSError, RuntimeError, anyio.BrokenResourceError, anyio.ClosedResourceError):
            # stdin failed, or the server has stopped: nobody is left to tell.
            return


async def run_stdio(server: MCPServer[Any]) -> None:
    """``server.run_stdio_async()``, reading stdin through ``StdinLines``."""
    # The one private name the package uses: SDK 2.3 has no public way to pass stdin to run_stdio_async.
    # Should a later minor release move it, serve through the public runner and its own stdin reader.
    lowlevel = getattr(server, "_lowlevel_server", None)
    if lowlevel is None:
        await server.run_stdio_async()
        return
    stdin = cast("anyio.AsyncFile[str]", StdinLines(sys.stdin.fileno()))  # the SDK only iterates it
    async with stdio_server(stdin=stdin) as (read_stream, write_stream):
        await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())

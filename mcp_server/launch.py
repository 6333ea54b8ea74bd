"""The ``outbound-mcp`` command's first module: it pauses the garbage collector before any other import
(``mcp_server.collector``), then runs the command."""

from __future__ import annotations

from typing import NoReturn

from mcp_server.collector import pause


def entry() -> NoReturn:
    pause()
    # Imported after the pause, so the collector sleeps through the imports too (most of the objects).
    from mcp_server.cli import entry as run

    run()

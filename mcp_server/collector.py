"""The garbage collector paused while the server starts (``mcp_server.launch`` pauses it, ``cli`` resumes it).

Start-up makes about 200,000 tracked objects that nearly all live on (modules, 62 tools' pydantic models and
schemas); the collector would walk the growing heap some 300 times to find almost nothing (about 0.1 s of a
1.5 s start). ``resume`` freezes what start-up made (``gc.freeze``: kept out of every later collection, else
the first one walks all of it, 0.1 s more, at the first request) and turns the collector back on, once the
server is built and for every subcommand that is not the server (the sandbox runs for hours). The price: the
~16,000 objects of start-up garbage (a few MB) are never freed.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Collect as usual again, over what is made from now on (only if ``pause`` stopped it: a host that
    disabled the collector keeps it off)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()

"""The README's Claude Desktop snippet names the command by absolute path, with a placeholder for the checkout."""

from __future__ import annotations

import sys
from pathlib import Path

README_VENV_BIN = "/path/to/outbound-mcp/.venv/bin/"


def installed_command(command: str) -> str:
    """The snippet's command, as installed in the environment running the tests."""
    # A GUI app has no shell PATH: the snippet must name the command by absolute path.
    assert command.startswith(README_VENV_BIN), command
    return str(Path(sys.executable).parent / command.removeprefix(README_VENV_BIN))

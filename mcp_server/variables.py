"""Environment variable names checked before they are read: a misspelt or wrongly cased name of ours is named."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from mcp_server.core.errors import ConfigError
from mcp_server.settings import Settings

OURS = ("PERSISTIQ_", "SNOV_", "EPIXEL_", "OUTBOUND_MCP_")
"""Prefixes whose every name is ours: a close miss there is a mistake, not another program's variable."""
ALSO_KNOWN = ("OUTBOUND_MCP_SANDBOX_PROFILE",)
"""Read by the test suite and benchmarks, not by the server."""
CLOSE = 0.85


def known_variables() -> frozenset[str]:
    names = {str(field.validation_alias or name).upper() for name, field in Settings.model_fields.items()}
    return frozenset(names | set(ALSO_KNOWN))


def check_variable_names(environ: Mapping[str, str]) -> None:
    """Raise ``ConfigError`` for the first name under our prefixes that is not ours but nearly is.

    Settings read names case-insensitively, so a lower-case ``persistiq_api_key`` would be taken while its
    upper-case twin might say otherwise: refused, so that what is served is what the documented name says."""
    known = known_variables()
    for name in sorted(environ):
        upper = name.upper()
        if name in known or not upper.startswith(OURS):
            continue
        if upper in known:
            raise ConfigError(
                f"{name}: variable names are upper-case; rename it {upper} (the lower-case name is not read)",
                variable=upper,
            )
        match = difflib.get_close_matches(upper, known, n=1, cutoff=CLOSE)
        if match:
            raise ConfigError(
                f"{name} is not a variable outbound-mcp reads: did you mean {match[0]}? Rename it "
                "(every variable: README, Configuration)",
                variable=match[0],
            )

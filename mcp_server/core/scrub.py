"""Text that cannot be sent: lone UTF-16 surrogates (a JSON ``"\\udc80"`` escape, half an emoji cut by a
JavaScript server) are valid in a Python string but not in UTF-8, so one would break the whole answer."""

from __future__ import annotations

import re
from typing import Any

from mcp_server.core.guards import is_dict, is_list

_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(rb"\\[uU][dD][89a-fA-F]")
"""A JSON body can carry a surrogate only as an escape (raw UTF-8 cannot encode one): the bytes tell cheaply."""


def has_surrogates(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def parsed_clean(body: bytes, data: Any) -> Any:
    """Upstream JSON ``data`` (parsed from ``body``) scrubbed where it enters, before anything measures, stores
    or prints it: a page budget that sizes a record as UTF-8 would otherwise fail on one lone surrogate."""
    return scrub(data) if _ESCAPED_SURROGATE.search(body) else data


def scrub(value: Any) -> Any:
    """``value`` with each lone surrogate replaced by U+FFFD (a well-formed pair becomes its character)."""
    if isinstance(value, str):
        if not has_surrogates(value):
            return value
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if is_dict(value):
        return {scrub(key): scrub(item) for key, item in value.items()}
    if is_list(value):
        return [scrub(item) for item in value]
    return value

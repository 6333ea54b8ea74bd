"""The error hierarchy of the HTTP core, and the one function that turns it into a tool error."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TypeVar

from mcp.server.mcpserver.exceptions import ToolError

from mcp_server.core.redact import REDACTOR
from mcp_server.core.scrub import scrub


@dataclass
class OutboundError(Exception):
    """Base of every failure the core raises; ``hint`` says what the caller can change.

    ``maybe_applied``: a write failed after it may have reached the API (``retry.uncertain``), so it may or
    may not have been applied; the replay guard then never sends it again unasked."""

    message: str
    provider: str = ""
    hint: str = ""
    maybe_applied: bool = False

    def __str__(self) -> str:
        return self.message


E = TypeVar("E", bound="OutboundError")


@dataclass
class ConfigError(OutboundError):
    """A setting is missing or malformed; ``variable`` names it."""

    variable: str = ""


@dataclass
class InvalidInput(OutboundError):
    """An argument fails a rule checked before any request; ``field`` names it."""

    field: str = ""


@dataclass
class ApiError(OutboundError):
    """The upstream API answered with an error status."""

    status: int = 0
    reason: str = ""
    request_id: str = ""
    field_errors: dict[str, list[str]] = field(default_factory=dict[str, list[str]])


@dataclass
class RateLimited(ApiError):
    """No budget left within the call's deadline; ``retry_after`` is in seconds."""

    retry_after: float = 0.0


@dataclass
class TransportError(OutboundError):
    """The request failed on the way (connect, timeout, dropped connection)."""


@dataclass
class BadResponse(OutboundError):
    """The upstream answered 2xx with a body that is not what the API documents."""


@dataclass
class UnsafeLink(OutboundError):
    """A URL from a response body points away from the configured API origin."""


@dataclass
class CreditLimit(OutboundError):
    """The call would spend more Snov.io credits than ``SNOV_MAX_CREDITS`` allows."""


CHECK_FIRST = "check with the matching list/get tool before sending it again."


def mark_maybe_applied(error: E, why: str) -> E:
    """Say a write may have reached the API: flagged (the replay guard and batch reports read the flag), and
    ``why`` opens the hint, which always ends by saying to check first."""
    error.maybe_applied = True
    error.hint = f"{why}: {CHECK_FIRST}"
    return error


def may_be_applied(error: OutboundError) -> bool:
    """Whether a failed write may have been applied: the HTTP core flagged it so (``retry.uncertain``, the one
    rule), or an API's answer inside a 2xx said it failed on its side (an envelope's 5xx)."""
    return error.maybe_applied or (isinstance(error, ApiError) and error.status >= 500)


def _status_hint(status: int) -> str:
    if status >= 500 or status == 408:
        return "The provider failed on its side (reads are retried a few times first): try again in a few minutes."
    return {
        400: "Check the arguments against the tool's schema and the upstream message above.",
        401: "The credentials were refused: check the provider's API key or token settings.",
        403: "The credentials lack permission for this action.",
        404: "The id does not exist: list the records first to get a valid id.",
        409: "The record conflicts with an existing one.",
        422: "Check the arguments against the upstream message above.",
    }.get(status, "")


def describe(error: OutboundError) -> str:
    """One message for the model: what failed, the upstream's words, what to do."""
    who = f"{error.provider}: " if error.provider else ""
    first = who + error.message
    parts = [first if first.endswith((".", "!", "?")) else first + "."]
    if isinstance(error, ApiError):
        for name, messages in error.field_errors.items():
            parts.append(f"{name}: {'; '.join(messages)}")
        if error.request_id:
            parts.append(f"(request id {error.request_id})")
    if isinstance(error, RateLimited):
        wait = error.retry_after if math.isfinite(error.retry_after) else 60.0
        parts.append(f"Retry in {max(1, math.ceil(wait))} s.")
    hint = error.hint or (_status_hint(error.status) if isinstance(error, ApiError) else "")
    if hint:
        parts.append(hint)
    return " ".join(parts)


def to_tool_error(error: OutboundError) -> ToolError:
    # An upstream may echo a credential back in its error text; it never reaches the model.
    return ToolError(scrub(REDACTOR(describe(error))))

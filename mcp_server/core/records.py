"""Reading an upstream record into its model: an unexpected shape is a clear error, not a crash."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from mcp_server.core.errors import BadResponse

M = TypeVar("M", bound=BaseModel)


def parse_record(model: type[M], raw: Any, what: str, provider: str) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "record"
        raise BadResponse(
            f"{provider} answered with an unexpected {what} ({where}: {first['msg']})", provider=provider
        ) from None

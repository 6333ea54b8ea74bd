"""What scripted endpoint plans share: every page of a list, its rows as records, a job polled to its end."""

from __future__ import annotations

from typing import Any

from benchmarks.task_kit import Recorder


def records(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """A page's records: ``items``, or a table's rows by column name."""
    if "rows" in answer:
        return [dict(zip(answer["columns"], row, strict=False)) for row in answer["rows"]]
    return list(answer.get("items") or answer.get("results") or [])


async def every(call: Recorder, tool: str, arguments: dict[str, Any]) -> list[dict[str, Any]]:
    """Every record of a list, following next_cursor as a model does."""
    got: list[dict[str, Any]] = []
    answer = await call(tool, arguments)
    got += records(answer)
    while answer.get("next_cursor"):
        answer = await call(tool, {**arguments, "cursor": answer["next_cursor"]})
        got += records(answer)
    return got


async def until_done(call: Recorder, tool: str, arguments: dict[str, Any], *, most: int = 50) -> dict[str, Any]:
    """A job's answer once it is no longer running, resuming with its handle."""
    answer = await call(tool, arguments)
    for _ in range(most):
        if not answer.get("handle") or answer.get("status") in ("done", "dry_run"):
            return answer
        answer = await call(tool, {**arguments, "handle": answer["handle"]})
    return answer

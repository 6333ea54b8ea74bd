"""A person at the other end of an elicitation: answers the same way every time and keeps what was asked."""

from __future__ import annotations

from typing import Any, Literal

import mcp.types as t

Action = Literal["accept", "decline", "cancel"]
"""How a person answers a question."""
MODES = ("legacy", "2026-07-28")
"""Both protocol eras: elicitation/create mid-call, and the input-required round trip."""


class Person:
    def __init__(self, action: Action = "accept", ticked: bool = True) -> None:
        self.action: Action = action
        self.ticked = ticked
        self.asked: list[str] = []
        self.forms: list[dict[str, Any]] = []

    async def __call__(self, context: Any, params: Any) -> t.ElicitResult:
        self.asked.append(params.message)
        self.forms.append(params.requested_schema)
        return t.ElicitResult(action=self.action, content={"confirm": self.ticked} if self.action == "accept" else None)


async def agrees(context: Any, params: Any) -> t.ElicitResult:
    """A person who agrees to every question: for tests of what a spend or delete does once confirmed."""
    return t.ElicitResult(action="accept", content={"confirm": True})

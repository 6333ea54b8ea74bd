"""The words of a question, kept for the rounds of one 2026-07-28 input-required call.

The SDK takes the person's answer only for the exact words it was asked with. A paid question quotes live
figures (credits spent, the balance last read); when they move between rounds (another call spent, a balance
was read) the answer was discarded and the person asked again, round after round. The first round's words are
kept under the call's binding (tool, exact arguments, caller) and shown again on its retries, so the answer
is bound to the call, not to the live text. The figures are a report; the credit ceiling is enforced when the
call spends, whatever the question said.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcp.server.mcpserver import Context

from mcp_server.core.state import StateStore
from mcp_server.core.tools.confirmation_tokens import TOKEN_LIFETIME, digest, fingerprints


def binding(tool: str, args: Mapping[str, Any], caller: str) -> str:
    return "confirm:asked:" + digest([tool, fingerprints(args), digest(caller)])


async def kept_question(
    store: StateStore, ctx: Context, tool: str, args: Mapping[str, Any], caller: str, question: str
) -> str:
    """The words this call was first asked with, when this is a retry round of it; otherwise ``question``, kept
    for the retries. A store failure raises ``StateUnavailable`` (the caller refuses: consent fails closed)."""
    key = binding(tool, args, caller)
    if ctx.request_state is not None:
        kept = await store.get(key)
        if kept is not None:
            return kept.decode()
    await store.set(key, question.encode(), ttl=TOKEN_LIFETIME)
    return question

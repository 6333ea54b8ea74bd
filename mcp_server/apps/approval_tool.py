"""The App-only tool behind the approval panel's buttons: Approve runs the pending call once, Decline sends
nothing. The model cannot call it (``_meta.ui.visibility: ["app"]``) and would need the approval's id, which
travels only in the answer's ``_meta``; without a pending approval of this caller it refuses."""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent
from pydantic import Field

from mcp_server.app.providers import principal_of, state_of
from mcp_server.core.errors import describe
from mcp_server.core.state import StateUnavailable
from mcp_server.core.tools.approvals import ApprovalRefused, answer_approval, approved
from mcp_server.core.tools.confirmations import DONE_NOTHING

DESCRIPTION = (
    "Used by the approval panel only (the user's Approve or Decline of a pending spend or delete); "
    "not for the assistant."
)


async def outbound_answer_approval(
    ctx: Context,
    approval_id: Annotated[str, Field(min_length=4, max_length=100, description="From the approval panel")],
    choice: Literal["approve", "decline"],
) -> CallToolResult:
    state = state_of(ctx)
    try:
        pending = await answer_approval(state.store, approval_id, principal_of(ctx), state.clock())
    except ApprovalRefused as refused:
        raise ToolError(f"{refused}. Nothing was sent.") from None
    except StateUnavailable as error:
        raise ToolError(f"the approval could not be checked: {describe(error)}. Nothing was sent.") from None
    done_nothing = DONE_NOTHING.get(pending.kind, "Nothing was sent.")
    if choice == "decline":
        text = f"The user declined in the approval panel: {pending.question.splitlines()[0]} {done_nothing}"
        return CallToolResult(
            content=[TextContent(type="text", text=text)],
            structured_content={"choice": "decline", "tool": pending.tool, "ran": False},
        )
    with approved(pending.tool, pending.arguments):
        result = await ctx.mcp_server.call_tool(pending.tool, pending.arguments, ctx)
    if not isinstance(result, CallToolResult):  # an approved call asks nothing more
        raise ToolError(f"{pending.tool} asked for more input after the approval. {done_nothing}")
    return result

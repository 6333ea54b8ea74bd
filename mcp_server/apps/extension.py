"""The server's MCP Apps: the ``ui://`` pages, the App-only approval tool, and a tools/list that shows that
tool only to clients that render Apps (the host keeps it from the model; other clients never see it)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, cast

from mcp.server.apps import Apps, ResourceCsp, client_supports_apps
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.types import ToolAnnotations
from pydantic import BaseModel

from mcp_server.apps.approval_tool import DESCRIPTION, outbound_answer_approval
from mcp_server.apps.uris import LEADS_URI, PAGES, REPORT_URI
from mcp_server.core.guards import is_str_mapping
from mcp_server.core.tools.approvals import APPROVAL_TOOL, APPROVAL_URI

HTML = Path(__file__).resolve().parent / "html"
NO_NETWORK = ResourceCsp(connect_domains=[], resource_domains=[])
"""The pages load nothing and call nothing: scripts and styles are inline, data comes from the host."""
TITLES = {
    APPROVAL_URI: "Approval of a spend or delete",
    REPORT_URI: "Campaign report chart",
    LEADS_URI: "Lead table (sort, filter, pick)",
}


@cache
def page(uri: str) -> str:
    return (HTML / PAGES[uri]).read_text(encoding="utf-8")


def build_apps() -> Apps:
    apps = Apps()
    for uri in PAGES:
        apps.add_html_resource(uri, page(uri), name=PAGES[uri], title=TITLES[uri], csp=NO_NETWORK)
    apps.tool(
        resource_uri=APPROVAL_URI,
        visibility=["app"],
        name=APPROVAL_TOOL,
        title="Answer an approval (approval panel only)",
        description=DESCRIPTION,
        # Approve may run a spend or a delete: nothing about it is read-only or idempotent.
        annotations=ToolAnnotations(
            read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True
        ),
    )(outbound_answer_approval)
    return apps


def app_only(tool: object) -> bool:
    """A listed tool (the wire dict) whose ``_meta.ui.visibility`` is the App alone."""
    meta = tool.get("_meta") if is_str_mapping(tool) else None
    ui = meta.get("ui") if is_str_mapping(meta) else None
    return is_str_mapping(ui) and ui.get("visibility") == ["app"]


def without_ui(tool: object) -> object:
    """A listed tool without its ``_meta.ui`` (its other ``_meta`` keys kept; no ``_meta`` left empty)."""
    if not is_str_mapping(tool):
        return tool
    meta = tool.get("_meta")
    if not is_str_mapping(meta) or "ui" not in meta:
        return tool
    rest = {key: value for key, value in meta.items() if key != "ui"}
    shown = {key: value for key, value in tool.items() if key != "_meta"}
    return {**shown, "_meta": rest} if rest else shown


class AppOnlyTools:
    """Server middleware: a client that does not render Apps is shown neither the App-only tools nor the
    ``_meta.ui`` links of the others (about 1 KB of a tools/list it could not use)."""

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        result = await call_next(ctx)
        if ctx.method != "tools/list" or client_supports_apps(ctx):
            return result
        if isinstance(result, BaseModel):  # the SDK hands middleware the wire dict; a model is dumped alike
            result = result.model_dump(by_alias=True, mode="json", exclude_none=True)
        if not isinstance(result, dict):
            return result
        wire: dict[str, Any] = result
        tools = wire.get("tools")
        if not isinstance(tools, list):
            return wire
        listed: list[object] = list(cast(list[object], tools))
        return {**wire, "tools": [without_ui(tool) for tool in listed if not app_only(tool)]}

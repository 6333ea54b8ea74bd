"""Outcome tools: one call for what a rep asks (prospect a company, report on campaigns, count leads, log a
meeting), built from the providers' own tool functions and lists over the same clients and budgets."""

from mcp_server.core.tools.registry import Toolset
from mcp_server.outcomes import counts, meetings, prospecting, reference, report

ALWAYS_LOAD = {"anthropic/alwaysLoad": True}
"""Claude Code defers tools behind its tool search; outcome tools stay loaded (issue 30)."""

OUTCOMES = Toolset.joined(
    "outcomes", prospecting.toolset, report.toolset, counts.toolset, meetings.toolset, reference.toolset
)
"""Every outcome tool, in the order they are listed after the providers' tools."""
for _tool in OUTCOMES.tools:
    _tool.meta = {**ALWAYS_LOAD, **(_tool.meta or {})}

NEEDS: dict[str, tuple[str, ...]] = {
    "outreach_prospect_company": ("snov", "persistiq"),
    "outreach_campaign_report": ("snov", "persistiq"),
    "outreach_lead_counts": ("persistiq",),
    "outreach_log_meeting": ("epixel",),
    "outreach_reference_data": (),
}
"""The providers each outcome tool needs enabled: served only when all of them are (none: it reads those
that are on; lead counts also count Epixel's leads when Epixel is on)."""

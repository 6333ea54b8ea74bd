"""The ``ui://`` resources the tools name in ``_meta.ui.resourceUri``."""

from mcp_server.core.tools.approvals import APPROVAL_URI

REPORT_URI = "ui://outbound-mcp/campaign-report.html"
LEADS_URI = "ui://outbound-mcp/lead-table.html"
PAGES = {APPROVAL_URI: "approval.html", REPORT_URI: "report.html", LEADS_URI: "leads.html"}
"""Each resource, and the page built for it (mcp_server/apps/html/, from ui/)."""

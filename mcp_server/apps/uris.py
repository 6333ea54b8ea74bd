"""The ``ui://`` resources the tools name in ``_meta.ui.resourceUri``."""

from mcp_server.core.tools.approvals import APPROVAL_URI

REPORT_URI = "ui://outbound-mcp/campaign-report.html"
PAGES = {APPROVAL_URI: "approval.html", REPORT_URI: "report.html"}
"""Each resource, and the page built for it (mcp_server/apps/html/, from ui/)."""

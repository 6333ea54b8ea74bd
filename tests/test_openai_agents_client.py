"""The real openai-agents MCP client (its default 5 s ``client_session_timeout_seconds``) against
``python -m mcp_server`` over stdio with ``OUTBOUND_MCP_MAX_WAIT=4``: a long Snov.io job answers a handle
in time and the next call its result, with one start; a write the client gave up on and sent again
reaches the API once. Skipped where openai-agents is not installed (``pip install -e ".[clients]"``)."""

from __future__ import annotations

import os
import sys

import pytest

from outbound_sandbox.app import AnsweredRequest, Sandbox
from outbound_sandbox.config import Fault
from outbound_sandbox.runner import SandboxUrls

agents_mcp = pytest.importorskip("agents.mcp", reason='openai-agents is not installed: pip install -e ".[clients]"')

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

PROVIDER_VARS = ("PERSISTIQ_", "SNOV_", "EPIXEL_", "OUTBOUND_MCP_")


def server(sandbox_urls: SandboxUrls, **variables: str):
    """openai-agents' stdio server with its defaults (a 5 s timeout per request)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(PROVIDER_VARS)}
    env.update({**sandbox_urls.environment(), **variables})
    return agents_mcp.MCPServerStdio(params={"command": sys.executable, "args": ["-m", "mcp_server"], "env": env})


async def test_a_15_s_snov_job_answers_a_handle_inside_the_default_timeout_and_the_next_call_its_result(
    sandbox: Sandbox, sandbox_urls: SandboxUrls
):
    sandbox.config.time_scale = 3.0  # the job's 15 vendor seconds pass in 5 real ones
    sandbox.config.job_delay = 15.0
    # Timeouts, not consent: this client shows no confirmation, and the paid job runs as asked.
    async with server(sandbox_urls, OUTBOUND_MCP_MAX_WAIT="4", OUTBOUND_MCP_UNCONFIRMED="allow") as mcp:
        first = await mcp.call_tool("snov_domain_search", {"domain": "acme.com"})
        assert first.structured_content["status"] == "running"
        second = await mcp.call_tool(
            "snov_domain_search", {"domain": "acme.com", "handle": first.structured_content["handle"]}
        )

    assert second.structured_content["name"] == "Acme Corporation"
    starts = [r for r in sandbox.env.handled("POST", "/snov/v2/domain-search/start") if isinstance(r, AnsweredRequest)]
    # Paid once: one start the vendor took. A start it refused is sent again and paid for nothing: a 429 in a
    # sandbox other tests share, or a 401 for a token another test's sandbox issued (the state store is shared).
    taken = [start.status for start in starts if start.status not in (401, 429)]
    assert taken == [200], [(s.status, s.at) for s in starts]


async def test_a_write_the_client_timed_out_on_and_sent_again_reaches_the_api_once(
    sandbox: Sandbox, sandbox_urls: SandboxUrls
):
    sandbox.config.add_fault("POST /snov/v1/lists", Fault("latency", seconds=7.0, count=1))
    async with server(sandbox_urls) as mcp:
        with pytest.raises(Exception):  # noqa: B017 - the client's own timeout error, whatever its type
            await mcp.call_tool("snov_create_prospect_list", {"name": "Given up on"})
        retried = await mcp.call_tool("snov_create_prospect_list", {"name": "Given up on"})

    assert retried.structured_content["replay"] is True
    # Accepted writes only: a token an earlier test's server left in the shared store is refused (401,
    # nothing written), renewed, and the write sent once more, as with any revoked token.
    # Every logged request is an AnsweredRequest; the check tells the type checker it has a status.
    posts = [
        r
        for r in sandbox.env.requests
        if isinstance(r, AnsweredRequest) and r.method == "POST" and r.path == "/snov/v1/lists"
    ]
    assert [r.status for r in posts if r.status != 401] == [200]

"""The task benchmark's parts: a recording client, a task (seed, two plans, a verifier) and its run."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from mcp import Client
from mcp.types import TextContent

from benchmarks.common import agrees, settings_for
from mcp_server.core.tokens import count_tokens
from mcp_server.server import create_server
from outbound_sandbox.app import Sandbox
from outbound_sandbox.runner import SandboxUrls

TUNING = {
    "poll_interval": 0.05,
    "snov_rate_limit": 10_000,
    "persistiq_rate_limit": 10_000,
    "outbound_mcp_state": "memory",
}
"""Fast polls, and budgets out of the way: the benchmark counts calls and tokens, not waits."""


class PlanFailed(Exception):
    """A scripted call answered an error: the plan is wrong, or the server is."""


@dataclass
class Recorder:
    """Calls tools as a model would, counting the calls and the o200k tokens of every answer's text."""

    client: Client
    calls: int = 0
    tokens: int = 0
    log: list[str] = field(default_factory=list[str])

    async def __call__(self, tool: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        result = await self.client.call_tool(tool, arguments or {})
        text = "".join(block.text for block in result.content if isinstance(block, TextContent))
        self.calls += 1
        self.tokens += count_tokens(text)
        self.log.append(tool)
        if result.is_error:
            raise PlanFailed(f"{tool}: {text[:300]}")
        return result.structured_content or {}


Seeded = dict[str, Any]
Plan = Callable[[Recorder, Seeded], Awaitable[Any]]


@dataclass(frozen=True)
class Task:
    name: str
    ask: str
    """What the rep asks, as a person would type it."""
    seed: Callable[[Sandbox, Recorder], Awaitable[Seeded]]
    endpoint: Plan
    outcome: Plan
    verify: Callable[[Sandbox, Seeded, Any], bool]
    """The end state (and, for questions, the answer the plan arrived at) against the sandbox's own truth."""
    in_issue: bool = False
    """One of issue 30's measured requests: the outcome path must be 3x cheaper in tokens and calls."""


@dataclass
class Outcome:
    calls: int
    tokens: int
    credits: float
    passed: bool
    seconds: float
    error: str = ""

    def cell(self) -> str:
        verdict = "pass" if self.passed else f"FAIL {self.error}".strip()
        calls = f"{self.calls} call" + ("" if self.calls == 1 else "s")
        return f"{calls}, {self.tokens:,} tokens, {self.credits:g} credits, {verdict}"


async def run_plan(sandbox: Sandbox, urls: SandboxUrls, task: Task, plan: Plan) -> Outcome:
    """``plan`` on a freshly seeded sandbox, through an in-memory MCP client on a new server."""
    sandbox.reset()
    # A person who agrees, as in a client with elicitation forms: the plans measure the work, not the asking.
    async with Client(create_server(settings_for(urls, **TUNING)), elicitation_callback=agrees) as client:
        seeded = await task.seed(sandbox, Recorder(client))  # seeding calls are not counted
        spent = sandbox.snov.spent
        recorder = Recorder(client)
        started = time.perf_counter()
        error = ""
        answer: Any = None
        try:
            answer = await plan(recorder, seeded)
        except PlanFailed as failed:
            error = str(failed)
        passed = not error and task.verify(sandbox, seeded, answer)
        took = time.perf_counter() - started
    return Outcome(recorder.calls, recorder.tokens, sandbox.snov.spent - spent, passed, took, error)

"""Fuzzing every tool against a hostile upstream: the sandbox's real answers, with a lone surrogate in every
string and absurd rate headers on every response (``Retry-After: inf``, resets in epoch milliseconds or
at 1e300). No call may hang, crash the answer's encoding, end as an opaque failure, or lock its provider
out: a later plain call still gets an answer. Tools are read from tools/list, like the main fuzz suite."""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Iterator
from typing import Any, TypeAlias

import anyio
import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import example, given, settings

from mcp_server.app.providers import LazyTransport
from mcp_server.core.upstream.retry import MAX_WAIT
from mcp_server.examples import example_of
from tests.reliability.figures import count
from tests.reliability.schemas import objects
from tests.reliability.test_fuzzing import CALL_LIMIT, CRASH, FUZZ, PROVIDERS, TOOLS
from tests.reliability.writes import text_of

HOSTILE_EXAMPLES = 3
# Left whole so that the calls still get somewhere: a token or job hash with a surrogate is refused by
# the sandbox, and then every later step is the same error.
KEPT = {"access_token", "token_type", "task_hash", "next_page", "next", "result", "status", "token", "key"}
ENDINGS = itertools.cycle(["\udc80", "\ud83d", "\udfff tail"])


Json: TypeAlias = "dict[str, Json] | list[Json] | str | int | float | bool | None"


def haunted(value: Json, key: str = "") -> Json:
    """Every string of an answer with a lone surrogate (sent as a JSON ``\\udc80`` escape)."""
    if isinstance(value, str):
        return value if key in KEPT else value + next(ENDINGS)
    if isinstance(value, dict):
        return {k: haunted(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [haunted(item, key) for item in value]
    return value


RATE_HEADERS = itertools.cycle(
    [
        {"Retry-After": "inf", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1e300"},
        {"Retry-After": "1e12", "X-RateLimit-Remaining": "inf", "X-RateLimit-Reset": "inf"},
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "ms"},
    ]
)


@pytest.fixture
def hostile_upstream(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    original = LazyTransport.handle_async_request

    async def mangled(self: LazyTransport, request: httpx.Request) -> httpx.Response:
        response = await original(self, request)
        body = await response.aread()
        await response.aclose()
        try:
            content = json.dumps(haunted(json.loads(body))).encode() if body.strip() else body
        except ValueError:
            content = body
        rates = dict(next(RATE_HEADERS))
        if rates.get("X-RateLimit-Reset") == "ms":
            rates["X-RateLimit-Reset"] = str(int((time.time() + 0.05) * 1000))
        drop = {"content-length", "content-encoding", "transfer-encoding"}
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in drop] + list(rates.items())
        return httpx.Response(response.status_code, headers=headers, content=content, request=request)

    monkeypatch.setattr(LazyTransport, "handle_async_request", mangled)
    yield


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_tool_of_a_provider_answers_clearly_when_every_upstream_string_and_rate_header_is_hostile(
    provider: str, fuzz_sandbox: Any, connect: Any, portal: BlockingPortal, hostile_upstream: None
) -> None:
    tools = [tool for tool in TOOLS if tool["name"].startswith(f"{provider}_")]
    problems: list[str] = []
    for tool in tools:
        fuzz_sandbox.reset()  # each tool on freshly seeded data, as a test of its own would be
        problems += [f"{tool['name']}: {p}" for p in hostile_answer_problems(tool, connect, portal)]
    assert tools and not problems, "\n".join(dict.fromkeys(problems))


def hostile_answer_problems(tool: dict[str, Any], connect: Any, portal: BlockingPortal) -> list[str]:
    """Arguments drawn from the tool's schema (its declared example among them) against the hostile upstream,
    on a server serving only this tool: what went wrong (a hang, an opaque failure, a believed absurd wait)."""
    name, schema = tool["name"], tool["inputSchema"]
    tuning = {"poll_wait": 0.3, "poll_interval": 0.01, "rate_window": 1.0, "http_timeout": 5.0}
    problems: list[str] = []

    async def call(client: Any, args: dict[str, Any]) -> Any:
        with anyio.fail_after(CALL_LIMIT):
            return await client.call_tool(name, args)

    with portal.wrap_async_context_manager(connect([name], **tuning)) as client:

        @settings(FUZZ, max_examples=HOSTILE_EXAMPLES)
        @given(args=objects(schema, schema.get("$defs", {})))
        @example(args=example_of(name))  # a call the argument check lets through, so it meets the upstream
        def hostile(args: dict[str, Any]) -> None:
            count("fuzzed_hostile")
            try:
                result = portal.call(call, client, args)
            except TimeoutError:
                problems.append(f"no answer within {CALL_LIMIT} s to {args!r:.300}")
                return
            text = text_of(result)
            if CRASH.search(text):
                problems.append(f"opaque failure on {args!r:.200}: {text[:300]}")
            wait = re.search(r"Retry in (\d+) s", text)
            if wait and int(wait.group(1)) > MAX_WAIT:
                problems.append(f"an absurd wait was believed: {text[:300]}")
            try:
                result.model_dump_json(by_alias=True).encode("utf-8")
            except (UnicodeEncodeError, ValueError) as exc:
                problems.append(f"the answer cannot be sent ({exc!r:.100}) for {args!r:.200}")

        hostile()
    return problems


@pytest.fixture
def portal() -> Iterator[BlockingPortal]:
    with start_blocking_portal("asyncio") as running:
        yield running


@pytest.fixture
def fuzz_sandbox(sandbox: Any) -> Any:
    sandbox.config.rate_limits = False
    sandbox.config.job_delay = 0.0
    return sandbox

"""Fuzzing every tool the server lists: arguments drawn from its input schema (with bad ids, odd unicode and
huge strings mixed in) must get an answer, never a crash or a hang, and a refusal names the field and sends
nothing; arguments broken in one field (against the full rules the server enforces, published or not) must
get an error naming that field, with nothing sent upstream. Tools are read from tools/list, so a new tool
is fuzzed without touching this file.

Sized for CI (a few examples per tool, derandomized); OUTBOUND_FUZZ_EXAMPLES=200 digs deeper, at random.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, example, given, settings
from mcp import Client

from mcp_server.examples import example_of
from mcp_server.outcomes import OUTCOMES
from mcp_server.providers import ALL_PROVIDERS
from mcp_server.server import create_server
from mcp_server.settings import load_settings
from tests.reliability.figures import count
from tests.reliability.schemas import broken, objects
from tests.reliability.writes import text_of
from tests.strict_helpers import FAKE, declared_tools

DEEP = int(os.environ.get("OUTBOUND_FUZZ_EXAMPLES", "0"))
VALID_EXAMPLES = DEEP or 6
BROKEN_EXAMPLES = DEEP or 10
CALL_LIMIT = 15.0
CRASH = re.compile(r"^Error executing tool \S+$|Traceback|unexpected exception", re.M)
FUZZ = settings(
    max_examples=VALID_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=not DEEP,
    # HealthCheck's metaclass iterates untyped: the filter only tells the checker what it yields.
    suppress_health_check=[check for check in HealthCheck if isinstance(check, HealthCheck)],
)


def listed_tools() -> list[dict[str, Any]]:
    """What tools/list answers on a server with every provider configured (no request is made)."""

    async def listing() -> list[dict[str, Any]]:
        async with Client(create_server(load_settings(**FAKE))) as client:
            return [tool.model_dump(by_alias=True) for tool in (await client.list_tools()).tools]

    return anyio.run(listing)


TOOLS = listed_tools()
DECLARED = [*(t for p in ALL_PROVIDERS for t in p.toolset.tools), *OUTCOMES.tools]
RULES = {t.name: t.build().fn_metadata.arg_model.model_json_schema() for t in DECLARED}
"""The full argument rules each tool validates against (the published schema leaves some out)."""
REFUSED = "arguments refused"
FENCED = "carries the <untrusted-content> fence"
LIBRARY_TEXT = re.compile(r"pydantic|errors\.pydantic\.dev|Arguments\b")


@pytest.fixture
def portal() -> Iterator[BlockingPortal]:
    with start_blocking_portal("asyncio") as running:
        yield running


@pytest.fixture
def fuzz_sandbox(sandbox: Any) -> Any:
    sandbox.config.rate_limits = False
    sandbox.config.job_delay = 0.0
    return sandbox


def test_every_provider_s_tools_are_listed_and_fuzzed() -> None:
    prefixes = {tool["name"].split("_", 1)[0] for tool in TOOLS}
    assert prefixes == {"persistiq", "snov", "epixel", "outreach"}
    names = [tool["name"] for tool in TOOLS]
    assert len(names) == len(set(names)) and set(names) == declared_tools()


@pytest.mark.parametrize("tool", TOOLS, ids=[tool["name"] for tool in TOOLS])
def test_a_tool_answers_any_input_its_schema_allows_and_refuses_a_broken_field_by_name_sending_nothing(
    tool: dict[str, Any], fuzz_sandbox: Any, connect: Any, portal: BlockingPortal
) -> None:
    name: str = tool["name"]
    schema: dict[str, Any] = tool["inputSchema"]
    tuning = {"poll_wait": 0.3, "poll_interval": 0.01, "rate_window": 1.0, "http_timeout": 5.0}
    problems: list[str] = []

    async def call(client: Any, args: dict[str, Any]) -> Any:
        with anyio.fail_after(CALL_LIMIT):
            return await client.call_tool(name, args)

    with portal.wrap_async_context_manager(connect([name], **tuning)) as client:

        @FUZZ
        @given(args=objects(schema, schema.get("$defs", {})))
        @example(args=example_of(name))  # the tool's declared example is always among the calls tried
        def allowed(args: dict[str, Any]) -> None:
            count("fuzzed")
            before = len(fuzz_sandbox.env.requests)
            try:
                result = portal.call(call, client, args)
            except TimeoutError:
                problems.append(f"no answer within {CALL_LIMIT} s to {args!r:.300}")
                return
            text = text_of(result)
            if result.is_error and CRASH.search(text):
                problems.append(f"crashed on {args!r:.300}: {text[:300]}")
            if result.is_error and LIBRARY_TEXT.search(text):
                problems.append(f"library text in the error for {args!r:.200}: {text[:300]}")
            # The published schema shows every rule but one: a write's text may carry no fence (core.fences),
            # which look-alikes make no JSON Schema pattern can state; it is refused naming the field.
            if result.is_error and REFUSED in text and FENCED not in text:
                problems.append(f"schema-valid arguments {args!r:.300} refused: {text[:300]}")
                if len(fuzz_sandbox.env.requests) != before:
                    problems.append(f"refused {args!r:.200} but sent a request upstream")

        @settings(FUZZ, max_examples=BROKEN_EXAMPLES)
        @given(case=broken(RULES.get(name, schema)))
        def refused(case: tuple[dict[str, Any], str, str]) -> None:
            args, field, how = case
            count("fuzzed")
            count("fuzzed_invalid")
            before = len(fuzz_sandbox.env.requests)
            result = portal.call(call, client, args)
            sent = len(fuzz_sandbox.env.requests) - before
            text = text_of(result)
            if LIBRARY_TEXT.search(text):
                problems.append(f"{field}={how}: library text in the error: {text[:300]}")
            if not result.is_error:
                problems.append(f"{field}={how} was accepted: {text[:200]}")
            elif not re.search(rf"\b{re.escape(field)}\b", text):
                problems.append(f"{field}={how}: the error does not name the field: {text[:300]}")
            if sent:
                problems.append(f"{field}={how}: {sent} request(s) went upstream for invalid input")

        allowed()
        if schema.get("properties"):
            refused()
    assert not problems, "\n".join(dict.fromkeys(problems))

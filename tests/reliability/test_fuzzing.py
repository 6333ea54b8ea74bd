"""Fuzzing every tool the server lists: arguments drawn from its input schema (with bad ids, odd unicode and
huge strings mixed in) must get an answer, never a crash or a hang, and a refusal names the field and sends
nothing; arguments broken in one field (against the full rules the server enforces, published or not) must
get an error naming that field, with nothing sent upstream. Tools are read from tools/list, so a new tool
is fuzzed without touching this file. Broken fields are tried on every tool through its own argument check
(tests.argument_check), and through a server for one tool of each provider.

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

from mcp_server.app.listings import built
from mcp_server.app.registry import ALL_PROVIDERS
from mcp_server.examples import example_of
from mcp_server.outcomes import OUTCOMES
from mcp_server.server import create_server
from mcp_server.settings import load_settings
from tests.argument_check import check
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
RULES = {t.name: built(t).fn_metadata.arg_model.model_json_schema() for t in DECLARED}
"""The full argument rules each tool validates against (the published schema leaves some out)."""
REFUSED = "arguments refused"
PROVIDERS = ["persistiq", "snov", "epixel", "outreach"]
TUNING = {"poll_wait": 0.3, "poll_interval": 0.01, "rate_window": 1.0, "http_timeout": 5.0}
THROUGH_SERVER = [
    "persistiq_create_leads",
    "snov_add_prospect_to_list",
    "epixel_create_appointment",
    "outreach_log_meeting",
]
"""One tool of each provider whose broken fields are also tried through a server: writes with many rules."""
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
    assert prefixes == set(PROVIDERS)
    names = [tool["name"] for tool in TOOLS]
    assert len(names) == len(set(names)) and set(names) == declared_tools()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_tool_of_a_provider_answers_any_input_its_schema_allows_and_a_refusal_sends_nothing(
    provider: str, fuzz_sandbox: Any, connect: Any, portal: BlockingPortal
) -> None:
    tools = [tool for tool in TOOLS if tool["name"].startswith(f"{provider}_")]
    problems: list[str] = []
    for tool in tools:
        fuzz_sandbox.reset()  # each tool on freshly seeded data, as a test of its own would be
        problems += [f"{tool['name']}: {p}" for p in allowed_input_problems(tool, fuzz_sandbox, connect, portal)]
    assert tools and not problems, "\n".join(dict.fromkeys(problems))


def allowed_input_problems(tool: dict[str, Any], fuzz_sandbox: Any, connect: Any, portal: BlockingPortal) -> list[str]:
    """Arguments the tool's schema allows, drawn by hypothesis (its declared example among them), called on a
    server serving only this tool: what went wrong (a crash, a hang, library words, a refusal that sent)."""
    name: str = tool["name"]
    schema: dict[str, Any] = tool["inputSchema"]
    problems: list[str] = []

    async def call(client: Any, args: dict[str, Any]) -> Any:
        with anyio.fail_after(CALL_LIMIT):
            return await client.call_tool(name, args)

    with portal.wrap_async_context_manager(connect([name], **TUNING)) as client:

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

        allowed()
    return problems


def broken_field_problems(field: str, how: str, text: str | None) -> list[str]:
    """What is wrong with the answer to arguments broken in ``field``: accepted, not naming it, library words."""
    if text is None:
        return [f"{field}={how} was accepted"]
    problems = [f"{field}={how}: library text in the error: {text[:300]}"] if LIBRARY_TEXT.search(text) else []
    if not re.search(rf"\b{re.escape(field)}\b", text):
        problems.append(f"{field}={how}: the error does not name the field: {text[:300]}")
    return problems


def broken_fields_checked(name: str) -> list[str]:
    """Arguments broken in one field, tried on the tool's own argument check: what was wrong with the answers."""
    problems: list[str] = []

    @settings(FUZZ, max_examples=BROKEN_EXAMPLES)
    @given(case=broken(RULES[name]))
    def refused(case: tuple[dict[str, Any], str, str]) -> None:
        args, field, how = case
        count("fuzzed")
        count("fuzzed_invalid")
        refusal, _ = anyio.run(check, name, args)
        problems.extend(f"{name}: {problem}" for problem in broken_field_problems(field, how, refusal))

    refused()
    return problems


def test_every_tool_refuses_a_field_broken_against_its_full_rules_naming_it() -> None:
    problems = [
        p for tool in TOOLS if tool["inputSchema"].get("properties") for p in broken_fields_checked(tool["name"])
    ]
    assert not problems, "\n".join(dict.fromkeys(problems))


def test_a_broken_field_s_refusal_is_told_apart_from_an_acceptance_and_a_vague_one() -> None:
    assert broken_field_problems("limit", "0", None) == ["limit=0 was accepted"]
    assert broken_field_problems("limit", "0", "limit: must be at least 1.") == []
    vague = broken_field_problems("limit", "0", "1 validation error for Arguments")
    assert [line.split(":")[1] for line in vague] == [
        " library text in the error",
        " the error does not name the field",
    ]


@pytest.mark.parametrize("name", THROUGH_SERVER)
def test_a_field_broken_against_the_full_rules_is_refused_naming_it_with_nothing_sent_upstream(
    name: str, fuzz_sandbox: Any, connect: Any, portal: BlockingPortal
) -> None:
    problems: list[str] = []
    with portal.wrap_async_context_manager(connect([name], **TUNING)) as client:

        @settings(FUZZ, max_examples=BROKEN_EXAMPLES)
        @given(case=broken(RULES[name]))
        def refused(case: tuple[dict[str, Any], str, str]) -> None:
            args, field, how = case
            count("fuzzed")
            count("fuzzed_invalid")
            before = len(fuzz_sandbox.env.requests)
            result = portal.call(client.call_tool, name, args)
            sent = len(fuzz_sandbox.env.requests) - before
            problems.extend(broken_field_problems(field, how, text_of(result) if result.is_error else None))
            if sent:
                problems.append(f"{field}={how}: {sent} request(s) went upstream for invalid input")

        refused()
    assert not problems, "\n".join(dict.fromkeys(problems))

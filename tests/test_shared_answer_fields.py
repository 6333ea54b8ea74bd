"""The fields many answers carry (a hint, a handle, what a paid call spent or would) are said once, in the
server's instructions, instead of in every tool's output schema; the schemas stay open at the top, so an answer
carrying them still validates (the SDK's client checks every structured answer against its tool's schema)."""

from __future__ import annotations

import pytest
from mcp import Client

from mcp_server.catalogue import all_tools
from mcp_server.core.tools.answer_models import SHARED, Record
from tests.providers.typed import text_of

pytestmark = pytest.mark.anyio


def records(cls: type[Record]) -> list[type[Record]]:
    return [cls, *(sub for child in cls.__subclasses__() for sub in records(child))]


def shared_names() -> set[str]:
    all_tools()  # every tool's answer model defined
    return {name for cls in records(Record) for name, info in cls.model_fields.items() if SHARED in info.metadata}


async def test_every_field_the_output_schemas_leave_out_is_explained_in_the_instructions(mcp: Client):
    shared = shared_names()
    assert {"hint", "handle", "credits_spent", "credits_left", "dry_run", "credits_at_most", "cost"} <= shared
    told = mcp.instructions or ""
    assert [name for name in sorted(shared | {"replay"}) if name not in told] == []
    for tool in (await mcp.list_tools()).tools:
        assert tool.output_schema is not None and "additionalProperties" not in tool.output_schema, tool.name
        assert not {"hint", "handle", "replay", "confirmation_required"} & set(tool.output_schema["properties"])


async def test_a_dry_run_answer_carrying_the_shared_fields_validates_against_its_lean_output_schema(mcp: Client):
    result = await mcp.call_tool("snov_domain_search", {"domain": "octagon.com", "dry_run": True})
    assert not result.is_error, text_of(result)
    answer: dict[str, object] = dict(result.structured_content or {})
    assert answer.get("dry_run") is True and "credits_at_most" in answer, answer
    schema = next(t for t in (await mcp.list_tools()).tools if t.name == "snov_domain_search").output_schema
    assert schema is not None and "credits_at_most" not in schema["properties"]

"""Output schemas made from pydantic's (``tooling.trim_schema``): a field's own words survive the trimming."""

from __future__ import annotations

from mcp_server.core.tools.registry import trim_schema


def test_an_optional_field_keeps_its_own_description_over_its_type_s():
    schema = {"anyOf": [{"type": "string", "description": "the type's"}, {"type": "null"}], "description": "its own"}
    assert trim_schema(schema, keep_descriptions=True) == {"type": "string", "description": "its own"}

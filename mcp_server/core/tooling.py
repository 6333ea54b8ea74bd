"""One declaration per tool: its function (typed inputs, pydantic output, docstring) and its access kind.

Registration, annotations, error mapping and output shaping all come from here.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar

from mcp.server.mcpserver.tools.base import Tool
from mcp.types import ToolAnnotations
from pydantic import BaseModel

from mcp_server.core.errors import OutboundError, to_tool_error
from mcp_server.core.output import to_result


class Access(Enum):
    """The catalogue's R / W / W (idempotent) / D."""

    READ = "read"
    WRITE = "write"
    IDEMPOTENT_WRITE = "idempotent_write"
    DESTRUCTIVE = "destructive"

    def annotations(self) -> ToolAnnotations:
        # No title here: the tool's own title says it, and every byte of tools/list is paid per session.
        return ToolAnnotations(
            read_only_hint=self is Access.READ,
            destructive_hint=self is Access.DESTRUCTIVE,
            idempotent_hint=self in (Access.READ, Access.IDEMPOTENT_WRITE, Access.DESTRUCTIVE),
            open_world_hint=True,
        )


F = TypeVar("F", bound=Callable[..., Awaitable[BaseModel]])


@dataclass
class ToolDef:
    fn: Callable[..., Awaitable[BaseModel]]
    name: str
    title: str
    access: Access
    provider: str

    def build(self) -> Tool:
        """The SDK's tool, with failures mapped to tool errors and schemas trimmed of noise."""
        fn = self.fn

        @functools.wraps(fn)
        async def run(*args: Any, **kwargs: Any) -> Any:
            try:
                result = await fn(*args, **kwargs)
            except OutboundError as error:
                raise to_tool_error(error) from None
            return to_result(result)

        tool = Tool.from_function(
            run,
            name=self.name,
            title=self.title,
            description=inspect.cleandoc(fn.__doc__ or ""),
            annotations=self.access.annotations(),
        )
        tool.parameters = trim_schema(tool.parameters, keep_descriptions=True)
        if tool.fn_metadata.output_schema is not None:
            tool.fn_metadata.output_schema = shallow(
                trim_schema(tool.fn_metadata.output_schema, keep_descriptions=False)
            )
        return tool


@dataclass
class Toolset:
    """The tools of one provider, declared with ``@toolset.tool(...)``."""

    provider: str
    tools: list[ToolDef] = field(default_factory=list)

    def tool(self, title: str, access: Access) -> Callable[[F], F]:
        def register(fn: F) -> F:
            if not fn.__doc__:
                raise ValueError(f"tool {fn.__name__} needs a docstring: it is the model's description")
            self.tools.append(ToolDef(fn, fn.__name__, title, access, self.provider))
            return fn

        return register


NULL = {"type": "null"}


def trim_schema(schema: Any, *, keep_descriptions: bool) -> Any:
    """Drop what every client pays for and no model needs: auto-generated titles, ``anyOf [X, null]``
    with ``default: null`` (leaving a field out says the same) and, in output schemas, descriptions."""
    if isinstance(schema, dict):
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key == "title" and isinstance(value, str):
                continue
            if key == "description" and not keep_descriptions and isinstance(value, str):
                continue
            if key == "default" and value is None:
                continue
            if key in ("properties", "$defs", "patternProperties"):
                out[key] = {name: trim_schema(sub, keep_descriptions=keep_descriptions) for name, sub in value.items()}
            else:
                out[key] = trim_schema(value, keep_descriptions=keep_descriptions)
        branches = out.get("anyOf")
        if isinstance(branches, list) and NULL in branches and len(branches) == 2:
            del out["anyOf"]
            out.update(next(b for b in branches if b != NULL))
        return out
    if isinstance(schema, list):
        return [trim_schema(item, keep_descriptions=keep_descriptions) for item in schema]
    return schema


def shallow(schema: dict[str, Any]) -> dict[str, Any]:
    """An output schema to its top level: nested records become plain objects (arrays of them, plain
    arrays). The answer's JSON names its own fields; the schema tells the shape and the top-level types."""
    out = {key: value for key, value in schema.items() if key != "$defs"}
    out["properties"] = {name: _flat(prop) for name, prop in schema.get("properties", {}).items()}
    return out


def _flat(prop: dict[str, Any]) -> dict[str, Any]:
    prop = {key: value for key, value in prop.items() if key != "default"}
    items = prop.get("items")
    if "$ref" in prop or (prop.get("type") == "object" and "properties" in prop):
        return {"type": "object"}
    if prop.get("type") == "array" and isinstance(items, dict) and ("$ref" in items or "properties" in items):
        return {"type": "array"}
    return prop

"""Each provider lists its tool modules' toolsets explicitly (no registration by import side effect):
a module whose tools the provider does not list would serve nothing, so the test names it."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from pydantic import BaseModel

from mcp_server.app.registry import ALL_PROVIDERS
from mcp_server.core.tools.registry import Access, Toolset


def declared_toolsets() -> list[tuple[str, str, Toolset]]:
    found: list[tuple[str, str, Toolset]] = []
    for provider in ALL_PROVIDERS:
        package = importlib.import_module(f"mcp_server.providers.{provider.name}")
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            toolset = getattr(module, "toolset", None)
            if isinstance(toolset, Toolset) and toolset.tools:
                found.append((provider.name, info.name, toolset))
    return found


def test_every_tool_module_s_tools_are_listed_by_its_provider_once():
    listed = {provider.name: [tool.name for tool in provider.toolset.tools] for provider in ALL_PROVIDERS}
    modules = declared_toolsets()
    assert modules, "no tool module found"
    for provider, module, toolset in modules:
        missing = [tool.name for tool in toolset.tools if tool.name not in listed[provider]]
        assert not missing, f"{provider}/{module}.py declares {missing}, not listed in its __init__.py"
    for provider, names in listed.items():
        assert len(names) == len(set(names)), f"{provider} lists a tool twice"
        declared = [tool.name for p, _, toolset in modules if p == provider for tool in toolset.tools]
        assert sorted(names) == sorted(declared)


def test_a_provider_refuses_a_toolset_of_another_provider():
    stray = Toolset("snov")

    @stray.tool("Stray", Access.READ)
    async def snov_stray() -> BaseModel:
        """A tool in the wrong list."""
        raise AssertionError("never built nor called")

    with pytest.raises(ValueError, match="toolsets of snov listed under persistiq"):
        Toolset.joined("persistiq", stray)

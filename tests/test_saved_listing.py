"""A start serves tools/list from each tool's saved entry (``mcp_server.app.listings``) and builds a tool only
at its first call: a client sees the same tools and its calls are checked the same as on a server that builds
every tool at once; the saved entries are read only under the key of the code that wrote them."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from mcp_server.app import listings
from mcp_server.app.listings import cache_dir, code_key, saved_listing
from mcp_server.core.tools.registry import Access, ToolDef
from mcp_server.examples import declared
from mcp_server.server import create_server
from mcp_server.settings import Settings

pytestmark = pytest.mark.anyio


async def listed_tools(client: Client) -> list[dict[str, Any]]:
    return [
        tool.model_dump(mode="json", by_alias=True, exclude_unset=True) for tool in (await client.list_tools()).tools
    ]


def saved_file(folder: Path) -> Path:
    (path,) = folder.glob("tools-*.json")
    return path


async def test_a_server_on_saved_entries_lists_every_tool_exactly_as_a_server_that_builds_them(
    settings_for: Callable[..., Settings], tmp_path: Path
):
    settings = settings_for()
    saved_listing(tmp_path)  # the first start saves them; this one reads them
    async with (
        Client(create_server(settings)) as building,
        Client(create_server(settings, listing=saved_listing(tmp_path))) as listing,
    ):
        expected = await listed_tools(building)
        assert await listed_tools(listing) == expected
        assert len(expected) == len(declared())


async def test_a_listed_tool_checks_its_arguments_strictly_at_its_first_call_then_answers(
    settings_for: Callable[..., Settings], tmp_path: Path
):
    async with Client(create_server(settings_for(), listing=saved_listing(tmp_path))) as client:
        before = await listed_tools(client)
        refused = await client.call_tool("persistiq_list_users", {"page_size": 5})
        assert refused.is_error
        assert "arguments refused, nothing was sent" in refused.content[0].text  # type: ignore[union-attr]
        assert "page_size" in refused.content[0].text  # type: ignore[union-attr]
        answered = await client.call_tool("persistiq_list_users", {})
        assert not answered.is_error and answered.structured_content
        assert await listed_tools(client) == before  # the tool now built and registered lists as it did


def test_a_second_start_reads_the_saved_entries_without_building_a_tool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    first = saved_listing(tmp_path)

    def no_build(tool: ToolDef) -> Any:
        raise AssertionError(f"{tool.name} was built")

    monkeypatch.setattr(listings, "built", no_build)
    again = saved_listing(tmp_path)
    assert {name: shown for name, (_, shown) in again.entries.items()} == {
        name: shown for name, (_, shown) in first.entries.items()
    }


def cut_short(text: str) -> str:
    return text[: len(text) // 2]


def under_another_key(text: str) -> str:
    return text.replace('"key": "', '"key": "other', 1)


def not_the_saved_shape(text: str) -> str:
    return "[]"


@pytest.mark.parametrize("damage", [cut_short, under_another_key, not_the_saved_shape])
def test_a_damaged_or_foreign_saved_file_is_not_served_but_built_and_saved_again(
    tmp_path: Path, damage: Callable[[str], str]
):
    expected = saved_listing(tmp_path)
    path = saved_file(tmp_path)
    good = path.read_text()
    path.write_text(damage(good))
    again = saved_listing(tmp_path)
    assert {n: s for n, (_, s) in again.entries.items()} == {n: s for n, (_, s) in expected.entries.items()}
    assert json.loads(saved_file(tmp_path).read_text()) == json.loads(good)


def test_any_change_to_a_source_of_the_package_or_a_new_source_changes_the_key(tmp_path: Path):
    package = tmp_path / "package"
    (package / "tools").mkdir(parents=True)
    source = package / "tools" / "one.py"
    source.write_text('"""Lists leads."""\n')
    first = code_key(package)
    assert code_key(package) == first
    source.write_text('"""Lists leads!"""\n')
    edited = code_key(package)
    (package / "two.py").write_text("")
    assert len({first, edited, code_key(package)}) == 3


def test_a_tool_declared_elsewhere_under_a_package_tools_name_is_never_served_from_its_entry(tmp_path: Path):
    listing = saved_listing(tmp_path)
    (_, shown), real = (
        listing.entries["persistiq_list_users"],
        next(t for t in declared() if t.name == "persistiq_list_users"),
    )
    stand_in = ToolDef(real.fn, real.name, "Another tool", Access.READ, "persistiq")
    assert listing.of(real) is shown
    assert listing.of(stand_in) is None


def test_the_entries_are_saved_in_the_users_cache_folder_and_never_under_a_relative_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert cache_dir() == tmp_path / "cache" / "outbound-mcp"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "outbound-mcp"
    monkeypatch.setenv("HOME", "not-a-home")
    assert cache_dir() is None
    assert len(saved_listing().entries) == len(declared())  # built, and saved nowhere
    assert not (Path.cwd() / "not-a-home").exists()


@pytest.mark.e2e
async def test_the_command_saves_the_entries_at_its_first_start_and_lists_the_same_tools_from_them_next(
    tmp_path: Path,
):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSISTIQ_", "SNOV_", "EPIXEL_", "OUTBOUND_"))}
    env.update(PERSISTIQ_API_KEY="persistiq-key-1", XDG_CACHE_HOME=str(tmp_path))
    params = StdioServerParameters(command=sys.executable, args=["-m", "mcp_server"], env=env)
    async with Client(params) as first:
        cold = await listed_tools(first)
    saved = saved_file(tmp_path / "outbound-mcp")
    written = saved.stat().st_mtime_ns
    async with Client(params) as second:
        warm = await listed_tools(second)
        answered = await second.call_tool("persistiq_list_users", {"page_size": 5})
    assert warm == cold and {tool["name"] for tool in warm} >= {"persistiq_list_users", "persistiq_list_leads"}
    assert saved.stat().st_mtime_ns == written  # read, not written again
    assert answered.is_error and "arguments refused" in answered.content[0].text  # type: ignore[union-attr]

"""README.md and docs/ quote no figure by hand: each is made from the code (inline markers, the tool list) or
written by a run into a sealed block, and these tests fail when one differs from what produced it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mcp_server.catalogue import CHECKOUT, all_tools, document_figures, documents, refresh_documents
from mcp_server.cli import main
from mcp_server.figures import UnknownFigure, blocks, fill_inline, read_seal, seal

DOCS = documents()


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_every_inline_figure_is_the_one_the_code_gives(path: Path):
    text = path.read_text()
    assert fill_inline(text, document_figures()) == text, "run: python -m mcp_server.catalogue"


def test_the_readme_states_the_tool_count_from_the_registry():
    readme = (CHECKOUT / "README.md").read_text()
    assert f"<!-- figure:tools -->{len(all_tools())}<!-- /figure --> typed tools" in readme


def test_a_figure_no_command_makes_is_refused_by_name():
    with pytest.raises(UnknownFigure, match="figure:tests"):
        fill_inline("<!-- figure:tests -->1,618<!-- /figure --> tests", document_figures())


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_every_block_a_run_wrote_is_intact_and_measured_on_todays_catalogue(path: Path):
    tools = len(all_tools())
    for name, block in blocks(path.read_text()).items():
        if name == "tools" or name.startswith("confirm-"):
            continue  # made from the code and checked by test_catalogue / test_confirmations_readme
        sealed = read_seal(block)
        assert sealed.intact, f"{path.name} {name}: edited by hand; run: python -m benchmarks.run --write-docs"
        counts = {int(n) for n in re.findall(r"\((\d+) tools", block)}
        assert counts <= {tools}, f"{path.name} {name}: measured on {counts} tools, not {tools}; run it again"
        assert sealed.tools == tools or not counts


def test_a_hand_edited_block_is_told_apart_from_the_written_one():
    written = seal("| figure | measured |\n| start-up | 1908 ms |", tools=57)
    assert read_seal(written).intact
    assert not read_seal(written.replace("1908", "908")).intact
    assert not read_seal("| start-up | 1908 ms |").intact


def test_refreshing_the_documents_changes_nothing_when_they_are_current(tmp_path: Path):
    (tmp_path / "docs").mkdir()
    for path in DOCS:
        (tmp_path / path.relative_to(CHECKOUT)).write_text(path.read_text())
    assert refresh_documents(tmp_path) == []
    stale = tmp_path / "README.md"
    stale.write_text(stale.read_text().replace(f"figure:tools -->{len(all_tools())}<", "figure:tools -->56<"))
    assert refresh_documents(tmp_path) == [stale]


def test_schemas_check_finds_the_checkouts_schemas_from_another_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.chdir(tmp_path)
    assert main(["schemas", "--check"]) == 0, capsys.readouterr().err
    assert main(["schemas", "--check", "--dir", str(tmp_path / "nowhere")]) == 1
    assert "no tool_schemas/ folder at" in capsys.readouterr().err


TOKEN_FIGURE = re.compile(r"\b\d[\d,.]*\s+(?:o200k\s+|cl100k\s+)?tokens?\b", re.I)
"""A number of tokens in prose ("20,000 tokens", "150 o200k tokens")."""


def hand_written(text: str) -> str:
    """``text`` without what a command made: inline figures, blocks a run wrote, and code (a command's output
    quoted as an example)."""
    text = re.sub(r"<!-- ([a-z0-9-]+):start -->.*?<!-- \1:end -->", "", text, flags=re.S)
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return re.sub(r"`[^`]*`", "", INLINE_FIGURE.sub("", text))


INLINE_FIGURE = re.compile(r"<!-- figure:[a-z0-9-]+ -->.*?<!-- /figure -->\s*(?:o200k\s+)?tokens?")


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_no_document_states_a_token_figure_the_counter_did_not_produce(path: Path):
    stated = TOKEN_FIGURE.findall(hand_written(path.read_text()))
    assert stated == [], f"{path.name}: {stated}; quote it as an inline figure (mcp_server.catalogue)"

"""`history --format mermaid|dot` and `check --format mermaid|dot`, read back by the real renderers:
Mermaid's own parser (node, jsdom) and Graphviz's `dot -Tsvg`. Labels must come back exactly as written,
hostile characters included."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ahq_history.report.pictures import Picture, dot, mermaid
from tests.support.clirun import run_main
from tests.support.gitcli import git
from tests.support.gitstory import Story
from tests.support.hostile import raw_controls
from tests.support.pictures import dot_texts, mermaid_parse, node_modules
from tests.support.projects import add_revision, alembic_project, forked_revisions, linear_revisions

Capture = pytest.CaptureFixture[str]
# Alembic refuses `-` in an id but takes these; the message carries the rest of the hostile marks.
HOSTILE_ID = 'q"]>%%z'
HOSTILE_MESSAGE = 'say "hi"] --> %% done; <b>x</b> #34; `code`'


@pytest.fixture(scope="session")
def modules() -> Path:
    return node_modules()


@pytest.fixture
def sides(tmp_path: Path) -> Path:
    return forked_revisions(linear_revisions(alembic_project(tmp_path / "proj")))


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    root = linear_revisions(alembic_project(tmp_path / "proj"))
    add_revision(root, HOSTILE_MESSAGE, HOSTILE_ID)
    return root


def picture(capsys: Capture, root: Path, command: str, form: str) -> tuple[int, str]:
    code, out, _err = run_main(capsys, "-c", str(root / "alembic.ini"), command, "--format", form)
    return code, out


FORKED_LABELS = ["aaaa00000001\ncreate users", "aaaa00000002\nadd users phone", "bbbb00000001\nadd audit log",
                 "cccc00000001\nadd workflows", "cccc00000002\nadd workflow runs"]


def test_history_mermaid_is_parsed_by_mermaid_with_every_revision_and_edge(
        sides: Path, capsys: Capture, modules: Path) -> None:
    code, text = picture(capsys, sides, "history", "mermaid")
    parsed = mermaid_parse(modules, text)
    assert (code, parsed["ok"], parsed["diagramType"]) == (0, True, "flowchart-v2")
    assert sorted(parsed["labels"]) == FORKED_LABELS
    assert sorted(parsed["edges"]) == [["r0", "r1"], ["r1", "r2"], ["r1", "r3"], ["r3", "r4"]]


def test_history_dot_renders_with_graphviz(sides: Path, capsys: Capture) -> None:
    code, text = picture(capsys, sides, "history", "dot")
    shown = dot_texts(text)
    assert code == 0
    assert sorted(shown) == sorted(line for label in FORKED_LABELS for line in label.split("\n"))


def test_hostile_id_and_message_come_back_as_written_from_mermaid(
        hostile: Path, capsys: Capture, modules: Path) -> None:
    _code, text = picture(capsys, hostile, "history", "mermaid")
    parsed = mermaid_parse(modules, text)
    assert parsed["ok"], parsed
    assert f"{HOSTILE_ID}\n{HOSTILE_MESSAGE}" in parsed["labels"]
    assert len(parsed["labels"]) == 3 and len(parsed["edges"]) == 2  # no node or edge smuggled in


def test_hostile_id_and_message_come_back_as_written_from_graphviz(hostile: Path, capsys: Capture) -> None:
    _code, text = picture(capsys, hostile, "history", "dot")
    shown = dot_texts(text)
    assert HOSTILE_ID in shown and HOSTILE_MESSAGE in shown
    assert len(shown) == 6


def test_a_newline_in_a_label_is_a_line_break_in_both_formats(modules: Path) -> None:
    drawn = Picture()
    drawn.node("x", "first\n%% not a comment\nend --> r9 \\N \\ back", "head")
    drawn.groups.append(("side x\nby A] --> B", ["x"]))
    parsed = mermaid_parse(modules, mermaid(drawn))
    assert (parsed["labels"], parsed["titles"], parsed["edges"]) == (
        ["first\n%% not a comment\nend --> r9 \\N \\ back"], ["side x\nby A] --> B"], [])
    assert dot_texts(dot(drawn)) == [
        "side x", "by A] --> B", "first", "%% not a comment", "end --> r9 \\N \\ back"]


def test_an_empty_history_is_an_empty_picture(tmp_path: Path, capsys: Capture, modules: Path) -> None:
    root = alembic_project(tmp_path / "proj")
    _code, text = picture(capsys, root, "history", "mermaid")
    assert mermaid_parse(modules, text)["labels"] == []
    assert dot_texts(picture(capsys, root, "history", "dot")[1]) == []


def test_check_mermaid_draws_each_side_with_its_author_and_publication(
        forked: Story, capsys: Capture, modules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git(forked.bob, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")  # both sides in Bob's clone
    monkeypatch.chdir(forked.bob)
    code, out, _err = run_main(capsys, "check", "--format", "mermaid")
    parsed = mermaid_parse(modules, out)
    assert code == 1
    assert parsed["titles"] == ["side a11ce0000001, by Alice, published", "side b0b000000001, by Bob, local"]
    assert sorted(parsed["labels"]) == ["a11ce0000001\nadd audit log\nby Alice", "aaaa00000001\nfork",
                                        "b0b000000001\nadd workflows\nby Bob"]
    assert sorted(parsed["edges"]) == [["r0", "r1"], ["r0", "r2"]]
    code, out, _err = run_main(capsys, "check", "--format", "dot")
    assert code == 1
    lines = [line for label in parsed["labels"] for line in label.split("\n")]
    assert sorted(dot_texts(out)) == sorted([*parsed["titles"], *lines])


def test_a_picture_and_json_together_is_a_usage_error(sides: Path, capsys: Capture) -> None:
    code, out, _err = run_main(capsys, "-c", str(sides / "alembic.ini"), "history", "--format", "dot",
                               "--json")
    assert code == 2
    assert '"message": "--format dot and --json are two outputs: choose one"' in out


def test_node_cache_is_outside_git(modules: Path) -> None:
    if os.environ.get("AHQ_NODE_CACHE"):
        pytest.skip("the cache was moved by AHQ_NODE_CACHE")
    top = Path(__file__).resolve().parents[2]
    ignored = git(top, "check-ignore", str(modules))
    assert ignored.strip() == str(modules)


@pytest.mark.parametrize("form", ["mermaid", "dot"])
def test_c1_controls_and_bidi_overrides_in_a_message_reach_no_picture_raw(tmp_path: Path, capsys: Capture,
                                                                         form: str) -> None:
    root = linear_revisions(alembic_project(tmp_path / "proj"))
    add_revision(root, "b\u009b2J\u202eevil\x1b]0;title\x07", "evil00000001")
    for command in ("history", "check"):
        _code, out = picture(capsys, root, command, form)
        assert raw_controls(out) == [], (command, out)
    assert "evil00000001" in picture(capsys, root, "history", form)[1]

"""`ahq-history history` and `show` on real projects made by `alembic init` and `alembic revision`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ahq_history.report.detail import function_source
from tests.support import hookgit
from tests.support.clirun import run_main
from tests.support.gitcli import commit_all, git
from tests.support.projects import add_revision, alembic_project, forked_revisions, linear_revisions

Capture = pytest.CaptureFixture[str]


def cli(root: Path, capsys: Capture, *args: str) -> tuple[int, str, str]:
    return run_main(capsys, "-c", str(root / "alembic.ini"), *args)


def cli_json(root: Path, capsys: Capture, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code, out, _err = cli(root, capsys, *args, "--json")
    return code, json.loads(out)


ME = " · Test User · 2026-01-01"  # the isolated git identity and date (tests/conftest.py)


@pytest.fixture
def linear(tmp_path: Path) -> Path:
    """A git repository (no remote) holding an `alembic init` project with two committed revisions."""
    root = alembic_project(tmp_path / "proj")
    git(root, "init", "-q")
    linear_revisions(root)
    commit_all(root, "two revisions")
    return root


@pytest.fixture
def forked(linear: Path) -> Path:
    forked_revisions(linear)
    commit_all(linear, "two sides")
    return linear


@pytest.fixture
def merged(forked: Path) -> Path:
    from alembic import command

    from tests.support.projects import alembic_config

    command.merge(alembic_config(forked), ["bbbb00000001", "cccc00000002"], message="merge audit and runs",
                  rev_id="dddd00000001")
    commit_all(forked, "merge")
    return forked


@pytest.fixture
def bob_after_pull(tmp_path: Path) -> Path:
    """The two-developer story: Alice pushes a revision, Bob commits his own on the same parent, pulls."""
    return hookgit.bob_after_pull(tmp_path)


def test_history_draws_a_linear_history_newest_first(linear: Path, capsys: Capture) -> None:
    code, out, err = cli(linear, capsys, "history")
    assert code == 0
    assert out.splitlines() == [
        f"● aaaa00000002 (head) add users phone{ME}",
        f"● aaaa00000001 create users{ME}",
    ]
    assert err == "note: no remote-tracking branch: whether a revision is published is unknown\n"


def test_history_draws_both_sides_of_a_divergence_with_marks(forked: Path, capsys: Capture) -> None:
    code, out, _err = cli(forked, capsys, "history", "--no-git")
    assert code == 0
    assert out.splitlines() == [
        "●   cccc00000002 (head) add workflow runs",
        "●   cccc00000001 add workflows",
        "│ ● bbbb00000001 (head) add audit log",
        "●─╯ aaaa00000002 (branchpoint) add users phone",
        "●   aaaa00000001 create users",
    ]


def test_history_draws_the_merge_that_joins_the_sides(merged: Path, capsys: Capture) -> None:
    code, out, _err = cli(merged, capsys, "history", "-n", "4", "--no-git")
    assert code == 0
    assert out.splitlines() == [
        "●─╮ dddd00000001 (head, merge) merge audit and runs",
        "│ ● cccc00000002 add workflow runs",
        "│ ● cccc00000001 add workflows",
        "● │ bbbb00000001 add audit log",
    ]


def test_history_json_lists_revisions_in_display_order(forked: Path, capsys: Capture) -> None:
    code, report = cli_json(forked, capsys, "history")
    assert code == 0
    assert [r["id"] for r in report["revisions"]] == [
        "cccc00000002", "cccc00000001", "bbbb00000001", "aaaa00000002", "aaaa00000001"]
    first = report["revisions"][2]
    assert {k: first[k] for k in ("id", "parents", "marks", "column", "graph", "message", "path")} == {
        "id": "bbbb00000001", "parents": ["aaaa00000002"], "marks": ["head"], "column": 1, "graph": "│ ●",
        "message": "add audit log", "path": "migrations/versions/bbbb00000001_add_audit_log.py",
    }
    assert report["heads"] == ["bbbb00000001", "cccc00000002"]
    assert (report["diverged"], report["problems"], report["exit_code"]) == (True, [], 0)


def test_history_of_a_broken_graph_draws_what_it_can_and_exits_3(linear: Path, capsys: Capture) -> None:
    path = add_revision(linear, "orphan", "eeee00000001")
    path.write_text(path.read_text().replace("'aaaa00000002'", "'ffff99999999'"))
    code, out, err = cli(linear, capsys, "history")
    assert code == 3
    assert out.splitlines() == [
        "●   eeee00000001 (head, missing-parent) orphan · uncommitted",
        f"  ● aaaa00000002 (head) add users phone{ME}",
        f"  ● aaaa00000001 create users{ME}",
    ]
    assert err.splitlines()[0] == ("error: migrations/versions/eeee00000001_orphan.py:"
                           f"{_line_of(path, 'down_revision')}: revision eeee00000001 names down_revision "
                           "ffff99999999, which no file defines")


def _line_of(path: Path, start: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(start))


def test_history_ascii_draws_without_box_characters(forked: Path, capsys: Capture) -> None:
    code, out, _err = cli(forked, capsys, "history", "--ascii", "--no-git")
    assert code == 0
    assert [line[:3] for line in out.splitlines()] == ["*  ", "*  ", "| *", "*-/", "*  "]


# -- show ---------------------------------------------------------------------------------------


def test_show_finds_a_revision_by_a_four_character_prefix(forked: Path, capsys: Capture) -> None:
    code, out, _err = cli(forked, capsys, "show", "bbbb")
    assert code == 0
    lines = out.splitlines()
    assert lines[:3] == ["revision bbbb00000001 (head)", "    add audit log", ""]
    assert "  file       migrations/versions/bbbb00000001_add_audit_log.py:15" in lines
    assert "  parents    aaaa00000002  add users phone" in lines
    assert "  children   (none: a head)" in lines
    created = next(line for line in lines if line.startswith("  created"))
    assert re.fullmatch(r"  created    \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+", created)


def test_show_lists_children_of_a_branch_point(forked: Path, capsys: Capture) -> None:
    code, out, _err = cli(forked, capsys, "show", "aaaa00000002")
    assert code == 0
    assert "revision aaaa00000002 (branchpoint)" in out
    assert "  children   bbbb00000001  add audit log\n             cccc00000001  add workflows" in out


def test_show_reads_operations_from_upgrade_and_downgrade(linear: Path, capsys: Capture) -> None:
    path = linear / "migrations/versions/aaaa00000002_add_users_phone.py"
    text = path.read_text()
    text = text.replace('"""Upgrade schema."""\n    pass',
                        "op.add_column('users', sa.Column('phone', sa.String()))")
    text = text.replace('"""Downgrade schema."""\n    pass', "op.drop_column('users', 'phone')")
    path.write_text(text)
    up = _line_of(path, "def upgrade")
    down = _line_of(path, "def downgrade")
    code, out, _err = cli(linear, capsys, "show", "aaaa00000002")
    assert code == 0
    assert out.splitlines()[-4:] == [
        f"upgrade() line {up}", f"  {up + 1:>5}  adds column users.phone",
        f"downgrade() line {down}", f"  {down + 1:>5}  drops column users.phone",
    ]


def test_show_reads_the_operations_of_a_file_saved_with_a_bom(linear: Path, capsys: Capture) -> None:
    path = linear / "migrations/versions/aaaa00000002_add_users_phone.py"
    text = path.read_text().replace('"""Upgrade schema."""\n    pass',
                                    "op.add_column('users', sa.Column('phone', sa.String()))")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    code, out, _err = cli(linear, capsys, "show", "aaaa00000002")
    assert code == 0
    up = _line_of(path, "def upgrade")
    assert f"  {up + 1:>5}  adds column users.phone" in out.splitlines()


def test_function_source_of_an_absurdly_nested_file_is_none_not_a_crash() -> None:
    source = "x = " + "-" * 200_000 + "1\n\ndef upgrade():\n    pass\n"  # the parser runs out of stack
    assert function_source(source, "upgrade") is None
    assert function_source("def upgrade():\n    pass\n", "upgrade") == (1, "def upgrade():\n    pass")


def test_show_json_names_every_fact(merged: Path, capsys: Capture) -> None:
    code, report = cli_json(merged, capsys, "show", "dddd")
    assert code == 0
    revision = report["revision"]
    assert {k: revision[k] for k in ("id", "message", "marks", "parents", "children", "path")} == {
        "id": "dddd00000001", "message": "merge audit and runs", "marks": ["head", "merge"],
        "parents": ["bbbb00000001", "cccc00000002"], "children": [],
        "path": "migrations/versions/dddd00000001_merge_audit_and_runs.py",
    }
    merge_commit = git(merged, "rev-parse", "HEAD").strip()
    assert {k: revision["git"][k] for k in ("commit", "author", "published", "state")} == {
        "commit": merge_commit, "author": "Test User", "published": None, "state": "committed"}
    assert revision["operations"]["upgrade"] == [] and revision["operations"]["upgrade_empty"] is True
    assert report["exit_code"] == 0


def test_show_names_branch_labels_and_depends_on(tmp_path: Path, capsys: Capture) -> None:
    root = alembic_project(tmp_path / "proj")
    add_revision(root, "create users", "aaaa00000001", branch_label="core")
    add_revision(root, "audit base", "bbbb00000001", head="base", branch_label="audit",
                 depends_on="aaaa00000001")
    add_revision(root, "audit table", "bbbb00000002", head="audit@head")
    code, report = cli_json(root, capsys, "show", "bbbb00000001")
    assert code == 0
    revision = report["revision"]
    assert (revision["branch_labels"], revision["depends_on"]) == (["audit"], ["aaaa00000001"])
    code, out, _err = cli(root, capsys, "show", "core")
    assert "  needed by  bbbb00000001  audit base" in out
    code, out, _err = cli(root, capsys, "show", "bbbb00000002")
    assert "  labels     audit (inherited)" in out


def test_show_refuses_an_ambiguous_prefix_with_exit_2(forked: Path, capsys: Capture) -> None:
    code, out, err = cli(forked, capsys, "show", "cccc")
    assert (code, out) == (2, "")
    assert err == ("ahq-history: 'cccc' matches several revisions: cccc00000001, cccc00000002\n"
                   "  hint: type more characters of the revision id\n")


def test_show_refuses_a_prefix_shorter_than_four_characters(forked: Path, capsys: Capture) -> None:
    code, _out, err = cli(forked, capsys, "show", "bbb")
    assert code == 2
    assert err == ("ahq-history: no revision or branch label 'bbb' in this history\n"
                   "  hint: a partial id needs at least four characters\n")


def test_show_on_a_broken_graph_shows_the_revision_and_exits_3(linear: Path, capsys: Capture) -> None:
    path = add_revision(linear, "orphan", "eeee00000001")
    path.write_text(path.read_text().replace("'aaaa00000002'", "'ffff99999999'"))
    code, out, _err = cli(linear, capsys, "show", "eeee")
    assert code == 3
    assert "  parents    ffff99999999  (no file defines it)" in out
    assert out.rstrip().endswith("error: revision eeee00000001 names down_revision ffff99999999, "
                                 "which no file defines")


# -- git provenance -----------------------------------------------------------------------------


def test_history_names_who_brought_each_head_and_what_is_published(bob_after_pull: Path,
                                                                   capsys: Capture) -> None:
    code, out, err = cli(bob_after_pull, capsys, "history")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "●   b2b2b2b2b2b2 (head) add users phone · Bob Builder · 2026-01-01 · local",
        "│ ● a1a1a1a1a1a1 (head) add audit log · Alice Archer · 2026-01-01 · published",
        "●─╯ 0a0a0a0a0001 (branchpoint) create users · Test User · 2026-01-01 · published",
    ]


def test_history_json_carries_the_provenance_of_check(bob_after_pull: Path, capsys: Capture) -> None:
    code, report = cli_json(bob_after_pull, capsys, "history")
    assert code == 0
    alice = next(r for r in report["revisions"] if r["id"] == "a1a1a1a1a1a1")["git"]
    assert {k: alice[k] for k in ("author", "email", "published", "state")} == {
        "author": "Alice Archer", "email": "alice@example.com", "published": True, "state": "committed"}
    assert "origin/main" in alice["refs"]
    assert report["git_note"] is None


def test_history_outside_git_says_so_and_leaves_git_empty(tmp_path: Path, capsys: Capture) -> None:
    root = alembic_project(tmp_path / "proj")
    add_revision(root, "create users", "aaaa00000001")
    code, out, err = cli(root, capsys, "history")
    assert (code, out) == (0, "● aaaa00000001 (head) create users\n")
    assert err == f"note: {root} is not in a git repository: no git facts\n"


def test_show_names_the_commit_author_and_branches(bob_after_pull: Path, capsys: Capture) -> None:
    commit = git(bob_after_pull, "log", "--format=%H", "-1", "--",
                 "migrations/versions/b2b2b2b2b2b2_add_users_phone.py").strip()
    code, out, _err = cli(bob_after_pull, capsys, "show", "b2b2")
    assert code == 0
    assert f"  git        {commit[:10]} by Bob Builder on 2026-01-01 · local (main)" in out.splitlines()


def test_upstream_narrows_what_counts_as_published(bob_after_pull: Path, capsys: Capture) -> None:
    code, _out, err = cli(bob_after_pull, capsys, "history", "--upstream", "origin/nothing")
    assert code == 2
    assert "origin/nothing" in err

"""README's exit-code statement, row by row: each case it names, driven through the command line on real
projects (`alembic init`, `alembic revision`), real SQLite files and a real terminal for the prompt.

0 fine; 1 the command's negative answer (a divergence, a refusal, a declined prompt, a database behind or
at forked heads, lint findings); 2 usage, configuration, a resource that cannot be reached; 3 a broken
graph, which wins over 1; git hooks always 0.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.clirun import on_a_terminal, run_main
from tests.support.projects import add_revision, alembic_project, forked_revisions, linear_revisions
from tests.support.sqlitedb import database

Capture = pytest.CaptureFixture[str]
# A port nothing listens on: the connection is refused at once.
UNREACHABLE = "postgresql://user:secret@127.0.0.1:1/app"


def linear(tmp: Path) -> Path:
    return linear_revisions(alembic_project(tmp / "proj"))


def forked(tmp: Path) -> Path:
    return forked_revisions(linear(tmp))


def broken(tmp: Path) -> Path:
    """A revision whose down_revision no file defines."""
    root = linear(tmp)
    path = add_revision(root, "dangling", "dddd00000001")
    path.write_text(path.read_text().replace("= 'aaaa00000002'", "= 'zzzz00000009'"))
    return root


def broken_and_forked(tmp: Path) -> Path:
    root = forked(tmp)
    path = add_revision(root, "dangling", "dddd00000001", head="bbbb00000001")
    path.write_text(path.read_text().replace("= 'bbbb00000001'", "= 'zzzz00000009'"))
    return root


def conflict_markers(tmp: Path) -> Path:
    root = linear(tmp)
    path = add_revision(root, "half merged", "dddd00000001")
    path.write_text(path.read_text() + "<<<<<<< HEAD\nx = 1\n=======\nx = 2\n>>>>>>> theirs\n")
    return root


def lint_finding(tmp: Path) -> Path:
    """A revision that adds a column and whose downgrade does nothing (AHQ001, an error)."""
    root = linear(tmp)
    path = add_revision(root, "add phone", "dddd00000001")
    path.write_text(path.read_text().replace(
        "def upgrade() -> None:\n    \"\"\"Upgrade schema.\"\"\"\n    pass",
        "def upgrade() -> None:\n    \"\"\"Upgrade schema.\"\"\"\n"
        "    op.add_column('users', sa.Column('x', sa.Integer()))"))
    return root


def fifo_revision(tmp: Path) -> Path:
    root = linear(tmp)
    os.mkfifo(root / "migrations" / "versions" / "eeee_fifo.py")
    return root


def no_project(tmp: Path) -> Path:
    (tmp / "empty").mkdir()
    return tmp / "empty"


def db(name: str, *rows: str) -> Callable[[Path], str]:
    return lambda tmp: database(tmp / name, *rows)


# (case, project, argv; `{db}` is replaced by the database made for the row, `{top}` by the project folder)
ROWS: list[tuple[str, int, Callable[[Path], Path], list[str]]] = [
    ("check: one head", 0, linear, ["check"]),
    ("heads", 0, linear, ["heads"]),
    ("history", 0, linear, ["history", "--no-git"]),
    ("show head-1", 0, linear, ["show", "head-1", "--no-git"]),
    ("lint: no findings", 0, linear, ["lint"]),
    ("status: at head", 0, linear, ["status", "--database-url", "{db:at}"]),
    ("merge-heads: nothing to merge", 0, linear, ["merge-heads", "--dry-run"]),
    ("completion", 0, linear, ["completion", "bash"]),
    ("check: a divergence", 1, forked, ["check"]),
    ("status: database behind", 1, linear, ["status", "--database-url", "{db:behind}"]),
    ("status: forked heads applied", 1, forked, ["status", "--database-url", "{db:forked}"]),
    ("merge-heads: a refusal", 1, forked, ["merge-heads", "--rebase", "--no-db-check", "--dry-run"]),
    ("lint: findings", 1, lint_finding, ["lint"]),
    ("usage: unknown command", 2, linear, ["chek"]),
    ("usage: unknown option", 2, linear, ["history", "--colour"]),
    ("usage: unknown revision", 2, linear, ["show", "zzzz0000"]),
    ("usage: git's ancestry syntax", 2, linear, ["show", "head~1"]),
    ("usage: --json with a picture", 2, linear, ["history", "--format", "dot", "--json"]),
    ("configuration: no project here", 2, no_project, ["check"]),
    ("configuration: -c names no file", 2, linear, ["-c", "{top}/missing.ini", "check"]),
    ("configuration: no database named", 2, linear, ["status"]),
    ("unreachable: database does not answer", 2, linear, ["status", "--database-url", UNREACHABLE]),
    ("unreachable: a revision file that is a FIFO", 2, fifo_revision, ["check"]),
    ("usage: the TUI without a terminal", 2, linear, ["tui"]),
    ("usage: merge-heads without a terminal or --yes", 2, forked, ["merge-heads"]),
    ("broken: check", 3, broken, ["check"]),
    ("broken: heads", 3, broken, ["heads"]),
    ("broken: history", 3, broken, ["history", "--no-git"]),
    ("broken: show", 3, broken, ["show", "aaaa00000001", "--no-git"]),
    ("broken: lint", 3, broken, ["lint"]),
    ("broken: status", 3, broken, ["status", "--database-url", "{db:at}"]),
    ("broken: merge-heads --dry-run", 3, broken, ["merge-heads", "--dry-run"]),
    ("broken: conflict markers", 3, conflict_markers, ["check"]),
    ("broken wins over a divergence", 3, broken_and_forked, ["check"]),
    ("git hook on a broken graph", 0, broken, ["check", "--hook", "post-merge"]),
]
DATABASES = {"at": ("aaaa00000002",), "behind": ("aaaa00000001",), "forked": ("bbbb00000001", "cccc00000002")}


def words(argv: list[str], tmp: Path, top: Path) -> list[str]:
    out = []
    for word in argv:
        if word.startswith("{db:"):
            word = database(tmp / "app.db", *DATABASES[word[4:-1]])
        out.append(word.replace("{top}", str(top)))
    return out


@pytest.mark.parametrize(("case", "expected", "make", "argv"), ROWS, ids=[row[0] for row in ROWS])
def test_exit_code(case: str, expected: int, make: Callable[[Path], Path], argv: list[str], tmp_path: Path,
                   capsys: Capture, monkeypatch: pytest.MonkeyPatch) -> None:
    top = make(tmp_path)
    monkeypatch.chdir(top)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    try:
        code, _out, err = run_main(capsys, *words(argv, tmp_path, top))
    except SystemExit as leaving:  # argparse's own usage errors
        code, err = int(leaving.code or 0), capsys.readouterr().err
    assert code == expected, err
    assert "Traceback" not in err


@pytest.mark.parametrize(("answer", "expected"), [(b"n\n", 1), (b"y\n", 0)])
def test_merge_heads_prompt_declined_is_1_and_accepted_is_0(tmp_path: Path, answer: bytes,
                                                             expected: int) -> None:
    root = forked(tmp_path)
    code, shown = on_a_terminal(root, ["merge-heads"], answer)
    assert code == expected, shown.decode(errors="replace")
    assert (b"nothing was written" in shown) == (expected == 1)

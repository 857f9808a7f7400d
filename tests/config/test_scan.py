"""Static scanning, checked on revision files written by Alembic and Flask-Migrate and against what Alembic
itself loads from the same folders (`ScriptDirectory.walk_revisions`)."""

from __future__ import annotations

import ast
import os
import py_compile
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from hypothesis import given, settings
from hypothesis import strategies as st

from ahq_history.config.project import Project, find_project
from ahq_history.config.scan import revision_files, scan_project
from ahq_history.core import source as scan
from ahq_history.core.model import Problem, Revision
from ahq_history.core.source import scan_text, scan_texts
from ahq_history.core.source_files import revision_paths_in
from tests.support.alembicconfig import alembic_config, alembic_init, set_options
from tests.support.flaskapp import FLASK_APP
from tests.support.gitcli import git

REPO = Path(__file__).resolve().parents[2]

Fact = tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...], str, Path]


# -- projects made by the real tools ---------------------------------------------------------------


def revise(cfg: Config, message: str, **kwargs: object) -> str:
    """`alembic revision -m message`; returns the new id."""
    script = command.revision(cfg, message, **kwargs)  # type: ignore[arg-type]
    assert script is not None and not isinstance(script, list)
    return script.revision


def as_tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)  # type: ignore[call-overload, no-any-return]


def alembic_facts(cfg: Config, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> set[Fact]:
    """What Alembic loads (it runs every file), run from `cwd` as its CLI would be."""
    monkeypatch.chdir(cwd)
    script_dir = ScriptDirectory.from_config(cfg)
    return {
        # _orig_branch_labels: the file's own labels (Alembic spreads labels along a branch in memory)
        (s.revision, as_tuple(s.down_revision), tuple(sorted(s._orig_branch_labels)),
         as_tuple(s.dependencies), s.doc.split("\n")[0], Path(s.path).resolve())
        for s in script_dir.walk_revisions()
    }


def our_facts(project: Project) -> set[Fact]:
    result = scan_project(project)
    assert [p for p in result.problems if p.is_error] == []
    return {
        (r.id, r.parents, tuple(sorted(r.branch_labels)), r.depends_on, r.message,
         (project.root / r.path).resolve())
        for r in result.revisions
    }


def only(problems: Iterable[Problem]) -> Problem:
    (problem,) = problems
    return problem


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


# -- agreement with Alembic on real folders ---------------------------------------------------------


def test_generic_template_history_equals_alembic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = alembic_init(tmp_path)
    base = revise(cfg, "create users")
    second = revise(cfg, "add email")
    other = revise(cfg, "side branch", head=base, splice=True)
    dependent = revise(cfg, "depends", head=second, depends_on=other)
    command.merge(alembic_config(tmp_path), [dependent, other], message="merge heads")
    project = find_project(tmp_path)
    assert our_facts(project) == alembic_facts(alembic_config(tmp_path), tmp_path, monkeypatch)
    assert len(our_facts(project)) == 5


def test_revision_fields_of_an_alembic_file(tmp_path: Path) -> None:
    cfg = alembic_init(tmp_path)
    first = revise(cfg, "create users")
    second = revise(cfg, "add email")
    (revision,) = [r for r in scan_project(find_project(tmp_path)).revisions if r.id == second]
    text = (tmp_path / revision.path).read_text().splitlines()
    assert revision.path == f"alembic/versions/{second}_add_email.py"
    assert (revision.message, revision.parents, revision.revises) == ("add email", (first,), (first,))
    assert text[revision.line - 1] == f"revision: str = '{second}'"  # type: ignore[operator]
    assert text[revision.parents_line - 1].startswith("down_revision: Union[str, Sequence[str], None] = ")  # type: ignore[operator]
    assert text[revision.labels_line - 1].startswith("branch_labels:")  # type: ignore[operator]
    assert text[revision.depends_line - 1].startswith("depends_on:")  # type: ignore[operator]
    assert text[revision.revises_line - 1] == f"Revises: {first}"  # type: ignore[operator]
    assert f"Create Date: {revision.create_date}" in text


def test_merge_revision_revises_both_parents(tmp_path: Path) -> None:
    cfg = alembic_init(tmp_path)
    base = revise(cfg, "base")
    left = revise(cfg, "left", head=base)
    right = revise(cfg, "right", head=base, splice=True)
    merge = command.merge(alembic_config(tmp_path), [left, right], message="merge")
    assert merge is not None
    (revision,) = [r for r in scan_project(find_project(tmp_path)).revisions if r.id == merge.revision]
    assert set(revision.parents) == set(revision.revises or ()) == {left, right}


@pytest.mark.filterwarnings("ignore:No path_separator found:DeprecationWarning")
def test_labelled_branches_in_several_version_locations_equal_alembic(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alembic_init(tmp_path)
    (tmp_path / "alembic" / "shared").mkdir()
    set_options(tmp_path / "alembic.ini",
                version_locations="%(here)s/alembic/versions, %(here)s/alembic/shared")
    ini_text = (tmp_path / "alembic.ini").read_text()
    (tmp_path / "alembic.ini").write_text(ini_text.replace("path_separator = os\n", ""))  # legacy split
    cfg = alembic_config(tmp_path)
    app = revise(cfg, "app base", head="base", branch_label="app",
                 version_path=str(tmp_path / "alembic/versions"))
    shared = revise(cfg, "shared base", head="base", branch_label="shared",
                    version_path=str(tmp_path / "alembic/shared"))
    revise(cfg, "app uses shared", head="app@head", depends_on=shared)
    revise(cfg, "shared two", head="shared@head")
    project = find_project(tmp_path)
    assert len(project.version_locations) == 2
    assert our_facts(project) == alembic_facts(alembic_config(tmp_path), tmp_path, monkeypatch)
    assert {r.id: r.branch_labels for r in scan_project(project).revisions if r.branch_labels} == {
        app: ("app",), shared: ("shared",)}


def test_recursive_version_locations_equal_alembic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alembic_init(tmp_path, template="pyproject")
    with (tmp_path / "pyproject.toml").open("a") as toml:
        toml.write('version_locations = ["%(here)s/alembic/versions", "%(here)s/extra"]\n'
                   "recursive_version_locations = true\n")
    (tmp_path / "extra").mkdir()
    cfg = alembic_config(tmp_path)
    revise(cfg, "top level", head="base", version_path=str(tmp_path / "alembic/versions"))
    moved = revise(cfg, "extra deep", version_path=str(tmp_path / "extra"))
    (tmp_path / "extra/deep").mkdir()
    for path in (tmp_path / "extra").glob(f"{moved}_*.py"):
        path.rename(tmp_path / "extra/deep" / path.name)  # teams file old revisions into sub-folders
    with (tmp_path / "pyproject.toml").open("a") as toml:
        toml.write('file_template = "%%(year)d/%%(month).2d/%%(rev)s_%%(slug)s"\n')
    revise(alembic_config(tmp_path), "dated one", version_path=str(tmp_path / "alembic/versions"))
    revise(alembic_config(tmp_path), "dated two", version_path=str(tmp_path / "alembic/versions"))
    assert len(list((tmp_path / "alembic/versions").glob("*/*/*.py"))) == 2
    project = find_project(tmp_path)
    assert project.recursive
    facts = our_facts(project)
    assert len(facts) == 4
    assert facts == alembic_facts(alembic_config(tmp_path), tmp_path, monkeypatch)


def test_sub_folders_are_ignored_unless_recursive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = alembic_init(tmp_path)
    (tmp_path / "alembic/versions/old").mkdir()
    revise(cfg, "top")
    (tmp_path / "alembic.ini").write_text((tmp_path / "alembic.ini").read_text())
    write(tmp_path / "alembic/versions/old/0001_hidden.py", """\
        revision = "old1"
        down_revision = None
        """)
    project = find_project(tmp_path)
    assert [r.message for r in scan_project(project).revisions] == ["top"]
    assert our_facts(project) == alembic_facts(alembic_config(tmp_path), tmp_path, monkeypatch)


def test_file_selection_equals_alembic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`__init__`, `.#` lock files, non-.py files and `__pycache__` are skipped; `_x.py` and `.x.py` load."""
    cfg = alembic_init(tmp_path)
    revise(cfg, "first")
    versions = tmp_path / "alembic" / "versions"
    write(versions / "__init__.py", "raise RuntimeError('not a revision')\n")
    write(versions / ".#first.py", "raise RuntimeError('an editor lock file')\n")
    write(versions / "notes.txt", "revision = 'txt'\n")
    write(versions / "_private.py", "revision = 'priv'\ndown_revision = None\n")
    write(versions / ".dotted.py", "revision = 'dot'\ndown_revision = None\n")
    (versions / "stale.pyc").write_bytes(b"\x00garbage")
    write(versions / "__pycache__" / "gone.py", "raise RuntimeError('inside __pycache__')\n")
    project = find_project(tmp_path)
    names = sorted(p.name for p in revision_files(project))
    assert names == sorted([".dotted.py", "_private.py", next(p.name for p in versions.glob("*_first.py"))])
    assert our_facts(project) == alembic_facts(alembic_config(tmp_path), tmp_path, monkeypatch)


def test_sourceless_compiled_files_are_selected_and_reported(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = alembic_init(tmp_path)
    set_options(tmp_path / "alembic.ini", sourceless="true")
    cfg = alembic_config(tmp_path)
    rid = revise(cfg, "compiled away")
    (source,) = (tmp_path / "alembic/versions").glob("*.py")
    py_compile.compile(str(source), cfile=str(source) + "c")
    source.unlink()
    project = find_project(tmp_path)
    files = revision_files(project)
    monkeypatch.chdir(tmp_path)
    loaded = [Path(s.path) for s in ScriptDirectory.from_config(alembic_config(tmp_path)).walk_revisions()]
    assert [f.resolve() for f in files] == [p.resolve() for p in loaded]
    problem = only(scan_project(project).problems)
    relative = f"alembic/versions/{source.name}c"
    assert (problem.kind, problem.severity, problem.path, problem.line) == (
        "unreadable", "error", relative, None)
    assert problem.message == (f"{source.name}c is a compiled revision file (sourceless = true) with no "
                               "source to read; keep the .py file beside it")
    assert rid in source.name


def test_the_same_folder_twice_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = alembic_init(tmp_path)
    revise(cfg, "only once")
    (tmp_path / "again").symlink_to(tmp_path / "alembic" / "versions")
    set_options(tmp_path / "alembic.ini", version_locations="%(here)s/alembic/versions again",
                path_separator="space")
    project = find_project(tmp_path)
    assert len(revision_files(project)) == 1
    with pytest.warns(UserWarning, match="loaded twice"):
        assert our_facts(project) == alembic_facts(alembic_config(tmp_path), tmp_path, monkeypatch)


@pytest.fixture(scope="module")
def flask_history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`flask db init` and two `flask db revision` runs in a tiny Flask app."""
    folder = tmp_path_factory.mktemp("flask")
    (folder / "app.py").write_text(FLASK_APP)
    env = {**os.environ, "HOME": str(folder)}
    for args in (["init"], ["revision", "-m", "create users"], ["revision", "-m", "add email"]):
        subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", *args], cwd=folder, check=True,
                       capture_output=True, env=env)
    return folder


def test_flask_migrate_revisions_equal_alembic(flask_history: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = find_project(flask_history)
    cfg = Config(str(flask_history / "migrations" / "alembic.ini"))
    cfg.set_main_option("script_location", "migrations")  # what Flask-Migrate does
    facts = our_facts(project)
    assert sorted(f[4] for f in facts) == ["add email", "create users"]
    assert facts == alembic_facts(cfg, flask_history, monkeypatch)
    assert all(r.path.startswith("migrations/versions/") for r in scan_project(project).revisions)


def test_git_tree_paths_select_the_same_files(tmp_path: Path) -> None:
    alembic_init(tmp_path, template="pyproject")
    with (tmp_path / "pyproject.toml").open("a") as toml:
        toml.write('version_locations = ["%(here)s/alembic/versions", "%(here)s/extra"]\n'
                   "recursive_version_locations = true\n")
    (tmp_path / "extra" / "sub").mkdir(parents=True)
    cfg = alembic_config(tmp_path)
    revise(cfg, "one", head="base", version_path=str(tmp_path / "alembic/versions"))
    two = revise(cfg, "two", version_path=str(tmp_path / "extra"))
    for path in (tmp_path / "extra").glob(f"{two}_*.py"):
        path.rename(tmp_path / "extra/sub" / path.name)
    write(tmp_path / "alembic/versions/__init__.py", "")
    write(tmp_path / "extra/readme.md", "")
    project = find_project(tmp_path)
    every = [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()]
    locations = [p.relative_to(tmp_path).as_posix() for p in project.version_locations]
    expected = sorted(p.relative_to(tmp_path).as_posix() for p in revision_files(project))
    assert revision_paths_in(every, locations, recursive=True) == expected


# -- problems, each with its file, line and words ---------------------------------------------------


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    alembic_init(tmp_path)
    return tmp_path


def scan_one(folder: Path, name: str, text: str, **kwargs: bool) -> tuple[list[Revision], list[Problem]]:
    write(folder / "alembic" / "versions" / name, text)
    result = scan_project(find_project(folder), **kwargs)
    return list(result.revisions), list(result.problems)


def test_non_literal_revision_is_an_error(project_dir: Path) -> None:
    revisions, problems = scan_one(project_dir, "r1.py", '''\
        """computed"""
        import uuid
        revision = uuid.uuid4().hex
        down_revision = None
        ''')
    problem = only(problems)
    assert revisions == []
    assert (problem.kind, problem.severity, problem.path, problem.line) == (
        "non-literal", "error", "alembic/versions/r1.py", 3)
    assert problem.message == ('revision in r1.py is not a literal: `uuid.uuid4().hex`; '
                               'write the id as a string, e.g. revision = "1a2b3c4d5e6f"')


def test_non_literal_down_revision_is_an_error_and_the_revision_is_kept(project_dir: Path) -> None:
    revisions, problems = scan_one(project_dir, "r2.py", '''\
        """computed parent"""
        from previous import revision as PREVIOUS
        revision = "r2"
        down_revision: str = PREVIOUS
        ''')
    problem = only(problems)
    assert [(r.id, r.parents) for r in revisions] == [("r2", ())]
    assert (problem.kind, problem.severity, problem.line, problem.revisions) == (
        "non-literal", "error", 4, ("r2",))
    assert problem.message == ("down_revision of revision r2 is not a literal: `PREVIOUS`; write the parent "
                               "ids as strings (or None for a base)")


def test_a_non_literal_nested_too_deeply_to_show_is_still_a_non_literal_error() -> None:
    revision, problems = scan_text('revision = "r3"\ndown_revision = ' + "-" * 600 + "1\n", "r3.py")
    assert revision is not None and revision.parents == ()
    (problem,) = problems
    assert (problem.kind, problem.line) == ("non-literal", 2)
    assert problem.message.startswith("down_revision of revision r3 is not a literal: `(an expression nested")


def test_non_literal_branch_labels_is_a_warning(project_dir: Path) -> None:
    revisions, problems = scan_one(project_dir, "expand.py", '''\
        """expand"""
        from app import cli
        revision = "e1"
        down_revision = None
        branch_labels = (cli.EXPAND_BRANCH,)
        depends_on = None
        ''')
    problem = only(problems)
    assert [(r.id, r.branch_labels) for r in revisions] == [("e1", ())]
    assert (problem.kind, problem.severity, problem.line) == ("non-literal", "warning", 5)
    assert problem.message == ("branch_labels of revision e1 is not a literal: `cli.EXPAND_BRANCH` in "
                               "`(cli.EXPAND_BRANCH,)` is found neither in expand.py nor in the project's "
                               "modules, so it is read as empty; `--exec-unresolved` runs the file to read "
                               "it")


def test_non_literal_depends_on_is_a_warning(project_dir: Path) -> None:
    revisions, problems = scan_one(project_dir, "dep.py", '''\
        revision = "d1"
        down_revision = None
        depends_on = [OTHER]
        ''')
    problem = only(problems)
    assert [(r.id, r.depends_on) for r in revisions] == [("d1", ())]
    assert (problem.kind, problem.severity, problem.line) == ("non-literal", "warning", 3)
    assert problem.message == ("depends_on of revision d1 is not a literal: `OTHER` in `[OTHER]` is found "
                               "neither in dep.py nor in the project's modules, so it is read as empty; "
                               "`--exec-unresolved` runs the file to read it")


def test_missing_revision_is_an_error(project_dir: Path) -> None:
    revisions, problems = scan_one(project_dir, "helpers.py", '''\
        """Shared helpers someone put into versions/."""
        def helper():
            return 1
        ''')
    problem = only(problems)
    assert revisions == []
    assert (problem.kind, problem.severity, problem.path, problem.line) == (
        "missing-revision", "error", "alembic/versions/helpers.py", None)
    assert problem.message == ('helpers.py has no top-level `revision = "..."` assignment; Alembic cannot '
                               "load a file in a versions folder without one")


def test_missing_down_revision_is_an_error(project_dir: Path) -> None:
    revisions, problems = scan_one(project_dir, "nodown.py", 'revision = "n1"\n')
    problem = only(problems)
    assert [r.id for r in revisions] == ["n1"]
    assert (problem.kind, problem.line) == ("missing-down-revision", 1)
    assert problem.message == ("revision n1 has no down_revision; Alembic cannot load it (write "
                               "down_revision = None for a base)")


def test_legacy_file_name_gives_the_id_as_alembic_does(project_dir: Path) -> None:
    revisions, problems = scan_one(project_dir, "1975ea83b712.py", "down_revision = None\n")
    assert ([r.id for r in revisions], problems) == (["1975ea83b712"], [])


@pytest.mark.parametrize(("assignment", "line", "message"), [
    ("revision = 123\ndown_revision = None", 1, "revision in bad.py must be a non-empty string, not `123`"),
    ("revision = 'a-b'\ndown_revision = None", 1,
     "revision a-b contains -, which Alembic does not allow in a revision id"),
    ("revision = 'ok'\ndown_revision = ''", 2,
     "down_revision of revision ok must be None, a string or a tuple or list of strings, not `''`"),
])
def test_invalid_values_are_errors(project_dir: Path, assignment: str, line: int, message: str) -> None:
    _revisions, problems = scan_one(project_dir, "bad.py", assignment + "\n")
    problem = only(problems)
    assert (problem.kind, problem.severity, problem.path, problem.line, problem.message) == (
        "invalid-value", "error", "alembic/versions/bad.py", line, message)


def test_python2_body_still_yields_the_revision_with_a_syntax_error(project_dir: Path) -> None:
    revisions, problems = scan_one(project_dir, "old.py", '''\
        """add flags

        Revision ID: 0a1b2c
        Revises: None
        Create Date: 2014-03-01 10:00:00.000000

        """
        revision = '0a1b2c'
        down_revision = None

        from alembic import op


        def upgrade():
            print "adding flags"
            op.add_column('users', sa.Column('flag', sa.Boolean()))
        ''')
    problem = only(problems)
    assert [(r.id, r.message, r.create_date) for r in revisions] == [
        ("0a1b2c", "add flags", "2014-03-01 10:00:00.000000")]
    assert (problem.kind, problem.severity, problem.line) == ("syntax", "error", 15)
    assert (problem.path, problem.revisions) == ("alembic/versions/old.py", ("0a1b2c",))
    assert problem.message == (
        "the file of revision 0a1b2c is not valid Python (Missing parentheses in call to 'print'. Did you "
        "mean print(...)?); its header was read, but Alembic cannot load the file, so `upgrade` fails")


def test_unparseable_file_without_a_readable_revision_is_a_syntax_error(project_dir: Path) -> None:
    _revisions, problems = scan_one(project_dir, "junk.py", "revision = (\n")
    problem = only(problems)
    assert (problem.kind, problem.severity, problem.line) == ("syntax", "error", 1)
    assert problem.path == "alembic/versions/junk.py"
    assert problem.message == ("junk.py is not valid Python ('(' was never closed) and its revision id "
                               "cannot be read")


def test_python2_header_is_salvaged_statement_by_statement(project_dir: Path) -> None:
    revisions, problems = scan_one(project_dir, "py2head.py", '''\
        """old"""
        print "loading"
        revision = 'p2'
        down_revision = ('p0',
                         'p1')
        ''')
    assert [(r.id, r.parents, r.parents_line) for r in revisions] == [("p2", ("p0", "p1"), 4)]
    assert [(p.kind, p.severity, p.line) for p in problems] == [("syntax", "error", 2)]


def test_work_tree_scan_finds_body_errors_that_look_like_python3(project_dir: Path) -> None:
    text = 'revision = "s1"\ndown_revision = None\n\ndef upgrade():\n    if True\n        pass\n'
    assert scan_one(project_dir, "s1.py", text, check_syntax=False)[1] == []  # a git tree's header-only read
    problem = only(scan_one(project_dir, "s1.py", text)[1])
    assert (problem.kind, problem.severity, problem.line) == ("syntax", "error", 5)


def test_undecodable_file_is_unreadable_with_its_line(project_dir: Path) -> None:
    path = project_dir / "alembic/versions/latin.py"
    path.write_bytes(b'"""caf\xe9 first"""\nrevision = "l1"\n')
    problem = only(scan_project(find_project(project_dir)).problems)
    assert (problem.kind, problem.severity, problem.line) == ("encoding", "error", 1)
    assert problem.path == "alembic/versions/latin.py"
    assert problem.message == "latin.py is not valid utf-8 text (invalid continuation byte at byte 6)"


def test_coding_cookie_is_honoured(project_dir: Path) -> None:
    path = project_dir / "alembic/versions/latin.py"
    path.write_bytes(b'# -*- coding: latin-1 -*-\n"""caf\xe9"""\nrevision = "l1"\ndown_revision = None\n')
    (revision,) = scan_project(find_project(project_dir)).revisions
    assert revision.message == "café"


def test_a_coding_whose_codec_fails_without_a_position_is_unreadable(project_dir: Path) -> None:
    path = project_dir / "alembic/versions/puny.py"
    path.write_bytes(b'# coding: punycode\nrevision = "p1"\ndown_revision = None\n')
    problem = only(scan_project(find_project(project_dir)).problems)
    assert (problem.kind, problem.path, problem.line) == ("encoding", "alembic/versions/puny.py", 1)
    assert problem.message.startswith("puny.py is not valid punycode text (")


def test_dangling_symlink_is_unreadable(project_dir: Path) -> None:
    (project_dir / "alembic/versions/gone.py").symlink_to(project_dir / "nowhere.py")
    problem = only(scan_project(find_project(project_dir)).problems)
    assert (problem.kind, problem.path, problem.line) == ("unreadable", "alembic/versions/gone.py", None)
    assert problem.message == ("gone.py cannot be read (it vanished while being read, or is a symlink to "
                               "nothing)")


def test_missing_configured_version_location_is_a_warning(project_dir: Path) -> None:
    set_options(project_dir / "alembic.ini", version_locations="%(here)s/alembic/versions %(here)s/nowhere",
                path_separator="space")
    problem = only(scan_project(find_project(project_dir)).problems)
    assert (problem.kind, problem.severity, problem.path) == (
        "missing-version-location", "warning", "alembic.ini")
    assert problem.message == "version location nowhere does not exist; Alembic skips it"


def test_crlf_file_reads_like_lf(project_dir: Path) -> None:
    path = project_dir / "alembic/versions/w1.py"
    path.write_bytes(b'"""windows\r\n\r\nRevises: a\r\n"""\r\nrevision = "w1"\r\ndown_revision = "a"\r\n')
    (revision,) = scan_project(find_project(project_dir)).revisions
    assert (revision.id, revision.parents, revision.revises_line, revision.line) == ("w1", ("a",), 3, 5)


# -- conflict markers left by a real `git merge` -----------------------------------------------------


@pytest.fixture
def repo_with_revision(tmp_path: Path) -> tuple[Path, Path]:
    """A git repository with an Alembic project and one committed revision file."""
    cfg = alembic_init(tmp_path)
    revise(cfg, "base", rev_id="aaaa")
    revise(cfg, "users", rev_id="bbbb")
    revise(cfg, "other base", rev_id="cccc", head="base", branch_label="other")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "start")
    (path,) = (tmp_path / "alembic/versions").glob("bbbb_*.py")
    return tmp_path, path


def diverge(repo: Path, path: Path, ours: tuple[str, str], theirs: tuple[str, str]) -> None:
    """Change the same line on two branches and merge them, leaving the conflict in the file."""
    original = path.read_text()
    git(repo, "checkout", "-q", "-b", "theirs")
    path.write_text(original.replace(*theirs))
    git(repo, "commit", "-q", "-am", "theirs")
    git(repo, "checkout", "-q", "main")
    path.write_text(original.replace(*ours))
    git(repo, "commit", "-q", "-am", "ours")
    done = subprocess.run(["git", "merge", "theirs"], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 1 and "CONFLICT" in done.stdout


def test_conflict_in_the_body_reports_the_marker_and_keeps_the_revision(
        repo_with_revision: tuple[Path, Path]) -> None:
    repo, path = repo_with_revision
    diverge(repo, path, ('"""Upgrade schema."""\n    pass', '"""Upgrade schema."""\n    op.drop_table("a")'),
            ('"""Upgrade schema."""\n    pass', '"""Upgrade schema."""\n    op.drop_table("b")'))
    result = scan_project(find_project(repo))
    line = path.read_text().splitlines().index("<<<<<<< HEAD") + 1
    problem = only(result.problems)
    relative = path.relative_to(repo).as_posix()
    assert (problem.kind, problem.severity, problem.path, problem.line) == (
        "conflict-markers", "error", relative, line)
    assert problem.message == (f"git conflict marker `<<<<<<< HEAD` in {path.name}: finish the git merge: "
                               "resolve the conflict in this file, `git add` it and commit")
    assert "bbbb" in {r.id for r in result.revisions}


def test_conflict_in_the_header_drops_the_revision(repo_with_revision: tuple[Path, Path]) -> None:
    repo, path = repo_with_revision
    diverge(repo, path, ("= 'aaaa'", "= 'cccc'"), ("= 'aaaa'", "= ('aaaa', 'cccc')"))
    result = scan_project(find_project(repo))
    text = path.read_text().splitlines()
    problem = only(result.problems)
    assert (problem.kind, problem.line) == ("conflict-markers", text.index("<<<<<<< HEAD") + 1)
    assert "bbbb" not in {r.id for r in result.revisions}


def test_a_lone_rst_underline_is_not_a_conflict() -> None:
    text = '"""Title\n=======\n\nbody\n"""\nrevision = "t1"\ndown_revision = None\n'
    revision, problems = scan_text(text, "t1.py")
    assert (revision is not None, problems) == (True, [])


# -- generated header styles, with Python itself as the oracle ----------------------------------------


ids = st.text(alphabet="0123456789abcdef", min_size=4, max_size=12)
ANNOTATIONS = ["", ": str", ": Union[str, Sequence[str], None]", ": Optional[str]",
               ": tuple[str, ...] | None"]


@st.composite
def literal(draw: st.DrawFn, allow_none: bool = True) -> str:
    """Python source of a down_revision/branch_labels/depends_on value in one of the written styles."""
    q = draw(st.sampled_from(["'", '"']))
    items = draw(st.lists(ids, min_size=0, max_size=3))
    kind = draw(st.sampled_from(["none", "str", "tuple", "list", "paren", "multiline"]
                                if allow_none else ["str", "tuple", "list", "paren", "multiline"]))
    quoted = [f"{q}{i}{q}" for i in items] or [f"{q}{draw(ids)}{q}"]
    if kind == "none":
        return "None"
    if kind == "str":
        return quoted[0]
    if kind == "paren":
        return f"({quoted[0]})"
    sep = draw(st.sampled_from([", ", ","]))
    trail = "," if kind == "tuple" and len(quoted) == 1 else draw(st.sampled_from(["", ","]))
    inner = sep.join(quoted) + trail
    if kind == "list":
        return f"[{inner}]"
    if kind == "tuple":
        return f"({inner})"
    return "(\n" + "".join(f"    {item},\n" for item in quoted) + ")"


@st.composite
def revision_texts(draw: st.DrawFn) -> str:
    q = draw(st.sampled_from(["'", '"']))
    statements = {
        "revision": f"{q}{draw(ids)}{q}",
        "down_revision": draw(literal()),
    }
    for optional in ("branch_labels", "depends_on"):
        if draw(st.booleans()):
            statements[optional] = draw(literal())
    lines = []
    for name in draw(st.permutations(list(statements))):
        annotation = draw(st.sampled_from(ANNOTATIONS))
        equals = draw(st.sampled_from([" = ", "=", " =  "]))
        comment = draw(st.sampled_from(["", "  # set by alembic"]))
        lines.append(f"{name}{annotation}{equals}{statements[name]}{comment}")
    doc = ""
    if draw(st.booleans()):
        message = draw(st.text(alphabet="abcdefghij KLM", min_size=1, max_size=20)).strip() or "x"
        doc = f'"""{message}\n\nRevision ID: x\nRevises: y\nCreate Date: 2026-01-01\n\n"""\n'
    preamble = "from typing import Optional, Sequence, Union\n\nfrom alembic import op\n"
    body = draw(st.sampled_from(["", "\n\ndef upgrade() -> None:\n    pass\n",
                                 "\n\nasync def helper():\n    pass\n\n\nclass T:\n    pass\n"]))
    return doc + preamble + "\n# revision identifiers, used by Alembic.\n" + "\n".join(lines) + "\n" + body


@settings(deadline=None, max_examples=150)
@given(revision_texts())
def test_generated_header_styles_read_as_python_reads_them(text: str) -> None:
    namespace: dict[str, object] = {}
    exec(compile(text, "generated.py", "exec"), namespace)  # the oracle: Python itself
    revision, problems = scan_text(text, "v/generated.py")
    assert problems == [] and revision is not None
    assert revision.id == namespace["revision"]
    assert revision.parents == as_tuple(namespace["down_revision"])
    assert revision.branch_labels == as_tuple(namespace.get("branch_labels"))
    assert revision.depends_on == as_tuple(namespace.get("depends_on"))
    doc = namespace.get("__doc__")
    assert revision.message == (doc.strip().split("\n")[0] if isinstance(doc, str) else "")
    lines = text.split("\n")
    assert lines[revision.line - 1].startswith("revision")  # type: ignore[operator]
    assert lines[revision.parents_line - 1].startswith("down_revision")  # type: ignore[operator]


@settings(deadline=None, max_examples=150)
@given(revision_texts())
def test_fast_path_agrees_with_ast(text: str) -> None:
    header = text[:scan._header_end(text)]
    fast = scan._fast_header(header)
    slow = scan._from_module(ast.parse(header))
    if fast is not None:
        assert fast.assigns == slow.assigns
        assert fast.doc == slow.doc


def test_scan_texts_keeps_the_given_paths() -> None:
    result = scan_texts([("a/x.py", 'revision = "x"\ndown_revision = None\n'),
                         ("a/y.py", 'revision = "y"\ndown_revision = "x"\n'), ("a/z.py", "")])
    assert [(r.id, r.path) for r in result.revisions] == [("x", "a/x.py"), ("y", "a/y.py")]
    assert [(p.kind, p.path) for p in result.problems] == [("missing-revision", "a/z.py")]


def test_scanning_writes_nothing_into_the_project(tmp_path: Path) -> None:
    """No cache and no __pycache__: the files are read, never imported."""
    cfg = alembic_init(tmp_path)
    revise(cfg, "one")
    before = sorted(tmp_path.rglob("*"))
    scan_project(find_project(tmp_path))
    assert sorted(tmp_path.rglob("*")) == before


def test_an_unclosed_quote_in_down_revision_is_one_syntax_error_at_its_line() -> None:
    text = ('"""add phone\n\nRevision ID: b1\nRevises: a1\n\n"""\nfrom alembic import op\n\n'
            "revision = 'b1'\ndown_revision = 'a1\nbranch_labels = None\n\n\ndef upgrade():\n    pass\n")
    revision, problems = scan_text(text, "versions/b1.py")
    assert revision is not None and revision.parents == ()
    assert [(p.kind, p.severity, p.line) for p in problems] == [("syntax", "error", 10)]
    assert problems[0].message.startswith(
        "down_revision of revision b1 cannot be read: the file is not valid Python at line 10 (")


def test_recursive_paths_in_a_version_location_at_the_repository_root() -> None:
    from ahq_history.core.source_files import revision_paths_in

    paths = ["a1_first.py", "2024/b2_second.py", "2024/__pycache__/b2_second.py", "notes.txt"]
    assert revision_paths_in(paths, [""], recursive=True) == ["2024/b2_second.py", "a1_first.py"]
    assert revision_paths_in(paths, [""], recursive=False) == ["a1_first.py"]

"""Every read-only command on generated hostile projects (tests/support/strategies.py): revision files
written as Alembic's template writes them, then attacked (hostile ids, NUL bytes, conflict markers, syntax
errors, odd encodings, deep nesting, dangling parents, cycles); alembic.ini and pyproject.toml with wrong,
unknown and junk values; database URLs whose password is a marker.

For each run, with no terminal and NO_COLOR=1: the exit code is one of 0, 1, 2, 3; no traceback and no
"internal error"; no raw control character (the sanitizer's set); never the password; and no file written
in the project (outside the cache under `.git/`). Most runs are in-process (`main`); a few go through a
real interpreter to prove the no-traceback promise end to end. The seed is fixed; AHQ_FUZZ_EXAMPLES raises
the budget for a deeper local run.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ahq_history.cli.main import main
from tests.support.gitcli import commit_all, git
from tests.support.projects import add_revision, shared_project
from tests.support.sqlitedb import database
from tests.support.strategies import (
    PASSWORD,
    alembic_inis,
    database_urls,
    env_pys,
    hostile_text,
    pyprojects,
    sqlite_files,
    version_files,
)

BUDGET = int(os.environ.get("AHQ_FUZZ_EXAMPLES", "1"))


def fuzz_settings(examples: int) -> settings:
    return settings(derandomize=True, database=None, deadline=None, max_examples=examples * BUDGET,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large, HealthCheck.large_base_example])


# -- what every run must hold ------------------------------------------------------------------------------

_HIDDEN = {"Cc", "Cf", "Cs", "Zl", "Zp"}  # what core/display.py's `clean` escapes


def raw_controls(text: str) -> list[str]:
    """Characters a terminal acts on or hides: C0 but newline and tab, DEL, C1 (ESC among them),
    bidirectional overrides and other format characters, lone surrogates, line separators."""
    return [c for c in text if c not in "\n\t\u200d" and unicodedata.category(c) in _HIDDEN]


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    code: object
    out: str
    err: str

    def assert_safe(self) -> None:
        said = (f"ahq-history {self.args!r} exited {self.code!r}\n--- stdout\n{self.out}\n"
                f"--- stderr\n{self.err}")
        assert self.code in {0, 1, 2, 3}, said
        for text in (self.out, self.err):
            assert "Traceback" not in text, said
            assert "internal error" not in text, said
            assert PASSWORD not in text, said
            assert raw_controls(text) == [], said


def files_in(root: Path) -> dict[str, int]:
    """Every file and folder under `root` but git's folder, with its size: what a read-only command keeps."""
    found = {}
    for path in root.rglob("*"):
        if ".git" not in path.relative_to(root).parts:
            found[str(path)] = path.lstat().st_size if not path.is_dir() else -1
    return found


def run_in_process(capsys: pytest.CaptureFixture[str], cwd: Path, *args: str) -> Run:
    """`ahq-history ARGS` in this process from `cwd`; argparse's own exit counts as an exit code."""
    capsys.readouterr()
    before = files_in(cwd)
    with contextlib.chdir(cwd), warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        try:
            code: object = main(list(args))
        except SystemExit as exit_:
            code = exit_.code
    out, err = capsys.readouterr()
    run = Run(args, code, out, err)
    run.assert_safe()
    # Python's parser warns about some text (quoting it raw; shown by default from Python 3.12).
    parser = [str(w.message) for w in warned if w.filename == "<unknown>"]
    assert parser == [], f"{args!r} let the parser warn"
    assert files_in(cwd) == before, f"{args!r} wrote into the project"
    return run


# -- projects ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`alembic init` with one revision, committed in git: each example starts from a copy."""
    root = shared_project(tmp_path_factory.mktemp("fuzz") / "template")
    git(root, "init", "-q", "-b", "main")
    add_revision(root, "create users", "aaaa00000001")
    commit_all(root, "create users")
    return root


@pytest.fixture(autouse=True)
def no_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("AHQ_DEBUG", raising=False)


_scratch = itertools.count()


@contextlib.contextmanager
def copy_of(template: Path) -> Iterator[Path]:
    """A fresh copy of the template project (git folder included), removed afterwards."""
    where = template.parent / f"case{next(_scratch)}"
    shutil.copytree(template, where / "project", symlinks=True)
    try:
        yield where / "project"
    finally:
        shutil.rmtree(where, ignore_errors=True)


AUTHORS = ("Test User", "Eve \x1b]0;pwned-title\x07 Adams", "\u202eEve", "[/]Eve [bold]", "$(touch pwned)")
# Entries that are not plain revision files, beside them in the versions folder.
ODD_ENTRIES = ("dangling", "folder.py", "devnull", "loop", "none", "none")


@dataclass(frozen=True)
class Case:
    versions: list[tuple[bytes, bytes]]
    ids: list[str]
    commit: str | None  # the author of a commit of everything (None: left uncommitted)
    config: str | None  # what -c names (None: found from the project folder)
    ini: bytes | None = None  # None: the one `alembic init` wrote
    pyproject: bytes | None = None
    env_py: bytes | None = None
    odd: str = "none"

    def write(self, root: Path) -> None:
        folder = root / "migrations" / "versions"
        for old in folder.iterdir():
            old.unlink()
        for name, content in self.versions:
            with open(os.path.join(os.fsencode(folder), name), "wb") as file:  # a name may not be UTF-8
                file.write(content)
        for path, content in ((root / "alembic.ini", self.ini), (root / "pyproject.toml", self.pyproject),
                              (root / "migrations" / "env.py", self.env_py)):
            if content is not None:
                path.write_bytes(content)
        self._odd_entry(folder)
        if self.commit is not None:
            commit_all(root, f"generated by {self.commit}", env={"GIT_AUTHOR_NAME": self.commit})

    def _odd_entry(self, folder: Path) -> None:
        if self.odd == "dangling":
            (folder / "dangling.py").symlink_to(folder / "nowhere.py")
        elif self.odd == "folder.py":
            (folder / "folder.py").mkdir()
        elif self.odd == "devnull":
            (folder / "devnull.py").symlink_to(os.devnull)
        elif self.odd == "loop":
            (folder / "loop.py").symlink_to(folder / "loop.py")

    def options(self, root: Path) -> tuple[str, ...]:
        return () if self.config is None else ("-c", str(root / self.config))


@st.composite
def revision_cases(draw: st.DrawFn) -> Case:
    """Generated revision files in the project `alembic init` made."""
    versions, ids = draw(version_files())
    author = draw(st.sampled_from([None, *AUTHORS]))
    return Case(versions, ids, author, draw(st.sampled_from(["alembic.ini", None])),
                odd=draw(st.sampled_from(ODD_ENTRIES)))


MINIMAL_INI = b"[alembic]\nsqlalchemy.url = driver://user:pass@localhost/dbname\n"


@st.composite
def configuration_cases(draw: st.DrawFn) -> Case:
    """Generated alembic.ini, pyproject.toml (one or both) and env.py, over a generated history."""
    versions, ids = draw(version_files())
    files = draw(st.sampled_from(["ini", "pyproject", "both"]))
    # The pyproject layout keeps only the database and logging in alembic.ini, as `alembic init
    # --template pyproject` writes it.
    ini = draw(alembic_inis(database_urls())) if files != "pyproject" else MINIMAL_INI
    pyproject = draw(pyprojects(database_urls())) if files != "ini" else None
    config = draw(st.sampled_from({"ini": ["alembic.ini", None], "pyproject": ["pyproject.toml", None],
                                   "both": ["alembic.ini", "pyproject.toml", None]}[files]))
    author = draw(st.sampled_from([None, *AUTHORS]))
    return Case(versions, ids, author, config, ini, pyproject, draw(env_pys()))


READ_ONLY = (("check",), ("check", "--json"), ("check", "--no-cache"), ("heads",), ("heads", "--json"),
             ("history",), ("history", "--json"), ("history", "--ascii", "--no-git"), ("lint",),
             ("lint", "--json"), ("merge-heads", "--dry-run"), ("merge-heads", "--dry-run", "--json"),
             ("hooks", "status"), ("status", "--no-search"), ("status", "--json"))


def revisions_named(data: st.DataObject, case: Case) -> str:
    """What `show` and `lint` are asked for: a generated id, a prefix of one, `head`, or hostile text."""
    return data.draw(st.one_of(st.sampled_from(case.ids), st.sampled_from(case.ids).map(lambda i: i[:4]),
                               st.just("head"), hostile_text), label="rev")


def damage_the_cache(root: Path, data: st.DataObject) -> None:
    """Change one field of each cached `check` report, keeping its key (a disk error, a stray edit)."""
    for path in (root / ".git" / "ahq-history").glob("check-*.json"):
        stored = json.loads(path.read_text())
        field = data.draw(st.sampled_from(sorted(stored["report"])), label="field")
        stored["report"][field] = data.draw(st.sampled_from([None, 5, "x", [], {}]), label="value")
        path.write_text(json.dumps(stored))


@fuzz_settings(examples=100)
@given(case=revision_cases(), data=st.data(),
       commands=st.lists(st.sampled_from(READ_ONLY), min_size=3, max_size=5, unique=True))
def test_read_only_commands_on_generated_revision_files(
        template: Path, capsys: pytest.CaptureFixture[str], case: Case, commands: list[tuple[str, ...]],
        data: st.DataObject) -> None:
    rev = revisions_named(data, case)
    with copy_of(template) as root:
        case.write(root)
        for command in [("check",), *commands, ("show", rev), ("show", "--json", rev), ("lint", rev)]:
            run_in_process(capsys, root, *case.options(root), *command)
        damage_the_cache(root, data)
        run_in_process(capsys, root, *case.options(root), "check")


@fuzz_settings(examples=100)
@given(case=configuration_cases(), commands=st.lists(st.sampled_from(READ_ONLY), min_size=1, max_size=3,
                                                     unique=True), data=st.data())
def test_read_only_commands_on_generated_configuration(
        template: Path, capsys: pytest.CaptureFixture[str], case: Case, commands: list[tuple[str, ...]],
        data: st.DataObject) -> None:
    rev = revisions_named(data, case)
    with copy_of(template) as root:
        case.write(root)
        for command in [("check",), *commands, ("show", rev)]:
            run_in_process(capsys, root, *case.options(root), *command)


# -- databases ---------------------------------------------------------------------------------------------


def fill_sqlite(path: Path, content: tuple[str, tuple[str, ...]] | bytes | None) -> None:
    if content is None:
        return
    if isinstance(content, bytes):
        path.write_bytes(content)
        return
    journal, rows = content
    database(path, *dict.fromkeys(row.encode("utf-8", "replace").decode() for row in rows))
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA journal_mode={journal}")


@fuzz_settings(examples=80)
@given(url=database_urls(), where=st.sampled_from(["option", "environment", "pyproject", "ini"]),
       sqlite=sqlite_files(), extra=st.sampled_from([(), ("--json",), ("--no-search",), ("--timeout", "1")]))
def test_status_on_generated_database_urls(
        template: Path, capsys: pytest.CaptureFixture[str], url: str, where: str,
        sqlite: tuple[str, tuple[str, ...]] | bytes | None, extra: tuple[str, ...]) -> None:
    with copy_of(template) as root:
        data = root.parent / "data"
        data.mkdir()
        fill_sqlite(data / "app.db", sqlite)
        url = url.replace("{tmp}", str(data))
        args: tuple[str, ...] = ("status", *extra)
        with contextlib.ExitStack() as undo:
            if where == "option":
                args += ("--database-url", url)
            elif where == "environment":
                undo.enter_context(pytest.MonkeyPatch.context()).setenv("DATABASE_URL", url)
            elif where == "pyproject":
                (root / "pyproject.toml").write_text(f"[tool.ahq-history]\ndatabase-url = {url!r}\n")
            else:
                ini = root / "alembic.ini"
                ini.write_text(ini.read_text().replace("driver://user:pass@localhost/dbname", url))
            before = files_in(data)
            run_in_process(capsys, root, *args)
            assert files_in(data) == before, "status wrote beside the database"


# -- end to end --------------------------------------------------------------------------------------------


def run_subprocess(cwd: Path, *args: str) -> Run:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run([sys.executable, "-m", "ahq_history", *args], cwd=cwd, env=env, capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=60)
    out, err = (stream.decode("utf-8", "replace") for stream in (done.stdout, done.stderr))
    run = Run(args, done.returncode, out, err)
    run.assert_safe()
    return run


@fuzz_settings(examples=4)
@given(case=st.one_of(revision_cases(), configuration_cases()), url=database_urls())
def test_a_real_interpreter_never_shows_a_traceback(template: Path, case: Case, url: str) -> None:
    with copy_of(template) as root:
        case.write(root)
        for command in (("check", "--no-cache"), ("check", "--hook", "post-merge", "0"), ("history",),
                        ("lint",),
                        ("status", "--no-search", "--database-url", url.replace("{tmp}", str(root)))):
            run_subprocess(root, *case.options(root), *command)

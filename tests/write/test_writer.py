"""Writing merge revisions through Alembic and re-parenting files, on real projects made by Alembic's own
`init` and `revision` commands (and Flask-Migrate's `flask db init` / `flask db revision`)."""

from __future__ import annotations

import contextlib
import io
import os
import re
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from ahq_history.config.loading import load
from ahq_history.config.scan import scan_text
from ahq_history.core.errors import AhqError, RefusedError, UnreachableError, UsageError
from ahq_history.core.plan import MergeStep, Move, Plan, make_plan
from ahq_history.write.writer import apply_plan, atomic_write_bytes, render_plan, reparent_text

# -- real projects --------------------------------------------------------------------------------


def alembic_init(root: Path, template: str = "generic") -> Path:
    """`alembic init [--template T] migrations` in `root`."""
    from alembic import command
    from alembic.config import Config

    root.mkdir(parents=True, exist_ok=True)
    with contextlib.chdir(root), contextlib.redirect_stdout(io.StringIO()):
        toml = "pyproject.toml" if template == "pyproject" else None
        command.init(Config("alembic.ini", toml_file=toml), "migrations", template=template)
    return root


def set_option(root: Path, line: str) -> None:
    """Put `name = value` at the top of alembic.ini's [alembic] section (replacing an active one)."""
    ini = root / "alembic.ini"
    name = line.split("=")[0].strip()
    text = re.sub(rf"(?m)^{re.escape(name)}\s*=.*\n", "", ini.read_text())
    ini.write_text(text.replace("[alembic]\n", f"[alembic]\n{line}\n", 1))


def config_for(root: Path) -> object:
    from alembic.config import Config

    toml = root / "pyproject.toml"
    return Config(str(root / "alembic.ini"), toml_file=str(toml) if toml.exists() else None,
                  stdout=io.StringIO())


def new_revision(root: Path, message: str, rev_id: str, head: str = "head", *, splice: bool = False,
                 version_path: Path | None = None, table: str | None = None,
                 branch_label: str | None = None) -> Path:
    """`alembic revision -m MESSAGE --rev-id ID --head HEAD`, with a real create_table when `table`."""
    from alembic import command

    with contextlib.chdir(root), contextlib.redirect_stdout(io.StringIO()):
        script = command.revision(config_for(root), message=message, rev_id=rev_id, head=head,  # type: ignore[arg-type]
                                  splice=splice, version_path=str(version_path) if version_path else None,
                                  branch_label=branch_label)
    assert script is not None and not isinstance(script, list)
    path = Path(script.path)
    if table:
        create_table(path, table)
    return path


def create_table(path: Path, table: str) -> None:
    """Fill `upgrade()` / `downgrade()` with a real table, so that a round trip means something."""
    text = path.read_text()
    up, down = text.split("def downgrade")
    up = up[: up.rindex("pass")] + (
        f"op.create_table('{table}', sa.Column('id', sa.Integer(), primary_key=True), "
        f"sa.Column('name', sa.String(50)))" + up[up.rindex("pass") + 4:])
    down = down.replace("pass", f"op.drop_table('{table}')", 1)
    path.write_text(up + "def downgrade" + down)


def alembic_heads(root: Path) -> list[str]:
    """Heads as Alembic's own ScriptDirectory reads them (it executes every file)."""
    from alembic.script import ScriptDirectory

    with contextlib.chdir(root):
        return sorted(ScriptDirectory.from_config(config_for(root)).get_heads())  # type: ignore[arg-type]


def round_trip(root: Path, url: str) -> list[str]:
    """`upgrade head`, `downgrade base`, `upgrade head` on `url`; returns the tables at the end."""
    import sqlalchemy as sa
    from alembic import command

    config = config_for(root)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # type: ignore[attr-defined]
    with contextlib.chdir(root), contextlib.redirect_stdout(io.StringIO()):
        command.upgrade(config, "head")  # type: ignore[arg-type]
        command.downgrade(config, "base")  # type: ignore[arg-type]
        command.upgrade(config, "head")  # type: ignore[arg-type]
    engine = sa.create_engine(url)
    try:
        return sorted(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the work tree under `root` (folders as `<dir>`), to compare before and after.
    `.git/` is left out: the tool keeps its git cache there, outside the work tree."""
    found: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        key = path.relative_to(root).as_posix()
        if key.split("/")[0] == ".git":
            continue
        found[key] = path.read_bytes() if path.is_file() else b"<dir>"
    return found


def forked(root: Path) -> Path:
    """An alembic.ini project: base, then Alice's and Bob's revisions on it (real tables)."""
    alembic_init(root)
    new_revision(root, "create users", "a0000000base", table="users")
    new_revision(root, "add audit log", "b00000000bob", table="audit_log")
    new_revision(root, "add phones", "a000000alice", head="a0000000base", splice=True, table="phones")
    return root


def merged_file(before: dict[str, bytes], root: Path) -> str:
    (added,) = set(snapshot(root)) - set(before)
    return added


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return forked(tmp_path / "proj")


def write(root: Path, **options: object) -> list:  # type: ignore[type-arg]
    loaded = load(root / "alembic.ini")
    return apply_plan(loaded.project, loaded.graph, make_plan(loaded.graph), **options)  # type: ignore[arg-type]


# -- merge revisions ------------------------------------------------------------------------------


def test_merge_revision_joins_the_heads_for_alembic(project: Path) -> None:
    before = snapshot(project)
    (written,) = write(project)
    assert merged_file(before, project) == written.relpath
    assert alembic_heads(project) == [written.revision]
    assert written.parents == ("a000000alice", "b00000000bob")
    assert "down_revision: Union[str, Sequence[str], None] = ('a000000alice', 'b00000000bob')" in written.text
    assert '"""merge add phones and add audit log\n' in written.text


def test_merge_revision_round_trips_on_sqlite(project: Path, tmp_path: Path) -> None:
    write(project)
    tables = round_trip(project, f"sqlite:///{tmp_path / 'app.db'}")
    assert tables == ["alembic_version", "audit_log", "phones", "users"]


def test_merge_uses_the_projects_template_with_extra_imports(project: Path) -> None:
    mako = project / "migrations" / "script.py.mako"
    mako.write_text(mako.read_text().replace("import sqlalchemy as sa\n",
                                             "import sqlalchemy as sa\nimport json  # team helpers\n"))
    (written,) = write(project)
    assert "import json  # team helpers\n" in written.text
    assert alembic_heads(project) == [written.revision]


def test_merge_file_name_follows_a_custom_file_template(project: Path) -> None:
    set_option(project, "file_template = %%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    (written,) = write(project, rev_id="c0ffee000001")
    assert re.fullmatch(r"migrations/versions/\d{8}_c0ffee000001_merge_add_phones_and_add_audit_log\.py",
                        written.relpath)
    assert alembic_heads(project) == ["c0ffee000001"]


def test_merge_goes_to_the_version_location_of_the_first_parent(tmp_path: Path) -> None:
    root = alembic_init(tmp_path / "proj")
    (root / "extra").mkdir()
    set_option(root, "version_locations = %(here)s/migrations/versions" + os.pathsep + "%(here)s/extra")
    new_revision(root, "create users", "b0000000base", version_path=root / "migrations" / "versions")
    new_revision(root, "main side", "b000000main1", head="b0000000base")
    new_revision(root, "extra side", "a00000extra1", head="b0000000base", splice=True,
                 version_path=root / "extra")
    (written,) = write(root)
    assert written.relpath.startswith("extra/")
    assert alembic_heads(root) == [written.revision]


def test_version_path_option_chooses_another_location(tmp_path: Path) -> None:
    root = alembic_init(tmp_path / "proj")
    (root / "extra").mkdir()
    set_option(root, "version_locations = %(here)s/migrations/versions" + os.pathsep + "%(here)s/extra")
    new_revision(root, "base", "b0000000base", version_path=root / "migrations" / "versions")
    new_revision(root, "one", "b000000side1", head="b0000000base")
    new_revision(root, "two", "b000000side2", head="b0000000base", splice=True)
    (written,) = write(root, version_path=root / "extra")
    assert written.relpath.startswith("extra/")


def test_version_path_outside_the_version_locations_is_a_usage_error(project: Path) -> None:
    with pytest.raises(UsageError) as caught:
        write(project, version_path=project / "elsewhere")
    assert caught.value.message == (f"--version-path {project / 'elsewhere'} is not one of the version "
                                    "locations (migrations/versions)")


def test_post_write_hooks_run_on_the_merge_revision(project: Path) -> None:
    hook = "import sys; open(sys.argv[1], 'a').write('# checked by the hook\\n')"
    ini = project / "alembic.ini"
    ini.write_text(ini.read_text().replace("[post_write_hooks]\n", textwrap.dedent(f"""\
        [post_write_hooks]
        hooks = mark
        mark.type = exec
        mark.executable = {sys.executable}
        mark.options = -c "{hook}" REVISION_SCRIPT_FILENAME
        """)))
    (written,) = write(project)
    assert written.text.endswith("# checked by the hook\n")
    assert written.path.read_text().endswith("# checked by the hook\n")


def test_pyproject_layout_merges_through_alembics_toml_support(tmp_path: Path) -> None:
    root = alembic_init(tmp_path / "proj", template="pyproject")
    new_revision(root, "base", "c0000000base")
    new_revision(root, "one", "c000000side1")
    new_revision(root, "two", "c000000side2", head="c0000000base", splice=True)
    loaded = load(root / "pyproject.toml")
    assert loaded.project.layout == "pyproject"
    (written,) = apply_plan(loaded.project, loaded.graph, make_plan(loaded.graph))
    assert alembic_heads(root) == [written.revision]


def test_three_heads_get_one_merge_revision(project: Path) -> None:
    new_revision(project, "add carol", "c0000000carl", head="a0000000base", splice=True, table="carol")
    (written,) = write(project)
    assert written.parents == ("a000000alice", "b00000000bob", "c0000000carl")
    assert alembic_heads(project) == [written.revision]


def test_dry_run_renders_the_file_and_leaves_the_tree_as_it_was(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # Alembic executes files: no __pycache__ left
    before = snapshot(project)
    (preview,) = write(project, dry_run=True)
    assert snapshot(project) == before
    assert "Revises: a000000alice, b00000000bob\n" in preview.text
    assert not preview.path.exists()


def test_writing_leaves_no_bytecode_or_staging_folder(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    before = snapshot(project)
    write(project)
    assert len(set(snapshot(project)) - set(before)) == 1


def test_a_failing_step_removes_what_earlier_steps_wrote(project: Path) -> None:
    loaded = load(project / "alembic.ini")
    good = make_plan(loaded.graph).steps[0]
    bad = MergeStep(heads=("a0000000base", "a000000alice"), parents=("a0000000base", "a000000alice"),
                    message="not heads")
    before = snapshot(project)
    with pytest.raises(AhqError, match="Alembic could not write the merge revision: Revision a0000000base "
                                       "is not a head revision"):
        apply_plan(loaded.project, loaded.graph, Plan("merge", (good, bad)))
    assert snapshot(project) == before


def test_a_template_that_breaks_the_merge_is_caught_and_undone(project: Path) -> None:
    mako = project / "migrations" / "script.py.mako"
    mako.write_text(mako.read_text().replace("${repr(down_revision)}", "None"))
    before = snapshot(project)
    with pytest.raises(AhqError, match=r"after writing, Alembic's history still has several heads"):
        write(project)
    assert snapshot(project) == before


def test_a_full_disk_is_said_in_words_and_leaves_the_tree_as_it_was(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load(project / "alembic.ini")
    plan = make_plan(loaded.graph)
    (preview,) = render_plan(loaded.project, loaded.graph, plan)
    before = snapshot(project)

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(UnreachableError) as caught:
        apply_plan(loaded.project, loaded.graph, plan, rendered=[preview])
    assert caught.value.message == (f"cannot write {preview.relpath}: No space left on device; "
                                    "nothing was kept")
    assert snapshot(project) == before


def test_a_dry_run_in_a_read_only_folder_says_so_in_words(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(**options: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    with pytest.raises(UnreachableError) as caught:
        write(project, dry_run=True)
    assert caught.value.message == ("cannot render the merge revision in migrations/versions: "
                                    "Permission denied")


def test_rev_id_is_refused_for_several_merges(project: Path) -> None:
    loaded = load(project / "alembic.ini")
    step = make_plan(loaded.graph).steps[0]
    with pytest.raises(UsageError, match="--rev-id names one revision, but there are 2 merges to write"):
        apply_plan(loaded.project, loaded.graph, Plan("merge", (step, step)), rev_id="c0ffee000001")


def test_rev_id_with_a_path_in_it_is_refused_and_nothing_is_written(project: Path) -> None:
    before = snapshot(project)
    with pytest.raises(UsageError) as refused:
        write(project, rev_id="../../x", dry_run=True)
    assert refused.value.message == ("--rev-id '../../x' is not a revision id: use letters, digits and "
                                     "underscores")
    assert snapshot(project) == before


def test_rev_id_of_an_existing_revision_is_refused(project: Path) -> None:
    with pytest.raises(UsageError) as refused:
        write(project, rev_id="a0000000base")
    assert refused.value.message == ("--rev-id a0000000base is already a revision "
                                     "(migrations/versions/a0000000base_create_users.py)")


def test_a_new_merge_file_gets_the_permissions_of_any_new_file(project: Path) -> None:
    umask = os.umask(0o022)
    try:
        (written,) = write(project)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(written.path.stat().st_mode) == 0o644


# -- preview, then write --------------------------------------------------------------------------


@contextlib.contextmanager
def create_date(when: str) -> object:
    """Alembic's `Create Date` fixed to `when` while rendering (it is the time of rendering otherwise)."""
    import datetime

    from alembic.script import ScriptDirectory

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ScriptDirectory, "_generate_create_date",
                      lambda self: datetime.datetime.fromisoformat(when))
        yield


def test_the_file_written_is_the_preview_byte_for_byte(project: Path) -> None:
    loaded = load(project / "alembic.ini")
    plan = make_plan(loaded.graph)
    with create_date("2001-02-03 04:05:06"):
        (preview,) = render_plan(loaded.project, loaded.graph, plan)
    (written,) = apply_plan(loaded.project, loaded.graph, plan, rendered=[preview])
    assert written.path.read_bytes() == preview.data
    assert "Create Date: 2001-02-03 04:05:06\n" in written.path.read_text()
    assert alembic_heads(project) == [preview.revision]


def test_a_preview_whose_heads_were_merged_meanwhile_is_refused(project: Path) -> None:
    loaded = load(project / "alembic.ini")
    plan = make_plan(loaded.graph)
    preview = render_plan(loaded.project, loaded.graph, plan)
    write(project)  # a teammate's merge arrives first
    before = snapshot(project)
    with pytest.raises(RefusedError) as caught:
        apply_plan(loaded.project, loaded.graph, plan, rendered=preview)
    assert caught.value.message == ("the history changed since the preview: a000000alice, b00000000bob are "
                                    "no longer heads; nothing was written")
    assert snapshot(project) == before


def test_a_rebase_preview_of_a_file_edited_meanwhile_is_refused(project: Path) -> None:
    loaded = load(project / "alembic.ini")
    plan = make_plan(loaded.graph, mode="rebase", named=["b00000000bob"])
    preview = render_plan(loaded.project, loaded.graph, plan)
    bob = project / loaded.graph.revisions["b00000000bob"].path
    bob.write_text(bob.read_text() + "# edited after the preview\n")
    before = snapshot(project)
    with pytest.raises(RefusedError) as caught:
        apply_plan(loaded.project, loaded.graph, plan, rendered=preview)
    assert caught.value.message == (f"{loaded.graph.revisions['b00000000bob'].path} changed since the "
                                    "preview; nothing was written")
    assert snapshot(project) == before


# -- the working folder ---------------------------------------------------------------------------


def test_merge_from_another_folder_reads_relative_paths_from_the_project_and_never_changes_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = forked(tmp_path / "proj")
    set_option(root, "script_location = migrations")  # relative: Alembic takes it from the working folder
    set_option(root, "prepend_sys_path = .")
    (root / "teamtypes.py").write_text("GUID_LENGTH = 36\n")  # what a revision file may import
    bob = root / "migrations" / "versions" / "b00000000bob_add_audit_log.py"
    bob.write_text("import teamtypes  # noqa: F401\n" + bob.read_text())
    hook = "import os, sys; open(sys.argv[1], 'a').write('# hook ran in ' + os.getcwd() + chr(10))"
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("[post_write_hooks]\n", textwrap.dedent(f"""\
        [post_write_hooks]
        hooks = where
        where.type = exec
        where.executable = {sys.executable}
        where.options = -c "{hook}" REVISION_SCRIPT_FILENAME
        """)))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    moves: list[object] = []
    real_chdir = os.chdir
    monkeypatch.setattr(os, "chdir", lambda path: (moves.append(path), real_chdir(path)))
    (written,) = write(root)
    assert moves == []
    assert os.getcwd() == str(elsewhere)
    assert written.text.endswith(f"# hook ran in {root}\n")
    monkeypatch.undo()
    assert alembic_heads(root) == [written.revision]


# -- Flask-Migrate --------------------------------------------------------------------------------

FLASK_APP = """\
from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///app.db"
db = SQLAlchemy(app)
migrate = Migrate(app, db)
"""


def flask(root: Path, *args: str) -> str:
    env = {**os.environ, "FLASK_APP": "app.py"}
    done = subprocess.run([sys.executable, "-m", "flask", *args], cwd=root, env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


@pytest.fixture
def flask_project(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    root.mkdir()
    (root / "app.py").write_text(FLASK_APP)
    flask(root, "db", "init")
    flask(root, "db", "revision", "-m", "create users", "--rev-id", "f0000000base")
    flask(root, "db", "revision", "-m", "add phones", "--rev-id", "f00000000one")
    flask(root, "db", "revision", "-m", "add audit", "--rev-id", "f00000000two", "--head", "f0000000base",
          "--splice")
    for path in (root / "migrations" / "versions").glob("f*.py"):
        create_table(path, path.name.split("_", 1)[1].removesuffix(".py"))
    return root


def test_flask_migrate_layout_merges_as_flask_db_merge_would(flask_project: Path) -> None:
    loaded = load(start=flask_project)
    assert loaded.project.layout == "flask-migrate"
    (written,) = apply_plan(loaded.project, loaded.graph, make_plan(loaded.graph))
    assert written.relpath.startswith("migrations/versions/")
    assert "\ndown_revision = ('f00000000one', 'f00000000two')\n" in written.text  # Flask-Migrate's template
    assert f"{written.revision} (head)" in flask(flask_project, "db", "heads")
    flask(flask_project, "db", "upgrade")
    flask(flask_project, "db", "downgrade", "base")
    flask(flask_project, "db", "upgrade")


# -- re-parenting ---------------------------------------------------------------------------------


def reparented(text: str, old: str = "a0000000base", new: str = "a000000alice") -> str:
    rev, problems = scan_text(text, "versions/b00000000bob.py")
    assert rev is not None and not [p for p in problems if p.is_error]
    return reparent_text(text, rev, Move("b00000000bob", rev.path, old, new, ("b00000000bob",)))


HEADER = '''"""add audit log

Revision ID: b00000000bob
Revises: a0000000base
Create Date: 2026-01-01 12:00:00

"""
'''


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in zip(before.splitlines(True), after.splitlines(True), strict=True) if a != b]


def test_reparent_changes_only_the_down_revision_and_revises_lines() -> None:
    text = HEADER + "revision = 'b00000000bob'\ndown_revision = 'a0000000base'  # Alice's base\n"
    assert changed_lines(text, reparented(text)) == [
        ("Revises: a0000000base\n", "Revises: a000000alice\n"),
        ("down_revision = 'a0000000base'  # Alice's base\n",
         "down_revision = 'a000000alice'  # Alice's base\n"),
    ]


def test_reparent_keeps_annotations_and_double_quotes() -> None:
    text = HEADER + ('revision: str = "b00000000bob"\n'
                     'down_revision: Union[str, Sequence[str], None] = "a0000000base"\n')
    assert 'down_revision: Union[str, Sequence[str], None] = "a000000alice"\n' in reparented(text)


def test_reparent_keeps_a_one_element_tuple_a_tuple() -> None:
    text = HEADER + "revision = 'b00000000bob'\ndown_revision = (\n    'a0000000base',\n)\n"
    assert "down_revision = (\n    'a000000alice',\n)\n" in reparented(text)


def test_reparent_keeps_windows_line_endings() -> None:
    text = (HEADER + "revision = 'b00000000bob'\ndown_revision = 'a0000000base'\n").replace("\n", "\r\n")
    after = reparented(text)
    assert "Revises: a000000alice\r\n" in after
    assert after.count("\r\n") == text.count("\r\n")


def test_reparent_reads_a_file_whose_body_is_python_2() -> None:
    text = HEADER + ("revision = 'b00000000bob'\ndown_revision = 'a0000000base'\n\n"
                     "def upgrade():\n    print 'x'\n")
    assert "down_revision = 'a000000alice'\n" in reparented(text)


def test_reparent_refuses_a_parent_written_in_pieces() -> None:
    text = HEADER + "revision = 'b00000000bob'\ndown_revision = 'a0000000' 'base'\n"
    with pytest.raises(RefusedError, match="the string 'a0000000base' is not written plainly"):
        reparented(text)


def test_rebase_step_on_a_real_file_changes_exactly_two_lines(project: Path) -> None:
    loaded = load(project / "alembic.ini")
    plan = make_plan(loaded.graph, mode="rebase", named=["b00000000bob"])
    bob = project / loaded.graph.revisions["b00000000bob"].path
    before = bob.read_text()
    (written,) = apply_plan(loaded.project, loaded.graph, plan)
    assert len(changed_lines(before, bob.read_text())) == 2
    assert written.diff is not None and written.diff.count("\n+") == 3  # the +++ line and two changes
    assert alembic_heads(project) == ["b00000000bob"]


def test_rebase_dry_run_shows_the_diff_and_writes_nothing(project: Path) -> None:
    loaded = load(project / "alembic.ini")
    plan = make_plan(loaded.graph, mode="rebase", named=["b00000000bob"])
    before = snapshot(project)
    (preview,) = apply_plan(loaded.project, loaded.graph, plan, dry_run=True)
    assert snapshot(project) == before
    assert "-Revises: a0000000base\n+Revises: a000000alice\n" in (preview.diff or "")


# -- files ----------------------------------------------------------------------------------------


def test_atomic_write_keeps_permissions_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "rev.py"
    target.write_text("old\n")
    target.chmod(0o640)
    atomic_write_bytes(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["rev.py"]

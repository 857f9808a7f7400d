"""Writing merge revisions through Alembic, on real projects made by Alembic's own `init` and `revision`
commands (and Flask-Migrate's `flask db init` / `flask db revision`); the builders live in
tests/support/mergeproject.py and tests/support/flaskapp.py."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

import pytest

from ahq_history.config.loading import load
from ahq_history.core.errors import UnreachableError, UsageError
from ahq_history.core.plan import make_plan
from ahq_history.write.transaction import apply_plan
from tests.support.flaskapp import flask
from tests.support.mergeproject import (
    alembic_heads,
    alembic_init,
    forked,
    new_revision,
    python_write_hook,
    round_trip,
    set_option,
    snapshot,
    write,
)


def two_locations(root: Path) -> Path:
    """`alembic init` with a second version location, extra/, after migrations/versions."""
    alembic_init(root)
    (root / "extra").mkdir()
    set_option(root, "version_locations = %(here)s/migrations/versions" + os.pathsep + "%(here)s/extra")
    return root


def merged_file(before: dict[str, bytes], root: Path) -> str:
    (added,) = set(snapshot(root)) - set(before)
    return added


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
    root = two_locations(tmp_path / "proj")
    new_revision(root, "create users", "b0000000base", version_path=root / "migrations" / "versions")
    new_revision(root, "main side", "b000000main1", head="b0000000base")
    new_revision(root, "extra side", "a00000extra1", head="b0000000base", splice=True,
                 version_path=root / "extra")
    (written,) = write(root)
    assert written.relpath.startswith("extra/")
    assert alembic_heads(root) == [written.revision]


def test_version_path_option_chooses_another_location(tmp_path: Path) -> None:
    root = two_locations(tmp_path / "proj")
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
    python_write_hook(project, "mark", "import sys; open(sys.argv[1], 'a').write('# checked by the hook\\n')")
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


def test_writing_leaves_no_bytecode_or_staging_folder(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    before = snapshot(project)
    write(project)
    assert len(set(snapshot(project)) - set(before)) == 1


def test_without_post_write_hooks_the_merge_is_rendered_outside_the_project(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folders: list[object] = []
    real_mkdtemp = tempfile.mkdtemp
    monkeypatch.setattr(tempfile, "mkdtemp", lambda **options: (folders.append(options.get("dir")),
                                                              real_mkdtemp(**options))[1])
    before = snapshot(project)
    write(project, dry_run=True)
    assert folders == [None]  # the system's temporary folder
    assert snapshot(project) == before


def test_post_write_hooks_see_the_file_beside_the_version_location_never_under_it(project: Path) -> None:
    python_write_hook(project, "where",
                      "import sys; open(sys.argv[1], 'a').write('# ' + sys.argv[1] + chr(10))")
    (written,) = write(project, dry_run=True)
    seen = Path(written.text.splitlines()[-1].removeprefix("# "))
    relpath = seen.relative_to(project / "migrations").as_posix()
    assert re.fullmatch(r"\.ahq-history-[^/]+/versions/" + re.escape(written.path.name), relpath)


def test_a_staging_folder_that_cannot_be_made_is_said_in_words(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(**options: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    with pytest.raises(UnreachableError) as caught:
        write(project, dry_run=True)
    assert caught.value.message == (f"cannot render the merge revision in {tempfile.gettempdir()}: "
                                    "Permission denied")


# -- the working folder ---------------------------------------------------------------------------


def test_merge_from_another_folder_reads_relative_paths_from_the_project_and_never_changes_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = forked(tmp_path / "proj")
    set_option(root, "script_location = migrations")  # relative: Alembic takes it from the working folder
    set_option(root, "prepend_sys_path = .")
    (root / "teamtypes.py").write_text("HEADER = '# team header'\n")  # what a template may import
    mako = root / "migrations" / "script.py.mako"
    mako.write_text("<%! import teamtypes %>${teamtypes.HEADER}\n" + mako.read_text())
    hook = "import os, sys; open(sys.argv[1], 'a').write('# hook ran in ' + os.getcwd() + chr(10))"
    python_write_hook(root, "where", hook)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    moves: list[object] = []
    real_chdir = os.chdir
    monkeypatch.setattr(os, "chdir", lambda path: (moves.append(path), real_chdir(path)))
    (written,) = write(root)
    assert moves == []
    assert os.getcwd() == str(elsewhere)
    assert written.text.startswith("# team header\n")
    assert written.text.endswith(f"# hook ran in {root}\n")
    monkeypatch.undo()
    assert alembic_heads(root) == [written.revision]


# -- Flask-Migrate --------------------------------------------------------------------------------

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

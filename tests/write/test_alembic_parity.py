"""The merge revision we write is the file `alembic merge --rev-id ID P1 P2 -m MSG` writes, byte for byte
(the `Create Date` line normalised), on projects made by Alembic's and Flask-Migrate's own `init` and
`revision` commands. Alembic runs in a twin copy of each project, as a separate process, so that it may
import the revision files there while our side imports none."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ahq_history.config.loading import load
from ahq_history.core.plan import MergeStep, Plan
from ahq_history.write.transaction import apply_plan
from tests.support.flaskapp import flask, flask_forked
from tests.support.mergeproject import alembic_init, forked, new_revision, python_write_hook, set_option
from tests.write.test_merge import two_locations

REV = "c0ffee000001"
MESSAGE = "merge add phones and add audit log"


def ours(root: Path, parents: tuple[str, ...], message: str = MESSAGE) -> tuple[str, bytes]:
    """Our merge of `parents` (in that order) written into `root`: its path below root and its bytes."""
    loaded = load(start=root)
    step = MergeStep(heads=parents, parents=parents, message=message)
    (written,) = apply_plan(loaded.project, loaded.graph, Plan("merge", (step,)), rev_id=REV)
    return written.relpath, written.path.read_bytes()


def theirs(twin: Path, parents: tuple[str, ...], message: str = MESSAGE, *,
           tool: tuple[str, ...] = ("alembic",)) -> tuple[str, bytes]:
    """`alembic merge --rev-id REV PARENTS -m MESSAGE` (or `flask db merge`) run in `twin`: the file it
    added."""
    before = set(_files(twin))
    args = [*tool, "merge", "--rev-id", REV, "-m", message, *parents]
    if tool == ("alembic",):
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        done = subprocess.run([sys.executable, "-m", "alembic", *args[1:]], cwd=twin, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    else:
        flask(twin, *args[1:])
    (added,) = set(_files(twin)) - before
    return added, (twin / added).read_bytes()


def _files(root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in root.rglob("*.py") if "__pycache__" not in p.parts]


def normalised(relpath: str, data: bytes) -> tuple[str, bytes]:
    """The `Create Date` line replaced, and that date taken out of the file name (a `file_template` with
    `%(year)d` names the file after it)."""
    found = re.search(rb"(?m)^Create Date: (\d{4})-(\d{2})-(\d{2}) .*$", data)
    assert found is not None
    year, month, day = (part.decode() for part in found.groups())
    for dated in (f"{year}_{month}_{day}", f"{year}{month}{day}"):
        relpath = relpath.replace(dated, "<date>")
    return relpath, data[: found.start()] + b"Create Date: <date>" + data[found.end():]


def assert_same_as_alembic(root: Path, parents: tuple[str, ...], *, message: str = MESSAGE,
                           tool: tuple[str, ...] = ("alembic",)) -> str:
    twin = root.with_name(root.name + "-twin")
    shutil.copytree(root, twin, symlinks=True)
    mine = normalised(*ours(root, parents, message))
    alembics = normalised(*theirs(twin, parents, message, tool=tool))
    assert mine[0] == alembics[0]
    assert mine[1].decode("utf-8", "replace") == alembics[1].decode("utf-8", "replace")  # a readable diff
    assert mine[1] == alembics[1]
    return mine[0]


def test_generic_template_merge_equals_alembic_merge(tmp_path: Path) -> None:
    root = forked(tmp_path / "proj")
    assert_same_as_alembic(root, ("a000000alice", "b00000000bob"))


def test_parent_order_is_kept_as_alembic_merge_keeps_it(tmp_path: Path) -> None:
    root = forked(tmp_path / "proj")
    assert_same_as_alembic(root, ("b00000000bob", "a000000alice"))


def test_pyproject_template_merge_equals_alembic_merge(tmp_path: Path) -> None:
    root = alembic_init(tmp_path / "proj", template="pyproject")
    new_revision(root, "base", "c0000000base")
    new_revision(root, "one", "c000000side1")
    new_revision(root, "two", "c000000side2", head="c0000000base", splice=True)
    assert_same_as_alembic(root, ("c000000side1", "c000000side2"))


def test_flask_migrate_template_merge_equals_flask_db_merge(tmp_path: Path) -> None:
    root = flask_forked(tmp_path / "app")
    assert_same_as_alembic(root, ("f00000000one", "f00000000two"), tool=("flask", "db"))


def test_custom_template_with_extra_imports_merge_equals_alembic_merge(tmp_path: Path) -> None:
    root = forked(tmp_path / "proj")
    mako = root / "migrations" / "script.py.mako"
    mako.write_text(mako.read_text().replace(
        "import sqlalchemy as sa\n",
        "import sqlalchemy as sa\nimport json  # team helpers\n"
        "from sqlalchemy.dialects import postgresql\n"
        "% if config:\n# config: ${type(config).__name__}\n% endif\n"))
    assert_same_as_alembic(root, ("a000000alice", "b00000000bob"))


def test_merge_lands_where_alembic_puts_it_with_several_version_locations(tmp_path: Path) -> None:
    root = two_locations(tmp_path / "proj")
    new_revision(root, "create users", "b0000000base", version_path=root / "migrations" / "versions")
    new_revision(root, "main side", "b000000main1", head="b0000000base")
    new_revision(root, "extra side", "a00000extra1", head="b0000000base", splice=True,
                 version_path=root / "extra")
    assert assert_same_as_alembic(root, ("a00000extra1", "b000000main1")).startswith("extra/")


def test_first_parent_in_the_first_location_puts_the_merge_there_as_alembic_does(tmp_path: Path) -> None:
    root = two_locations(tmp_path / "proj")
    new_revision(root, "create users", "b0000000base", version_path=root / "migrations" / "versions")
    new_revision(root, "main side", "b000000main1", head="b0000000base")
    new_revision(root, "extra side", "a00000extra1", head="b0000000base", splice=True,
                 version_path=root / "extra")
    relpath = assert_same_as_alembic(root, ("b000000main1", "a00000extra1"))
    assert relpath.startswith("migrations/versions/")


def test_custom_file_template_and_truncate_slug_length_name_the_file_as_alembic_does(tmp_path: Path) -> None:
    root = forked(tmp_path / "proj")
    set_option(root, "file_template = %%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    set_option(root, "truncate_slug_length = 12")
    relpath = assert_same_as_alembic(root, ("a000000alice", "b00000000bob"))
    assert relpath == f"migrations/versions/<date>_{REV}_merge_add_.py"


def test_output_encoding_is_applied_as_alembic_applies_it(tmp_path: Path) -> None:
    root = forked(tmp_path / "proj")
    set_option(root, "output_encoding = latin-1")
    mako = root / "migrations" / "script.py.mako"
    # A coding line written as an expression: Mako would take a literal one as the template's own encoding.
    mako.write_text('${"# -*- coding: latin-1 -*-"}\n' + mako.read_text())
    relpath = assert_same_as_alembic(root, ("a000000alice", "b00000000bob"), message="merge café and crème")
    assert "café".encode("latin-1") in (root / relpath).read_bytes()


def test_post_write_hooks_give_the_bytes_alembic_merge_keeps(tmp_path: Path) -> None:
    root = forked(tmp_path / "proj")
    python_write_hook(root, "stamp", "import sys; open(sys.argv[1], 'a').write('# formatted' + chr(10))")
    relpath = assert_same_as_alembic(root, ("a000000alice", "b00000000bob"))
    assert (root / relpath).read_bytes().endswith(b"\n# formatted\n")

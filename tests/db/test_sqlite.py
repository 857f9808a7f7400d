"""SQLite read so that nothing is written or created beside the file, WAL databases included."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest

from ahq_history.cli.main import main
from ahq_history.core.errors import UnreachableError
from ahq_history.db.read import DatabaseUrl, read_version_rows
from tests.support.dbstory import alembic_cli, bob_story


def wal_database(folder: Path, committed: str, in_wal: str) -> sqlite3.Connection:
    """A WAL database whose last change (`in_wal`) is still only in its -wal file; the writer stays open."""
    folder.mkdir(parents=True, exist_ok=True)
    writer = sqlite3.connect(folder / "app.db")
    writer.execute("PRAGMA journal_mode=wal")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    with writer:
        writer.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        writer.execute("INSERT INTO alembic_version VALUES (?)", (committed,))
    writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # `committed` is in app.db itself
    with writer:
        writer.execute("UPDATE alembic_version SET version_num = ?", (in_wal,))
    return writer


def wal_without_shm(tmp_path: Path) -> Path:
    """app.db and its -wal, copied while the writer was open (a backup, a volume): no -shm beside them."""
    writer = wal_database(tmp_path / "live", "aaaa00000001", "bbbb00000002")
    try:
        copy = tmp_path / "copy"
        copy.mkdir()
        shutil.copyfile(tmp_path / "live" / "app.db", copy / "app.db")
        shutil.copyfile(tmp_path / "live" / "app.db-wal", copy / "app.db-wal")
    finally:
        writer.close()
    return copy / "app.db"


def read(path: Path) -> tuple[str, ...]:
    return read_version_rows(DatabaseUrl(f"sqlite:///{path}", "--database-url"), path.parent).revisions


def test_wal_without_shm_creates_no_file_beside_the_database(tmp_path: Path) -> None:
    path = wal_without_shm(tmp_path)
    before = {p.name: p.read_bytes() for p in path.parent.iterdir()}
    read(path)
    assert {p.name: p.read_bytes() for p in path.parent.iterdir()} == before  # no -shm, nothing changed


def test_wal_without_shm_still_sees_the_rows_in_the_wal_file(tmp_path: Path) -> None:
    assert read(wal_without_shm(tmp_path)) == ("bbbb00000002",)


def test_private_copy_is_removed_after_the_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = wal_without_shm(tmp_path)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    read(path)
    assert list(scratch.iterdir()) == []


def test_wal_file_that_is_a_fifo_is_refused_not_copied(tmp_path: Path) -> None:
    path = wal_without_shm(tmp_path)
    (tmp_path / "copy" / "app.db-wal").unlink()
    os.mkfifo(tmp_path / "copy" / "app.db-wal")  # copying it would wait for a writer forever
    with pytest.raises(UnreachableError) as caught:
        read(path)
    assert caught.value.message == f"cannot read the database {path}: app.db-wal is not a regular file"


@pytest.mark.parametrize("attack", ["fifo", "symlink_to_dev_zero"])
def test_a_database_path_that_is_a_fifo_or_a_device_is_refused_not_opened(tmp_path: Path,
                                                                          attack: str) -> None:
    path = tmp_path / "app.db"
    if attack == "fifo":
        os.mkfifo(path)  # SQLite would wait for a writer forever
    else:
        path.symlink_to("/dev/zero")
    with pytest.raises(UnreachableError) as caught:
        read(path)
    assert caught.value.message == f"cannot read the database {path.resolve()}: it is not a regular file"


def test_wal_copy_that_fails_is_unreachable_not_internal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = wal_without_shm(tmp_path)

    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", full)
    with pytest.raises(UnreachableError) as caught:
        read(path)
    assert caught.value.message == (f"cannot read the database {path}: copying it with its app.db-wal into a "
                                    "temporary folder failed (No space left on device)")
    assert caught.value.exit_code == 2


def test_open_writer_wal_and_shm_are_read_in_place_creating_nothing(tmp_path: Path) -> None:
    writer = wal_database(tmp_path, "aaaa00000001", "bbbb00000002")
    try:
        names = sorted(p.name for p in tmp_path.iterdir())
        assert names == ["app.db", "app.db-shm", "app.db-wal"]
        assert read(tmp_path / "app.db") == ("bbbb00000002",)
        assert sorted(p.name for p in tmp_path.iterdir()) == names
    finally:
        writer.close()


def test_status_on_a_wal_database_alembic_upgraded_leaves_no_shm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bob_story(tmp_path / "repo")
    alembic_cli(root, "upgrade", "head")
    with sqlite3.connect(root / "app.db") as conn:
        conn.execute("PRAGMA journal_mode=wal")
    conn.close()  # the last connection folds the -wal in and removes -wal and -shm
    assert not (root / "app.db-wal").exists()
    capsys.readouterr()
    assert main(["-c", str(root / "alembic.ini"), "status", "--no-search"]) == 0
    assert "at        cccc00000001" in capsys.readouterr().out
    assert sorted(p.name for p in root.glob("app.db*")) == ["app.db"]

"""Files in a versions folder that are not files: symlinks to `/dev/zero` and `/dev/tty`, a FIFO, a symlink
loop and a folder that links to itself. Read naively, the first three hang or eat memory; `check` names each
and exits 2 within seconds. A versions folder or a file that cannot be read (permission, I/O error, injected
by patching since CI runs as root) is exit 2 too; a file that was read but does not compile is exit 3."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.clirun import run_main
from tests.support.projects import add_revision, alembic_project

HEAD = "cafe00000002"


def _link_zero(versions: Path) -> str:
    (versions / "zero.py").symlink_to("/dev/zero")
    return "zero.py cannot be read (it is a character device, not a file)"


def _link_tty(versions: Path) -> str:
    (versions / "tty.py").symlink_to("/dev/tty")
    return "tty.py cannot be read ("  # a character device; without a terminal, "No such device"


def _fifo(versions: Path) -> str:
    os.mkfifo(versions / "fifo.py")
    return "fifo.py cannot be read (it is a FIFO, not a file)"


def _symlink_loop(versions: Path) -> str:
    (versions / "loop_a.py").symlink_to(versions / "loop_b.py")
    (versions / "loop_b.py").symlink_to(versions / "loop_a.py")
    return "loop_a.py cannot be read (it is a symlink loop)"


ATTACKS: dict[str, Callable[[Path], str]] = {
    "symlink_to_dev_zero": _link_zero,
    "symlink_to_dev_tty": _link_tty,
    "fifo": _fifo,
    "symlink_loop": _symlink_loop,
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = alembic_project(tmp_path / "p")
    add_revision(root, "create users", "cafe00000001")
    add_revision(root, "add phone", HEAD)
    return root


def _check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`ahq-history check` in a subprocess, so that a hang fails the test instead of freezing it."""
    return subprocess.run([sys.executable, "-m", "ahq_history", "check", "--no-cache", *args], cwd=root,
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_check_names_a_versions_entry_that_is_not_a_file(project: Path, attack: str) -> None:
    said = ATTACKS[attack](project / "migrations" / "versions")
    done = _check(project)
    assert done.returncode == 2, done.stderr
    assert f"migrations/versions/{said}" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_a_folder_that_links_to_itself_is_not_entered(project: Path) -> None:
    """Alembic lists files only (and does not follow symlinked folders when recursive): the loop is inert."""
    (project / "migrations" / "versions" / "loop").symlink_to(".", target_is_directory=True)
    done = _check(project, "--json")
    assert done.returncode == 0, done.stderr
    assert '"revision": "cafe00000002"' in done.stdout


def test_a_file_over_the_size_cap_is_named_not_read(project: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from ahq_history.config import safefile

    monkeypatch.setattr(safefile, "MAX_FILE_BYTES", 200)  # read_regular_file's default is bound at import
    monkeypatch.setattr(safefile.read_regular_file, "__defaults__", (200,))
    code, _out, err = run_main(capsys, "-c", str(project / "alembic.ini"), "check", "--no-cache")
    assert code == 2
    assert "bytes; a revision file is far smaller" in err


def test_an_unreadable_versions_folder_is_exit_2_not_an_empty_history(
        project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.scandir

    def denied(path: Any = ".") -> Any:
        if str(path).endswith("versions"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", denied)
    code, out, err = run_main(capsys, "-c", str(project / "alembic.ini"), "check", "--no-cache")
    assert (code, out) == (2, "")
    assert "cannot read the versions folder" in err and "Permission denied" in err


@pytest.mark.parametrize(("attack", "failure"), [
    ("permission_denied", PermissionError(errno.EACCES, "Permission denied")),
    ("io_error", OSError(errno.EIO, "Input/output error")),
])
def test_a_revision_file_that_cannot_be_read_is_exit_2(project: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch, attack: str,
                                                       failure: OSError) -> None:
    real = os.open

    def failing(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith(f"{HEAD}_add_phone.py"):
            raise failure
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", failing)
    code, _out, err = run_main(capsys, "-c", str(project / "alembic.ini"), "check", "--no-cache")
    assert code == 2, attack
    assert f"migrations/versions/{HEAD}_add_phone.py" in err and failure.strerror in err


@pytest.mark.parametrize("command", [["check"], ["history"], ["show", HEAD], ["merge-heads", "--dry-run"]])
def test_a_syntax_error_in_a_non_head_file_is_exit_3_with_file_and_line(
        project: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    path = next((project / "migrations" / "versions").glob("cafe00000001_*.py"))
    text = path.read_text()
    path.write_text(text.replace("def downgrade() -> None:", "def downgrade( -> None:"))
    line = text[:text.index("def downgrade() -> None:")].count("\n") + 1
    code, out, err = run_main(capsys, "-c", str(project / "alembic.ini"), *command)
    assert code == 3
    said = out + err
    assert f"{path.relative_to(project).as_posix()}:{line}" in said
    assert "the file of revision cafe00000001 is not valid Python" in said


@pytest.mark.parametrize("attack", ["fifo", "symlink_to_dev_zero"])
def test_an_alembic_ini_that_is_not_a_file_is_named_not_read(tmp_path: Path, attack: str) -> None:
    ini = tmp_path / "alembic.ini"
    if attack == "fifo":
        os.mkfifo(ini)
    else:
        ini.symlink_to("/dev/zero")
    done = subprocess.run([sys.executable, "-m", "ahq_history", "-c", str(ini), "check"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert f"configuration file {ini} is not a regular file" in done.stderr


def test_a_pyproject_that_is_a_fifo_is_skipped_not_read(project: Path) -> None:
    os.mkfifo(project / "pyproject.toml")  # settings are looked for there; reading it would hang
    done = _check(project)
    assert done.returncode == 0, done.stderr

"""The wheel as a user gets it: built from a copy of this tree, it ships `ahq_history` only, takes its
version from `ahq_history.__version__`, asks for compatible ranges, and installed in a clean virtual
environment gives a working `ahq-history`."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from ahq_history import __version__

ROOT = Path(__file__).resolve().parents[1]
LEFT_OUT = shutil.ignore_patterns(".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__",
                                  ".*_cache", ".cache", "instance", "tests")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip wheel --no-deps` of a copy of the tree (the build writes its folders there, not here)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=LEFT_OUT)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(source),
                            "-w", str(work / "dist")], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    (path,) = (work / "dist").glob("ahq_history-*.whl")
    return path


@pytest.mark.packaging
def test_the_wheel_ships_the_tool_only(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.startswith("backend/")]
    assert {n.split("/")[0] for n in names} == {"ahq_history", f"ahq_history-{__version__}.dist-info"}
    assert "ahq_history/tui/app.tcss" in names and "ahq_history/flaskcli.py" in names


@pytest.mark.packaging
def test_the_metadata_has_one_version_and_ranges(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    info = f"ahq_history-{__version__}.dist-info"
    metadata = archive.read(f"{info}/METADATA").decode()
    assert f"\nVersion: {__version__}\n" in metadata
    runtime = [line for line in metadata.splitlines()
               if line.startswith("Requires-Dist:") and "extra ==" not in line]
    assert not [line for line in runtime if "==" in line], runtime
    (textual,) = [Requirement(line.split(":", 1)[1]) for line in runtime if "textual" in line]
    # Beside another Textual 8.x: the pilot tests pass on 8.0.2; the snapshots need the test extra's pin.
    assert all(textual.specifier.contains(v) for v in ("8.0.2", "8.2.8", "8.9.0")), textual
    assert not textual.specifier.contains("9.0.0"), textual
    entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert "[flask.commands]\nahq = ahq_history.flaskcli:ahq" in entry_points


@pytest.mark.packaging
def test_the_wheel_installed_in_a_clean_venv_runs(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                                "--no-deps", str(wheel)], capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stderr
    done = subprocess.run([str(venv / "bin" / "ahq-history"), "--version"], capture_output=True, text=True,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"ahq-history {__version__}\n"
    where = subprocess.run([str(python), "-c", "import ahq_history, importlib.util as u; "
                            "print(ahq_history.__file__, u.find_spec('backend'))"],
                           capture_output=True, text=True, cwd=tmp_path)
    assert where.stdout.startswith(str(venv)) and where.stdout.endswith(" None\n"), where.stdout

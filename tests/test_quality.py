"""The project's own checks run as part of the test command: lint, types, the layering contracts, and the
limits that keep the package easy to read (no import cycles, short modules and functions, a cheap
`check`, a map in docs/ARCHITECTURE.md that names every subpackage)."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.gitcli import commit_all, git
from tests.support.gitstory import ALICE
from tests.support.projects import add_revision, shared_project

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ahq_history"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60  # from the `def` line to the last line of the body


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_ruff_finds_nothing() -> None:
    done = _run(sys.executable, "-m", "ruff", "check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_passes_on_the_package() -> None:
    done = _run(sys.executable, "-m", "mypy")
    assert done.returncode == 0, done.stdout + done.stderr


def test_import_contracts_keep_the_core_pure() -> None:
    linter = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if linter is None:
        pytest.fail("lint-imports is not installed; install the test extra: pip install -e '.[test]'")
    done = _run(linter)
    assert done.returncode == 0, done.stdout + done.stderr


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _where(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_no_import_cycle_between_modules() -> None:
    import grimp
    import networkx as nx

    # Function-local imports count: a cycle hidden inside a function is still a cycle for a reader.
    imports = grimp.build_graph("ahq_history", exclude_type_checking_imports=True, cache_dir=None)
    edges = nx.DiGraph([(module, imported) for module in imports.modules
                        for imported in imports.find_modules_directly_imported_by(module)])
    cycles = []
    for group in nx.strongly_connected_components(edges):
        if len(group) == 1 and not any(edges.has_edge(m, m) for m in group):
            continue
        cycle = [importer for importer, _ in nx.find_cycle(edges.subgraph(group))]
        cycles.append(f"{' -> '.join([*cycle, cycle[0]])}  (all tied together: {', '.join(sorted(group))})")
    assert not cycles, "import cycles:\n" + "\n".join(sorted(cycles))


def test_no_module_is_over_400_lines() -> None:
    long_modules = [f"{_where(path)}: {count} lines" for path in _modules()
                    if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]
    assert not long_modules, f"modules over {MAX_MODULE_LINES} lines:\n" + "\n".join(long_modules)


def test_no_function_is_over_60_lines() -> None:
    long_functions = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions.append(f"{_where(path)}:{node.lineno}: {node.name}, {length} lines")
    assert not long_functions, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long_functions)


def test_nothing_is_imported_by_a_computed_name() -> None:
    # Every import is a plain statement, so that readers, grimp and import-linter can follow it.
    by_name = {"import_module", "__import__"}
    found = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            named = (node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute)
                     else node.name if isinstance(node, ast.alias) else None)
            if named in by_name:
                found.append(f"{_where(path)}:{getattr(node, 'lineno', '?')}: {named}")
    assert not found, "imports by a computed name:\n" + "\n".join(found)


# What a cold `check` imports beyond the standard library, measured: git facts need GitPython (git, gitdb,
# smmap) and the graph needs networkx. Alembic, SQLAlchemy, Textual and Mako must never be on this list.
COLD_CHECK_IMPORTS = frozenset({"git", "gitdb", "networkx", "smmap"})
WARM_CHECK_NEVER_IMPORTS = ("networkx", "git", "alembic", "sqlalchemy", "rich", "textual", "mako")
CHECK_PROBE = """
import json, sys
before = set(sys.modules)
from ahq_history.cli.main import main
code = main(["check"])
new = {name.partition(".")[0] for name in set(sys.modules) - before}
print(json.dumps({"code": code, "loaded": sorted(sys.modules),
                  "third_party": sorted(new - set(sys.stdlib_module_names) - {"ahq_history"})}))
"""


def _check_in_subprocess(root: Path) -> tuple[int, set[str], set[str]]:
    """`check` in a fresh interpreter: its exit code, every module loaded, and the third-party top-level
    modules it imported."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", CHECK_PROBE], cwd=root, env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    answer = json.loads(done.stdout.splitlines()[-1])
    return answer["code"], set(answer["loaded"]), set(answer["third_party"])


def test_cold_check_imports_only_its_baseline_and_warm_check_only_the_standard_library(
        tmp_path: Path) -> None:
    assert not COLD_CHECK_IMPORTS & {"alembic", "sqlalchemy", "textual", "mako"}
    root = shared_project(tmp_path / "proj")
    add_revision(root, "create users", "aaaa00000001")
    add_revision(root, "add users phone", "aaaa00000002")
    git(root, "init", "-q")
    commit_all(root, "start the project", ALICE)
    cold_code, _, cold_third_party = _check_in_subprocess(root)
    warm_code, warm_loaded, _ = _check_in_subprocess(root)
    assert (cold_code, warm_code) == (0, 0)
    assert sorted(cold_third_party - COLD_CHECK_IMPORTS) == []
    assert [name for name in WARM_CHECK_NEVER_IMPORTS if name in warm_loaded] == []
    assert (root / ".git" / "ahq-history").is_dir()


def test_architecture_map_names_every_subpackage() -> None:
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.partition("\n## Subpackages")[2].partition("\n## ")[0]
    named = set(re.findall(r"^\| `(\w+)/` \|", section, flags=re.MULTILINE))
    existing = {init.parent.name for init in PACKAGE.glob("*/__init__.py")}
    assert named, "docs/ARCHITECTURE.md has no table of subpackages under '## Subpackages'"
    assert sorted(existing - named) == [], "subpackages missing from docs/ARCHITECTURE.md"
    assert sorted(named - existing) == [], "named in docs/ARCHITECTURE.md but not in ahq_history/"

"""Revision values written with names, as real projects write them (OpenStack's `migration.EXPAND_BRANCH`):
followed statically through the file's constants and the project's modules, never imported, and the
answer compared with what Alembic's `ScriptDirectory` finds by running the files."""

from __future__ import annotations

import importlib
import re
import sys
import textwrap
from pathlib import Path

import pytest

from ahq_history.config.loading import load
from ahq_history.config.modules import module_text
from ahq_history.core.graph import RevisionGraph
from ahq_history.core.model import Revision
from ahq_history.core.names import Names
from ahq_history.core.source import scan_text
from tests.support.agreement import alembic_view, ini_config, our_view
from tests.support.clirun import check_json
from tests.support.projects import add_revision, alembic_project

MIGRATION = '''\
"""Constants shared by the migrations (as in neutron/db/migration/__init__.py)."""
EXPAND_BRANCH = "expand"
CONTRACT_BRANCH = "contract"
'''


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def use_names(path: Path, imports: str, **values: str) -> None:
    """Edit a file `alembic revision` wrote: its imports, and variables set to expressions with names."""
    text = path.read_text().replace("from alembic import op\n", f"from alembic import op\n{imports}\n")
    for name, expression in values.items():
        text, count = re.subn(rf"^{name}(: [^=\n]*)? = .*$", f"{name} = {expression}", text, flags=re.M)
        assert count == 1
    path.write_text(text)


def expand_contract(root: Path, migration: str = MIGRATION) -> dict[str, Path]:
    """`alembic init`, a base, and two labelled branches on it (expand e1 -> e2, contract c1 -> c2, c2
    depending on the expand branch), then edited to take the labels from `myproj/db/migration.py`."""
    alembic_project(root)
    write(root / "myproj" / "__init__.py", "")
    write(root / "myproj" / "db" / "__init__.py", "")
    write(root / "myproj" / "db" / "migration.py", migration)
    files = {"a0": add_revision(root, "initial", "a0")}
    files["e1"] = add_revision(root, "expand", "e1", head="a0", branch_label="expand")
    files["c1"] = add_revision(root, "contract", "c1", head="a0", branch_label="contract", splice=True)
    files["e2"] = add_revision(root, "add phone", "e2", head="expand@head")
    files["c2"] = add_revision(root, "drop fax", "c2", head="contract@head", depends_on="expand")
    use_names(files["e1"], "from myproj.db import migration", branch_labels="(migration.EXPAND_BRANCH,)")
    use_names(files["c1"], "from myproj.db.migration import CONTRACT_BRANCH", branch_labels="CONTRACT_BRANCH")
    use_names(files["c2"], "import myproj.db.migration as m", depends_on="[m.EXPAND_BRANCH]")
    return files


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project's folder, also the current one: Alembic takes `prepend_sys_path = .` from where it runs."""
    folder = tmp_path / "proj"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def alembic_diverged(root: Path) -> bool:
    """Alembic's view: two heads that no branch label tells apart (`label@head` cannot choose). Alembic
    gives each revision the labels of the branch it is on."""
    from alembic.script import ScriptDirectory

    path, loaded = list(sys.path), set(sys.modules)
    importlib.invalidate_caches()  # see tests/support/agreement.py
    try:
        script = ScriptDirectory.from_config(ini_config(root / "alembic.ini"))
        labels = [frozenset(script.get_revision(h).branch_labels) for h in script.get_heads()]
    finally:  # Alembic imported the project's modules: the next test has its own
        sys.path[:] = path
        for name in set(sys.modules) - loaded:
            del sys.modules[name]
    return len(labels) != len(set(labels))


def test_labels_and_depends_on_from_a_constants_module_agree_with_alembic(root: Path) -> None:
    expand_contract(root)
    loaded = load(root / "alembic.ini")
    assert loaded.problems == []
    assert our_view(loaded) == alembic_view(ini_config(root / "alembic.ini"))
    assert loaded.graph.revisions["e1"].branch_labels == ("expand",)
    assert loaded.graph.dependencies("c2") == ["e1"]  # the label `expand` names e1, as in Alembic


def test_check_agrees_with_alembic_that_labelled_branches_are_not_a_divergence(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expand_contract(root)
    code, report = check_json(root, capsys, "--no-cache")
    assert alembic_diverged(root) is False
    assert code == 0 and report["divergences"] == []


def test_a_warm_check_sees_an_edit_of_the_constants_module(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The cache key covers the revision files; the modules their labels come from are checked too, so
    making both branches' labels equal (a real divergence) is not hidden by an earlier answer."""
    expand_contract(root)
    assert check_json(root, capsys)[0] == 0  # fills the cache
    write(root / "myproj" / "db" / "migration.py", MIGRATION.replace('"contract"', '"expand"'))
    code, report = check_json(root, capsys)
    assert code != 0, report  # two heads labelled `expand`: Alembic cannot tell them apart either


def test_a_real_divergence_inside_a_named_branch_is_still_one(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expand_contract(root)
    add_revision(root, "add fax", "e3", head="e1", splice=True)  # a second head on the expand branch
    code, report = check_json(root, capsys, "--no-cache")
    assert alembic_diverged(root) is True
    assert code == 1 and [sorted(d["heads"]) for d in report["divergences"]] == [["e2", "e3"]]


def test_mixed_tuple_local_constant_and_concatenation_agree_with_alembic(root: Path) -> None:
    files = expand_contract(root)
    use_names(files["c1"], "RELEASE = 'ocata'\nfrom myproj.db import migration",
              branch_labels="(RELEASE + '01', migration.CONTRACT_BRANCH)")
    loaded = load(root / "alembic.ini")
    assert loaded.problems == []
    assert set(loaded.graph.revisions["c1"].branch_labels) == {"ocata01", "contract"}
    assert our_view(loaded) == alembic_view(ini_config(root / "alembic.ini"))


def test_prepend_sys_path_is_where_the_package_is_found(root: Path) -> None:
    expand_contract(root)
    (root.parent / "lib").mkdir()
    (root / "myproj").rename(root.parent / "lib" / "myproj")  # beside the project, not in it
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("prepend_sys_path = .", "prepend_sys_path = ../lib"))
    loaded = load(ini)
    assert loaded.problems == []
    assert our_view(loaded) == alembic_view(ini_config(ini))


def test_what_cannot_be_followed_is_a_warning_and_never_a_divergence_or_dangling(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Alembic runs these; we cannot. Both branches' labels are unknown to us, so both heads look unlabelled.
    computed = MIGRATION.replace('"expand"', '"EXPAND".lower()').replace('"contract"', '"CONTRACT".lower()')
    files = expand_contract(root, computed)
    code, report = check_json(root, capsys, "--no-cache")
    theirs = alembic_view(ini_config(root / "alembic.ini"))
    ours = our_view(load(root / "alembic.ini"))
    assert (ours.heads, ours.bases, ours.branchpoints) == (theirs.heads, theirs.bases, theirs.branchpoints)
    assert alembic_diverged(root) is False
    assert code == 0 and report["divergences"] == []
    problems = [(p["kind"], p["severity"], p["path"], p["line"]) for p in report["problems"]]
    versions = "migrations/versions"
    assert problems == [
        ("non-literal", "warning", f"{versions}/c1_contract.py", line_of(files["c1"], "branch_labels")),
        ("non-literal", "warning", f"{versions}/c2_drop_fax.py", line_of(files["c2"], "depends_on")),
        ("non-literal", "warning", f"{versions}/e1_expand.py", line_of(files["e1"], "branch_labels"))]
    (message,) = [p["message"] for p in report["problems"] if p["path"].endswith("e1_expand.py")]
    assert message == ("branch_labels of revision e1 is not a literal: `migration.EXPAND_BRANCH` in "
                       "`(migration.EXPAND_BRANCH,)` is found neither in e1_expand.py nor in the project's "
                       "modules, so it is read as empty; `--exec-unresolved` runs the file to read it")


def line_of(path: Path, name: str) -> int:
    return next(n for n, line in enumerate(path.read_text().split("\n"), 1) if line.startswith(name))


def test_exec_unresolved_runs_only_the_files_left_unread(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expand_contract(root, MIGRATION.replace('"expand"', '"EXPAND".lower()'))
    a0 = root / "migrations" / "versions" / "a0_initial.py"
    a0.write_text(a0.read_text() + "\nopen(__file__ + '.ran', 'w').close()\n")  # a literal file: never run
    code, report = check_json(root, capsys, "--no-cache", "--exec-unresolved")
    assert code == 0 and report["problems"] == [] and report["divergences"] == []
    assert not (a0.parent / "a0_initial.py.ran").exists()  # (Alembic, below, runs every file)
    theirs = alembic_view(ini_config(root / "alembic.ini"))
    loaded = load(root / "alembic.ini", exec_unresolved=True)
    assert our_view(loaded) == theirs
    assert loaded.graph.dependencies("c2") == ["e1"]


def test_exec_unresolved_is_not_a_setting_of_a_tracked_file(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expand_contract(root)
    (root / "pyproject.toml").write_text("[tool.ahq-history]\nexec-unresolved = true\n")
    code, report = check_json(root, capsys, "--no-cache")
    assert code == 2 and "exec-unresolved" in report["error"]["message"]


# -- the evaluator on inline text -------------------------------------------------------------------


def modules(**texts: str) -> Names:
    """A `Names` whose project modules are these texts (`pkg__mod` names `pkg.mod`; a `____init__` ending
    marks a package)."""
    table: dict[str, tuple[str, bool]] = {}
    for key, text in texts.items():
        package = key.endswith("__init__")
        dotted = key.removesuffix("____init__").replace("__", ".")
        table[dotted] = (textwrap.dedent(text), package)
    return Names(table.get)


HEADER = 'revision = "r1"\ndown_revision = None\n'


def labels(text: str, names: Names | None = None) -> tuple[tuple[str, ...], list[str]]:
    revision, problems = scan_text(HEADER + textwrap.dedent(text), "v/r1.py", names=names)
    assert revision is not None
    return revision.branch_labels, [p.message for p in problems]


def test_a_name_bound_after_the_assignment_is_not_used() -> None:
    found, problems = labels("branch_labels = (LATER,)\nLATER = 'x'\n")
    assert found == () and len(problems) == 1  # Python would raise NameError: Alembic cannot load it


def test_names_that_point_at_each_other_stop() -> None:
    found, problems = labels("A = B\nB = A\nbranch_labels = 'a' + A\n")
    assert found == () and "`'a' + A`" in problems[0]


def test_relative_and_star_imports_inside_the_project_are_followed() -> None:
    names = modules(app____init__="", app__db____init__="from .constants import *\n",
                    app__db__constants="PREFIX = 'exp'\nEXPAND = PREFIX + 'and'\n")
    assert labels("from app.db import EXPAND\nbranch_labels = EXPAND\n", names) == (("expand",), [])
    assert labels("import app.db\nbranch_labels = [app.db.EXPAND]\n", names) == (("expand",), [])


def test_a_module_itself_is_not_a_value() -> None:
    names = modules(app____init__="", app__migration="EXPAND = 'expand'\n")
    found, problems = labels("from app import migration\nbranch_labels = migration\n", names)
    assert found == ()
    assert problems == ["branch_labels of revision r1 is not a literal: `migration` is found neither in "
                        "r1.py nor in the project's modules, so it is read as empty; `--exec-unresolved` "
                        "runs the file to read it"]


def test_a_module_that_does_not_parse_leaves_the_name_unresolved() -> None:
    names = modules(consts="EXPAND = (\n")
    found, problems = labels("from consts import EXPAND\nbranch_labels = ('x', EXPAND)\n", names)
    assert found == ("x",)
    assert problems == ["branch_labels of revision r1 is not a literal: `EXPAND` in `('x', EXPAND)` is found "
                        "neither in r1.py nor in the project's modules, so it is read as x only; "
                        "`--exec-unresolved` runs the file to read it"]


def test_an_unresolved_down_revision_stays_an_error() -> None:
    revision, problems = scan_text('revision = "r2"\ndown_revision = (BASE, "r0")\n', "v/r2.py")
    assert revision is not None and revision.parents == ()
    assert [(p.kind, p.severity) for p in problems] == [("non-literal", "error")]


def test_each_module_is_read_once_per_scan(tmp_path: Path) -> None:
    write(tmp_path / "app" / "__init__.py", "EXPAND = 'expand'\n")
    reads: list[str] = []

    def counted(dotted: str) -> tuple[str, bool] | None:
        reads.append(dotted)
        found = module_text(dotted, (tmp_path,))
        return found[:2] if found is not None else None

    names = Names(counted)
    for rid in ("r1", "r2", "r3"):
        revision, _ = scan_text(f'revision = "{rid}"\ndown_revision = None\nfrom app import EXPAND\n'
                                "branch_labels = (EXPAND,)\n", f"v/{rid}.py", names=names)
        assert revision is not None and revision.branch_labels == ("expand",)
    assert reads == ["app"]


def test_heads_below_an_unread_label_stand_alone_in_the_graph() -> None:
    def history(unread: bool) -> RevisionGraph:
        return RevisionGraph([Revision("a0"), Revision("e1", ("a0",), labels_unresolved=unread),
                              Revision("e2", ("e1",)), Revision("c1", ("a0",), labels_unresolved=unread)])

    assert [sorted(d.heads) for d in history(False).divergences] == [["c1", "e2"]]
    assert history(True).divergences == []


def test_a_depends_on_naming_a_label_that_could_not_be_read_is_a_warning_not_a_broken_graph(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The contract branch's label comes from a library outside the project, so it cannot be read; c2's
    `depends_on = 'contract'` may name it. Alembic (with the library importable) loads this history."""
    files = expand_contract(root)
    c1 = files["c1"]
    c1.write_text(c1.read_text().replace("from myproj.db.migration", "from somelib.db.migration"))
    c2 = files["c2"]
    c2.write_text(re.sub(r"^depends_on = .*$", "depends_on = 'contract'", c2.read_text(), flags=re.M))
    code, report = check_json(root, capsys, "--no-cache")
    assert code != 3, report["problems"]
    dangling = [p for p in report["problems"] if p["kind"] == "dangling-depends-on"]
    assert [(p["severity"], p["revisions"]) for p in dangling] == [("warning", ["c2", "contract"])]

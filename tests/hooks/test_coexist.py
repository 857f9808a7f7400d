"""Our hooks beside other hook managers, with the real tools (tests/support/managers.py): after our
install every other manager's hook still runs and ours runs too; after our uninstall theirs still runs
and the repository equals a twin that ran the same steps without ahq-history."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.gitcli import commit_all, git
from tests.support.hookgit import cli, project_repo, write_hook
from tests.support.managers import (
    BIN,
    MARKERS,
    husky_init,
    lefthook,
    markers,
    merge_a_branch,
    npm_husky,
    pre_commit,
    snapshot,
    tool,
    with_path,
)

Step = Callable[[Path], None]
OURS = "ahq-history: post-merge hook"  # what our post-merge hook says with AHQ_HISTORY_HOOK_DEBUG


@pytest.fixture(scope="session")
def husky_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return npm_husky(tmp_path_factory.mktemp("husky-npm"))


def _ahq(action: str) -> Step:
    def step(repo: Path) -> None:
        done = subprocess.run([sys.executable, "-m", "ahq_history", "hooks", action], cwd=repo,
                              capture_output=True, text=True, env=with_path())
        assert done.returncode == 0, done.stderr
    return step


def _twins(tmp_path: Path, setup: Step) -> tuple[Path, Path]:
    """A repository made by `setup`, and its twin: a copy, so that even the revision files' dates match."""
    ours = project_repo(tmp_path / "ours" / "repo")
    setup(ours)
    twin = tmp_path / "twin" / "repo"
    shutil.copytree(ours, twin, symlinks=True)
    return ours, twin


def _merge_runs_both(repo: Path, label: str, manager_marker: str) -> None:
    before = markers(repo).count(manager_marker)
    done = merge_a_branch(repo, label)
    assert markers(repo).count(manager_marker) == before + 1, done.stdout + done.stderr
    assert OURS in done.stdout + done.stderr, done.stdout + done.stderr


def _merge_runs_theirs_only(repo: Path, label: str, manager_marker: str) -> None:
    before = markers(repo).count(manager_marker)
    done = merge_a_branch(repo, label)
    assert markers(repo).count(manager_marker) == before + 1, done.stdout + done.stderr
    assert OURS not in done.stdout + done.stderr


# --- husky 9 ---------------------------------------------------------------------------------------------


def _husky_setup(node_modules: Path) -> Step:
    def setup(repo: Path) -> None:
        husky_init(repo, node_modules)
        (repo / ".husky" / "pre-commit").write_text(f"echo husky-pre-commit >> {MARKERS}\n")
        (repo / ".husky" / "post-merge").write_text(f"echo husky-post-merge >> {MARKERS}")  # no final newline
        commit_all(repo, "husky")
    return setup


def test_husky_hooks_keep_running_with_ours_and_uninstall_leaves_the_twin(tmp_path: Path,
                                                                          husky_modules: Path) -> None:
    ours, twin = _twins(tmp_path, _husky_setup(husky_modules))
    before = sorted(p.name for p in (ours / ".husky" / "_").iterdir())
    done = cli(ours, "hooks", "install")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("husky runs this repository's hooks: adding a call")
    assert "  post-merge: a call at the end of .husky/post-merge (husky runs it)" in done.stdout
    assert sorted(p.name for p in (ours / ".husky" / "_").iterdir()) == before  # husky's folder untouched
    text = (ours / ".husky" / "post-merge").read_text()
    assert text.startswith("echo husky-post-merge >> ../markers\n# >>> ahq-history >>>")
    assert str(BIN) not in text and sys.executable not in text  # every clone runs it: no machine's path
    for repo in (ours, twin):
        (_merge_runs_both if repo is ours else _merge_runs_theirs_only)(repo, "feature", "husky-post-merge")
        commits = markers(repo).count("husky-pre-commit")
        (repo / "note.txt").write_text("x\n")
        commit_all(repo, "note", env=with_path())
        assert markers(repo).count("husky-pre-commit") == commits + 1
    assert cli(ours, "hooks", "uninstall").returncode == 0
    for repo in (ours, twin):
        _merge_runs_theirs_only(repo, "second", "husky-post-merge")
    assert snapshot(ours, ours / ".husky" / "_") == snapshot(twin, twin / ".husky" / "_")
    assert not (ours / ".husky" / "post-checkout").exists()  # the file install created is gone


# --- lefthook --------------------------------------------------------------------------------------------

LEFTHOOK_YML = f"""\
# the team's hooks
post-merge:
  commands:
    marker:
      run: echo lefthook-post-merge >> {MARKERS}
"""


def _lefthook_setup(repo: Path) -> None:
    lefthook()
    (repo / "lefthook.yml").write_text(LEFTHOOK_YML)
    commit_all(repo, "lefthook")
    tool(repo, "lefthook", "install")


def test_lefthook_runs_our_commands_from_its_config_and_uninstall_leaves_the_twin(tmp_path: Path) -> None:
    ours, twin = _twins(tmp_path, _lefthook_setup)
    done = cli(ours, "hooks", "install")
    assert done.returncode == 0, done.stderr
    assert "  post-merge: an `ahq-history` command in lefthook.yml (lefthook runs it)" in done.stdout
    assert done.stdout.splitlines()[1] == ("Installed ahq-history's git hooks in lefthook.yml (lefthook): "
                                           "post-merge, post-rewrite, post-commit, post-checkout.")
    assert "Run `lefthook install` so that git runs the hooks lefthook did not have yet." in done.stdout
    config = (ours / "lefthook.yml").read_text()
    assert config.startswith(LEFTHOOK_YML.split("    marker:")[0] + "    # >>> ahq-history >>>\n")
    assert str(BIN) not in config
    for repo in (ours, twin):
        tool(repo, "lefthook", "install")  # the user's step, after ours
        (_merge_runs_both if repo is ours else _merge_runs_theirs_only)(repo, "feature",
                                                                         "lefthook-post-merge")
    assert cli(ours, "hooks", "uninstall").returncode == 0
    assert (ours / "lefthook.yml").read_text() == LEFTHOOK_YML
    for repo in (ours, twin):
        tool(repo, "lefthook", "install")
        _merge_runs_theirs_only(repo, "second", "lefthook-post-merge")
    assert snapshot(ours, ours / ".git" / "hooks") == snapshot(twin, twin / ".git" / "hooks")


# --- pre-commit ------------------------------------------------------------------------------------------

PRE_COMMIT_YML = f"""\
default_install_hook_types: [post-merge, post-checkout]
repos:
  - repo: local
    hooks:
      - id: marker
        name: marker
        entry: sh -c 'echo pre-commit-post-merge >> {MARKERS}'
        language: system
        always_run: true
        pass_filenames: false
        stages: [post-merge]
"""


def _pre_commit_setup(repo: Path) -> None:
    pre_commit()
    (repo / ".pre-commit-config.yaml").write_text(PRE_COMMIT_YML)
    commit_all(repo, "pre-commit")


def _pre_commit_install(repo: Path) -> None:
    tool(repo, *pre_commit(), "install")


def _user_hook(repo: Path) -> None:
    write_hook(repo / ".git" / "hooks" / "post-merge", f"echo user-post-merge >> {MARKERS}\n")


@pytest.mark.parametrize(("order", "before_ours", "after_ours"), [
    ("pre-commit, then ours", [_pre_commit_install], []),
    ("ours, then pre-commit", [], [_pre_commit_install]),
    ("a hook of the user's, ours, then pre-commit", [_user_hook], [_pre_commit_install]),
    ("a hook of the user's, pre-commit, then ours", [_user_hook, _pre_commit_install], []),
])
def test_pre_commit_and_ours_chain_in_any_order_and_uninstall_leaves_the_twin(
        tmp_path: Path, order: str, before_ours: list[Step], after_ours: list[Step]) -> None:
    ours, twin = _twins(tmp_path, _pre_commit_setup)
    for repo in (ours, twin):
        for step in before_ours:
            step(repo)
    _ahq("install")(ours)
    for repo in (ours, twin):
        for step in after_ours:
            step(repo)
        (_merge_runs_both if repo is ours else _merge_runs_theirs_only)(repo, "feature",
                                                                         "pre-commit-post-merge")
        if _user_hook in before_ours:
            assert markers(repo).count("user-post-merge") == 1, order
    assert (ours / ".pre-commit-config.yaml").read_text() == PRE_COMMIT_YML
    _ahq("uninstall")(ours)
    for repo in (ours, twin):
        _merge_runs_theirs_only(repo, "second", "pre-commit-post-merge")
    assert snapshot(ours, ours / ".git" / "hooks") == snapshot(twin, twin / ".git" / "hooks"), order


def test_install_beside_pre_commit_says_where_ours_went(tmp_path: Path) -> None:
    repo = project_repo(tmp_path / "repo")
    _pre_commit_setup(repo)
    _pre_commit_install(repo)
    done = cli(repo, "hooks", "install")
    assert done.returncode == 0, done.stderr
    assert ("  post-merge: beside pre-commit's hook, as post-merge.legacy (pre-commit runs it first; "
            ".pre-commit-config.yaml is untouched)") in done.stdout.splitlines()
    status = cli(repo, "hooks", "status")
    assert "  post-merge     installed (pre-commit: .git/hooks/post-merge.legacy)" in status.stdout


# --- a tracked hooks folder ------------------------------------------------------------------------------


def _tracked(tmp_path: Path) -> Path:
    repo = project_repo(tmp_path / "repo")
    git(repo, "config", "core.hooksPath", ".githooks")
    return repo


def test_tracked_hooks_folder_gets_hooks_without_this_machines_path(tmp_path: Path) -> None:
    repo = _tracked(tmp_path)
    done = cli(repo, "hooks", "install")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == (
        ".githooks is a hooks folder inside the work tree (core.hooksPath), committed for every clone: its "
        "hooks will start ahq-history from PATH (or python3 -m ahq_history), never this machine's Python.")
    assert "They run ahq-history from PATH." in done.stdout
    for hook in (repo / ".githooks").iterdir():
        text = hook.read_text()
        assert sys.executable not in text and str(BIN) not in text, hook.name
        assert "AHQ_PYTHON=" not in text
    fired = merge_a_branch(repo, "feature")
    assert OURS in fired.stderr
    assert cli(repo, "hooks", "status").returncode == 0


def test_tracked_hook_without_ahq_history_says_how_to_get_it_and_exits_0(tmp_path: Path) -> None:
    repo = _tracked(tmp_path)
    assert cli(repo, "hooks", "install").returncode == 0
    bare = {"PATH": str(Path(shutil.which("git") or "/usr/bin/git").parent), "HOME": str(tmp_path)}
    done = subprocess.run([str(repo / ".githooks" / "post-merge"), "0"], cwd=repo, capture_output=True,
                          text=True, env=bare)
    assert done.returncode == 0
    assert done.stderr == ("ahq-history is not installed here (no ahq-history on PATH, no python3 -m "
                           "ahq_history): the post-merge check was skipped; pip install ahq-history\n")


# --- the blocks themselves: removing them gives the file back byte for byte -------------------------------


@pytest.mark.parametrize("text", [None, "", "npm test\n", "npm test", "#!/bin/sh\r\necho hi\r\n"])
def test_a_husky_block_comes_out_as_it_went_in(text: str | None) -> None:
    from ahq_history.hooks.blocks import append_block, husky_lines, remove_blocks

    added = append_block(text, husky_lines("post-merge", "backend/alembic.ini"))
    assert "ahq-history check -c backend/alembic.ini --hook post-merge \"$@\"" in added
    assert remove_blocks(added) == (text or "", text is None)


@pytest.mark.parametrize("config", [
    "post-merge:\n  jobs:\n    - run: echo hi\n",  # the hook is there without `commands:`
    "pre-commit:\n    parallel: true\n    commands:\n        lint:\n            run: make lint\n",
    "# only a comment",
])
def test_lefthook_blocks_come_out_as_they_went_in(config: str) -> None:
    import yaml

    from ahq_history.hooks.blocks import lefthook_with_blocks, remove_blocks

    added = lefthook_with_blocks(config, ["post-merge", "pre-commit"], None)
    read = yaml.safe_load(added)
    for hook in ("post-merge", "pre-commit"):
        assert "--hook " + hook in read[hook]["commands"]["ahq-history"]["run"]
    assert remove_blocks(added) == (config, False)


def test_lefthook_hook_written_on_one_line_is_refused_and_left_alone(tmp_path: Path) -> None:
    repo = project_repo(tmp_path / "repo")
    config = "post-merge: {commands: {marker: {run: echo hi}}}\n"
    (repo / "lefthook.yml").write_text(config)
    done = cli(repo, "hooks", "install")
    assert done.returncode == 1
    assert done.stderr == (
        f"ahq-history: cannot add ahq-history's commands to {repo / 'lefthook.yml'}: its `post-merge:` is "
        "written on one line\n  hint: write its hooks as block mappings, or add the commands by hand\n")
    assert (repo / "lefthook.yml").read_text() == config

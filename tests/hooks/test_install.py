"""Installing, chaining and removing the git hooks (ahq_history/hooks/ and `ahq-history hooks`)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ahq_history.core.errors import ConfigError, RefusedError, UnreachableError
from ahq_history.hooks import install as hooks
from ahq_history.hooks.script import is_ours, render_script
from tests.support.gitcli import commit_all, git, run_git
from tests.support.hookgit import ROOT, THIS_CHECKOUT, cli, project_repo, write_hook
from tests.support.projects import add_revision

NAMES = ["post-merge", "post-rewrite", "post-commit", "post-checkout"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return project_repo(tmp_path / "repo")


def _hooks_dir(repo: Path) -> Path:
    return repo / ".git" / "hooks"


def _ours(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".sample"))


def test_install_writes_marked_executable_hooks_for_the_four_names(repo: Path) -> None:
    done = hooks.install(repo)
    assert [c.name for c in done.changes] == NAMES
    assert [c.action for c in done.changes] == ["installed"] * 4
    for name in NAMES:
        path = _hooks_dir(repo) / name
        assert path.read_text().startswith(f"#!/bin/sh\n# ahq-history-hook 1: {name}, installed by")
        assert os.access(path, os.X_OK)
        assert is_ours(path)


def test_install_records_the_running_interpreter(repo: Path) -> None:
    hooks.install(repo)
    text = (_hooks_dir(repo) / "post-merge").read_text()
    assert f"AHQ_PYTHON={sys.executable}\n" in text or f"AHQ_PYTHON='{sys.executable}'\n" in text
    assert '-P -m ahq_history check --hook "$AHQ_HOOK" "$@"' in text


def test_hook_script_is_posix_sh(repo: Path) -> None:
    hooks.install(repo)
    shell = shutil.which("dash") or shutil.which("sh")
    assert shell is not None
    for name in NAMES:
        checked = subprocess.run([shell, "-n", str(_hooks_dir(repo) / name)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr


def test_reinstall_is_idempotent(repo: Path) -> None:
    write_hook(_hooks_dir(repo) / "post-merge", "echo legacy\n")
    hooks.install(repo)
    before = {p.name: p.read_bytes() for p in _hooks_dir(repo).iterdir()}
    again = hooks.install(repo)
    assert [c.action for c in again.changes] == ["unchanged"] * 4
    assert {p.name: p.read_bytes() for p in _hooks_dir(repo).iterdir()} == before
    assert again.changes[0].legacy == _hooks_dir(repo) / "post-merge.ahq-legacy"
    assert not again.changes[0].moved_aside


def test_install_with_another_python_updates_the_hooks(repo: Path) -> None:
    hooks.install(repo)
    again = hooks.install(repo, python="/opt/other/bin/python")
    assert [c.action for c in again.changes] == ["updated"] * 4
    assert "AHQ_PYTHON=/opt/other/bin/python\n" in (_hooks_dir(repo) / "post-commit").read_text()


def test_install_moves_a_foreign_hook_aside(repo: Path) -> None:
    original = write_hook(_hooks_dir(repo) / "post-merge", "echo legacy\n").read_text()
    done = hooks.install(repo)
    legacy = _hooks_dir(repo) / "post-merge.ahq-legacy"
    assert done.changes[0].moved_aside and done.changes[0].legacy == legacy
    assert legacy.read_text() == original
    assert os.access(legacy, os.X_OK)


def test_existing_hook_keeps_running_with_its_arguments(repo: Path) -> None:
    log = repo.parent / "legacy.log"
    write_hook(_hooks_dir(repo) / "post-merge", f'echo "legacy post-merge $*" >> "{log}"\n')
    hooks.install(repo)
    git(repo, "checkout", "-q", "-b", "feature")
    add_revision(repo, "add audit log", "0b0b0b0b0001")
    commit_all(repo, "audit")
    git(repo, "checkout", "-q", "main")
    merged = run_git(repo, "merge", "-q", "feature")
    assert merged.returncode == 0
    assert log.read_text() == "legacy post-merge 0\n"


def test_existing_post_rewrite_hook_receives_stdin(repo: Path) -> None:
    log = repo.parent / "rewrite.log"
    write_hook(_hooks_dir(repo) / "post-rewrite", f'echo "args: $*" >> "{log}"\ncat >> "{log}"\n')
    hooks.install(repo)
    old = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "commit", "-q", "--amend", "-m", "create users (amended)")
    new = git(repo, "rev-parse", "HEAD").strip()
    assert log.read_text() == f"args: amend\n{old} {new}\n"


def test_existing_post_checkout_hook_keeps_its_exit_code(repo: Path) -> None:
    write_hook(_hooks_dir(repo) / "post-checkout", "exit 3\n")
    before = run_git(repo, "checkout", "-q", "-b", "one")
    hooks.install(repo)
    after = run_git(repo, "checkout", "-q", "-b", "two")
    assert before.returncode != 0
    assert after.returncode == before.returncode


def test_existing_post_merge_hook_failure_does_not_fail_the_merge(repo: Path) -> None:
    write_hook(_hooks_dir(repo) / "post-merge", "exit 4\n")
    hooks.install(repo)
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "notes.txt").write_text("x\n")
    commit_all(repo, "notes")
    git(repo, "checkout", "-q", "main")
    assert run_git(repo, "merge", "-q", "--no-ff", "-m", "merge", "feature").returncode == 0


def test_hook_does_not_run_itself_when_its_legacy_is_a_copy_of_ours(repo: Path) -> None:
    hooks.install(repo)
    script = _hooks_dir(repo) / "post-checkout"
    shutil.copy2(script, _hooks_dir(repo) / "post-checkout.ahq-legacy")
    done = run_git(repo, "checkout", "-q", "-b", "feature",
                   env={"AHQ_HISTORY_HOOK_DEBUG": "1"})
    assert done.returncode == 0
    assert done.stderr.count("post-checkout hook") == 1


def test_uninstall_restores_legacy_hook(repo: Path) -> None:
    original = write_hook(_hooks_dir(repo) / "post-rewrite", "cat > /dev/null\n")
    text, mode = original.read_text(), original.stat().st_mode
    before = _ours(_hooks_dir(repo))
    hooks.install(repo)
    done = hooks.uninstall(repo)
    assert [r.action for r in done.removals] == ["removed", "restored", "removed", "removed"]
    assert original.read_text() == text and original.stat().st_mode == mode
    assert _ours(_hooks_dir(repo)) == before


def test_uninstall_leaves_no_file_of_ours(repo: Path) -> None:
    before = _ours(_hooks_dir(repo))
    hooks.install(repo)
    hooks.uninstall(repo)
    assert _ours(_hooks_dir(repo)) == before
    assert [r.action for r in hooks.uninstall(repo).removals] == ["absent"] * 4


def test_uninstall_leaves_a_foreign_hook_alone(repo: Path) -> None:
    foreign = write_hook(_hooks_dir(repo) / "post-commit", "echo theirs\n")
    done = hooks.uninstall(repo)
    assert done.removals[2].action == "foreign"
    assert foreign.read_text() == "#!/bin/sh\necho theirs\n"


def test_install_refuses_when_a_foreign_hook_and_a_legacy_file_both_exist(repo: Path) -> None:
    write_hook(_hooks_dir(repo) / "post-commit", "echo new\n")
    write_hook(_hooks_dir(repo) / "post-commit.ahq-legacy", "echo old\n")
    before = _ours(_hooks_dir(repo))
    with pytest.raises(RefusedError) as refused:
        hooks.install(repo)
    path = _hooks_dir(repo) / "post-commit"
    assert refused.value.message == (
        f"{path} is not ours and post-commit.ahq-legacy already exists beside it: moving it aside would "
        "overwrite that file")
    assert _ours(_hooks_dir(repo)) == before  # post-merge and post-rewrite were not written either


def test_failed_install_keeps_the_hooks_it_found_already_installed(repo: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    hooks.install(repo)
    write_hook(_hooks_dir(repo) / "post-commit", "echo theirs\n")
    before = {p.name: p.read_bytes() for p in _hooks_dir(repo).iterdir()}
    write = hooks.managers.write_atomically

    def disk_full(path: Path, text: str, mode: int) -> None:
        if path.name == "post-commit":
            raise OSError(28, "No space left on device")
        write(path, text, mode)

    monkeypatch.setattr(hooks.managers, "write_atomically", disk_full)
    with pytest.raises(UnreachableError):
        hooks.install(repo)
    assert {p.name: p.read_bytes() for p in _hooks_dir(repo).iterdir()} == before


def test_core_hooks_path_inside_the_repository_is_used(repo: Path) -> None:
    git(repo, "config", "core.hooksPath", ".githooks")
    done = hooks.install(repo)
    assert done.folder.path == repo / ".githooks"
    assert _ours(repo / ".githooks") == sorted(NAMES)
    assert not (_hooks_dir(repo) / "post-merge").exists()
    fired = run_git(repo, "commit", "-q", "--amend", "-m", "again", env={"AHQ_HISTORY_HOOK_DEBUG": "1"})
    assert "ahq-history: post-rewrite hook skipped (post-rewrite amend" in fired.stderr


def test_core_hooks_path_outside_the_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared-hooks"
    git(repo, "config", "core.hooksPath", str(shared))
    with pytest.raises(RefusedError) as refused:
        hooks.install(repo)
    config = repo / ".git" / "config"
    assert refused.value.message == (
        f"core.hooksPath (set in {config}) points to {shared}, outside this repository: other repositories "
        "may share that folder, so ahq-history does not write there")
    assert refused.value.hint == (
        "give this repository its own folder (git config --local core.hooksPath .git/hooks), "
        "or use the hooks of ahq-history's .pre-commit-hooks.yaml")
    assert not shared.exists()


def test_uninstall_leaves_a_folder_outside_the_repository_alone(repo: Path, tmp_path: Path) -> None:
    hooks.install(repo)
    other = project_repo(tmp_path / "other")
    git(other, "config", "core.hooksPath", str(_hooks_dir(repo)))  # repo's hooks, shared with `other`
    before = {p.name: p.read_bytes() for p in _hooks_dir(repo).iterdir()}
    with pytest.raises(RefusedError) as refused:
        hooks.uninstall(other)
    assert refused.value.message.startswith(f"core.hooksPath (set in {other / '.git' / 'config'}) points to "
                                            f"{_hooks_dir(repo)}, outside this repository")
    assert {p.name: p.read_bytes() for p in _hooks_dir(repo).iterdir()} == before


def test_hooks_install_command_refuses_outside_folder_with_exit_1(repo: Path, tmp_path: Path) -> None:
    git(repo, "config", "core.hooksPath", str(tmp_path / "shared-hooks"))
    done = cli(repo, "hooks", "install")
    assert done.returncode == 1
    assert done.stderr.startswith("ahq-history: core.hooksPath (set in ")
    assert "  hint: give this repository its own folder" in done.stderr


def test_worktree_installs_into_the_common_hooks_folder(repo: Path) -> None:
    worktree = repo.parent / "wt"
    git(repo, "worktree", "add", "-q", "-b", "side", str(worktree))
    done = hooks.install(worktree)
    assert done.folder.path == _hooks_dir(repo)
    assert (_hooks_dir(repo) / "post-checkout").is_file()
    fired = run_git(worktree, "checkout", "-q", "-b", "other", env={"AHQ_HISTORY_HOOK_DEBUG": "1"})
    assert "ahq-history: post-checkout hook skipped (same commit)" in fired.stderr


def test_install_outside_a_work_tree_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        hooks.install(tmp_path)
    assert error.value.message.startswith(f"{tmp_path} is not inside a git work tree")
    done = cli(tmp_path, "hooks", "install")
    assert done.returncode == 2


def test_status_of_a_hook_edited_into_broken_quoting_says_its_python_is_unknown(repo: Path) -> None:
    hooks.install(repo)
    hook = _hooks_dir(repo) / "post-merge"
    hook.write_text(re.sub(r"^AHQ_PYTHON=.*$", "AHQ_PYTHON='/opt/my python", hook.read_text(), flags=re.M))
    (state, *_others) = hooks.status(repo).hooks
    assert (state.state, state.python, state.python_exists) == ("installed", None, False)


def test_status_reports_hooks_legacy_and_interpreter_as_json(repo: Path) -> None:
    write_hook(_hooks_dir(repo) / "post-merge", "echo legacy\n")
    assert cli(repo, "hooks", "install").returncode == 0
    done = cli(repo, "hooks", "status", "--json")
    assert done.returncode == 0
    report = json.loads(done.stdout)
    assert report["installed"] is True and report["outside"] is False
    assert report["folder"] == str(_hooks_dir(repo))
    first = report["hooks"][0]
    assert first == {"name": "post-merge", "path": str(_hooks_dir(repo) / "post-merge"), "state": "installed",
                     "legacy": str(_hooks_dir(repo) / "post-merge.ahq-legacy"), "python": sys.executable,
                     "python_exists": True, "config": None}


def test_status_says_when_the_recorded_interpreter_is_gone(repo: Path) -> None:
    hooks.install(repo, python="/nowhere/bin/python")
    done = cli(repo, "hooks", "status")
    assert done.returncode == 1
    assert f"Python: /nowhere/bin/python is gone; reinstall: {THIS_CHECKOUT}" in done.stdout


def test_hook_prints_a_quoted_reinstall_line_as_one_line(repo: Path) -> None:
    line = "pip install -e '/src/bob'\\''s ahq' && ahq-history hooks install"
    hook = _hooks_dir(repo) / "post-merge"
    hook.write_text(render_script("post-merge", "/gone/bin/python", reinstall=line))
    hook.chmod(0o755)
    done = subprocess.run([str(hook), "0"], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stderr == (f"ahq-history: the post-merge hook's Python (/gone/bin/python) is gone; "
                           f"reinstall: {line}\n")
    assert hooks.status(repo).hooks[0].reinstall == line


def test_status_exits_1_when_not_installed(repo: Path) -> None:
    done = cli(repo, "hooks", "status")
    assert done.returncode == 1
    assert "  post-merge     not installed" in done.stdout


def test_status_with_an_outside_hooks_path_gives_the_one_way_to_install(repo: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared-hooks"
    git(repo, "config", "core.hooksPath", str(shared))
    write_hook(shared / "post-merge", "echo shared\n")
    done = cli(repo, "hooks", "status")
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"Hooks folder: {shared} (core.hooksPath = {shared}: outside this repository, so `hooks install` "
        "refuses to write there)",
        "  post-merge     another hook is there",
        "  post-rewrite   not installed",
        "  post-commit    not installed",
        "  post-checkout  not installed",
        "To install them, give this repository its own folder (git config --local core.hooksPath "
        ".git/hooks), then run `ahq-history hooks install` (or use the hooks of ahq-history's "
        ".pre-commit-hooks.yaml).",
    ]


def test_status_of_a_partial_install_says_to_install(repo: Path) -> None:
    hooks.install(repo, names=["post-merge"])
    done = cli(repo, "hooks", "status")
    assert done.returncode == 1
    assert done.stdout.splitlines()[-1] == "Run `ahq-history hooks install` to install them."


def test_status_outside_a_git_repository_says_so(tmp_path: Path) -> None:
    done = cli(tmp_path, "hooks", "status")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (f"ahq-history: {tmp_path} is not inside a git work tree (not a git repository)\n"
                           "  hint: run this from a clone of your repository\n")
    as_json = cli(tmp_path, "hooks", "status", "--json")
    assert as_json.returncode == 2
    assert json.loads(as_json.stdout) == {"schema_version": 1, "error": {
        "kind": "ConfigError", "message": f"{tmp_path} is not inside a git work tree (not a git repository)",
        "hint": "run this from a clone of your repository", "exit_code": 2}}


def test_status_on_another_filesystem_outside_git_says_not_a_git_repository() -> None:
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == Path.cwd().stat().st_dev:
        pytest.skip("needs /dev/shm on a filesystem of its own (git stops looking at its boundary)")
    import tempfile

    with tempfile.TemporaryDirectory(dir=shm) as folder:
        done = cli(Path(folder), "hooks", "status")
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == (
        f"ahq-history: {folder} is not inside a git work tree (not a git repository)")


def test_install_command_text_names_the_chained_hook(repo: Path) -> None:
    write_hook(_hooks_dir(repo) / "post-merge", "echo legacy\n")
    done = cli(repo, "hooks", "install")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == [
        "Installed ahq-history's git hooks in .git/hooks: post-merge, post-rewrite, post-commit, "
        "post-checkout.",
        "  post-merge: your hook is now post-merge.ahq-legacy and still runs, first "
        "(`ahq-history hooks uninstall` puts it back)",
    ]


def test_hooks_use_the_configuration_a_subfolder_project_needs(tmp_path: Path) -> None:
    top = tmp_path / "mono"
    backend = project_repo(top / "backend")  # a project in a sub-folder of the repository
    shutil.rmtree(backend / ".git")
    git(top, "init", "-q", "-b", "main")
    commit_all(top, "backend")
    done = cli(backend, "hooks", "install")
    assert done.returncode == 0, done.stderr
    assert "AHQ_CONFIG=backend/alembic.ini\n" in (top / ".git" / "hooks" / "post-merge").read_text()
    git(top, "checkout", "-q", "-b", "feature")
    add_revision(backend, "add audit log", "0b0b0b0b0001", head="0a0a0a0a0001")
    commit_all(top, "audit")
    git(top, "checkout", "-q", "main")
    add_revision(backend, "add user phone", "0c0c0c0c0001", head="0a0a0a0a0001")
    commit_all(top, "phone")
    merged = run_git(top, "merge", "-q", "--no-edit", "feature")
    assert merged.returncode == 0
    assert merged.stderr.startswith("ahq-history: 2 migration heads since 0a0a0a0a0001:\n")


def test_install_with_a_configuration_that_does_not_exist_writes_no_hook(repo: Path) -> None:
    before = _ours(_hooks_dir(repo))
    done = cli(repo, "-c", "nothere.ini", "hooks", "install")
    assert done.returncode == 2
    assert done.stderr.startswith(f"ahq-history: configuration file {repo / 'nothere.ini'} does not exist\n")
    assert _ours(_hooks_dir(repo)) == before


def test_uninstall_command_says_what_it_did(repo: Path) -> None:
    write_hook(_hooks_dir(repo) / "post-merge", "echo legacy\n")
    cli(repo, "hooks", "install")
    done = cli(repo, "hooks", "uninstall", "--json")
    assert done.returncode == 0
    report = json.loads(done.stdout)
    assert [(h["name"], h["action"]) for h in report["hooks"]] == [
        ("post-merge", "restored"), ("post-rewrite", "removed"), ("post-commit", "removed"),
        ("post-checkout", "removed")]


def test_install_without_an_alembic_project_says_the_hooks_stay_quiet(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    git(plain, "init", "-q", "-b", "main")
    done = cli(plain, "hooks", "install")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == (
        "Note: no Alembic project found from the top of the work tree; the hooks stay quiet until there is "
        "one (or reinstall with -c PATH).")
    (plain / "README").write_text("x\n")
    commit_all(plain, "readme")
    git(plain, "checkout", "-q", "-b", "feature")
    (plain / "README").write_text("y\n")
    commit_all(plain, "readme again")
    git(plain, "checkout", "-q", "main")
    merged = run_git(plain, "merge", "-q", "feature")
    assert merged.returncode == 0 and merged.stderr == ""


def test_pre_commit_manifest_offers_each_hook_at_its_stage() -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib", reason="pre-commit is not installed")
    manifest = clientlib.load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    offered = {h["id"]: (h["entry"], h["stages"], h["pass_filenames"], h["always_run"]) for h in manifest}
    assert offered == {
        **{f"ahq-history-{name}": (f"ahq-history check --hook {name}", [name], False, True)
           for name in NAMES},
        "ahq-history-check": ("ahq-history check --hook pre-commit", ["pre-commit", "pre-push"], False, True),
        "ahq-history-lint": ("ahq-history lint", ["pre-commit"], True, False)}  # the gates (test_gates.py)

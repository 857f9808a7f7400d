"""gitrepo.py: one small question to git per function, asked of real repositories."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

from ahq_history.git import repo as gitrepo
from ahq_history.git.log import parse_log
from ahq_history.git.repo import GitFailed, NotARepository
from tests.support.gitcli import commit_all, git


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(root))
    (root / "v").mkdir()
    (root / "v" / "a.py").write_text("revision = 'a'\n")
    (root / "app.py").write_text("x = 1\n")
    commit_all(root, "first")
    return root


@pytest.fixture
def cloned(repo: Path, tmp_path: Path) -> Path:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    return clone


def test_open_repo_outside_a_repository_says_so(tmp_path: Path) -> None:
    with pytest.raises(NotARepository) as caught:
        gitrepo.open_repo(tmp_path)
    assert caught.value.message == f"{tmp_path} is not in a git repository"


def test_open_repo_refuses_a_bare_repository(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "--bare", str(tmp_path / "bare.git"))
    with pytest.raises(NotARepository) as caught:
        gitrepo.open_repo(tmp_path / "bare.git")
    assert caught.value.message.endswith("is in a bare git repository, which has no work tree")


def test_open_repo_finds_the_root_and_a_cache_folder_inside_git(repo: Path) -> None:
    opened = gitrepo.open_repo(repo / "v")
    assert opened.root == repo
    assert opened.cache_dir == repo / ".git" / "ahq-history"
    opened.close()


def test_without_gitpython_open_repo_says_git_cannot_be_run(repo: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "git", None)  # `import git` now raises ImportError
    with pytest.raises(NotARepository) as caught:
        gitrepo.open_repo(repo)
    assert caught.value.message.startswith("git cannot be run: ")


def test_head_commit_is_none_on_a_branch_without_commits(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", str(tmp_path / "empty"))
    opened = gitrepo.open_repo(tmp_path / "empty")
    assert (gitrepo.head_commit(opened), gitrepo.current_branch(opened)) == (None, "main")


def test_current_branch_is_none_when_head_is_detached(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    assert gitrepo.current_branch(gitrepo.open_repo(repo)) is None


def test_resolve_commit_peels_tags_and_refuses_what_is_not_a_commit(repo: Path) -> None:
    first = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "tag", "-a", "-m", "release", "v1")
    opened = gitrepo.open_repo(repo)
    assert gitrepo.resolve_commit(opened, "v1") == first
    assert gitrepo.resolve_commit(opened, "HEAD:app.py") is None  # a blob
    assert gitrepo.resolve_commit(opened, "origin/nope") is None
    assert gitrepo.resolve_commit(opened, "--all") is None
    assert gitrepo.resolve_commit(opened, "main\nHEAD") is None


def test_merge_base_is_none_for_unrelated_histories(repo: Path) -> None:
    git(repo, "checkout", "-q", "--orphan", "other")
    commit_all(repo, "unrelated")
    opened = gitrepo.open_repo(repo)
    assert gitrepo.merge_base(opened, "main", "other") is None
    assert gitrepo.merge_base(opened, "main", "main") == git(repo, "rev-parse", "main").strip()


def test_branch_refs_lists_local_and_remote_tracking_branches_without_aliases(cloned: Path) -> None:
    git(cloned, "branch", "topic")
    refs = gitrepo.branch_refs(gitrepo.open_repo(cloned))
    assert sorted((r.short, r.remote) for r in refs) == [("main", False), ("origin/main", True),
                                                         ("topic", False)]


def test_work_tree_status_lists_changes_under_the_folders_only(repo: Path) -> None:
    (repo / "v" / "a.py").write_text("revision = 'a2'\n")
    (repo / "v" / "new").mkdir()
    (repo / "v" / "new" / "b.py").write_text("revision = 'b'\n")
    (repo / "v" / "c.py").write_text("revision = 'c'\n")
    git(repo, "add", "v/c.py")
    (repo / "app.py").write_text("x = 2\n")
    status = gitrepo.work_tree_status(gitrepo.open_repo(repo), ["v"])
    assert status == {"v/a.py": " M", "v/new/b.py": "??", "v/c.py": "A "}


def test_work_tree_status_never_rewrites_the_index(repo: Path) -> None:
    stamp = (repo / "v" / "a.py").stat().st_mtime + 60
    os.utime(repo / "v" / "a.py", (stamp, stamp))  # stale stat data: a refreshing status would write
    before = hashlib.sha256((repo / ".git" / "index").read_bytes()).digest()
    assert gitrepo.work_tree_status(gitrepo.open_repo(repo), ["v"]) == {}
    assert hashlib.sha256((repo / ".git" / "index").read_bytes()).digest() == before


def test_tree_blobs_and_blob_bytes_read_a_commits_files(repo: Path) -> None:
    opened = gitrepo.open_repo(repo)
    blobs = gitrepo.tree_blobs(opened, "HEAD", ["v"])
    assert blobs == {"v/a.py": git(repo, "rev-parse", "HEAD:v/a.py").strip()}
    assert gitrepo.blob_bytes(opened, [blobs["v/a.py"], "0" * 40]) == {blobs["v/a.py"]: b"revision = 'a'\n"}
    assert gitrepo.tree_blobs(opened, None, ["v"]) == {}


def test_object_id_answers_whether_a_path_is_in_a_commit(repo: Path) -> None:
    opened = gitrepo.open_repo(repo)
    assert gitrepo.object_id(opened, "HEAD:v/a.py") == git(repo, "rev-parse", "HEAD:v/a.py").strip()
    assert gitrepo.object_id(opened, "HEAD:v/gone.py") is None


def test_log_history_lists_commits_outside_the_excluded_tips(repo: Path) -> None:
    first = git(repo, "rev-parse", "HEAD").strip()
    (repo / "app.py").write_text("x = 2\n")
    second = commit_all(repo, "app only")
    opened = gitrepo.open_repo(repo)
    records = parse_log(gitrepo.log_history(opened, [second], [first], ["v"]))
    assert [(r.info.sha, r.parents, r.changes) for r in records] == [(second, (first,), ())]
    assert gitrepo.log_history(opened, [], [], ["v"]) == ""


def test_log_history_ignores_an_excluded_commit_that_is_gone(repo: Path) -> None:
    opened = gitrepo.open_repo(repo)
    records = parse_log(gitrepo.log_history(opened, ["HEAD"], ["1" * 40], ["v"]))
    assert [r.changes[0].path for r in records] == ["v/a.py"]


def test_a_failing_git_command_raises_with_gits_words(repo: Path) -> None:
    with pytest.raises(GitFailed) as caught:
        gitrepo.tree_blobs(gitrepo.open_repo(repo), "no-such-commit", ["v"])
    assert caught.value.message.startswith("`git ls-tree` failed: ")
    assert "no-such-commit" in caught.value.message


def test_repo_path_is_none_outside_the_work_tree(repo: Path, tmp_path: Path) -> None:
    opened = gitrepo.open_repo(repo)
    assert gitrepo.repo_path(opened, repo / "v" / "a.py") == "v/a.py"
    assert gitrepo.repo_path(opened, repo) == ""
    assert gitrepo.repo_path(opened, tmp_path) is None

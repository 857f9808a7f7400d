"""Finding a revision this checkout lacks in git: branches, remote-tracking branches, deleted files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ahq_history.config.loading import load
from ahq_history.core.errors import UnreachableError
from ahq_history.git.search import current_branch, find_revision_in_git, history_at
from tests.support.dbstory import AUDIT, BASE, WORKFLOWS, bob_story
from tests.support.gitcli import commit_all, git

VERSIONS = ["migrations/versions"]
AUDIT_PATH = f"migrations/versions/{AUDIT}_add_audit_log.py"


@pytest.fixture
def story(tmp_path: Path) -> Path:
    return bob_story(tmp_path / "repo")


def test_revision_on_another_branch_names_branch_commit_author_and_parent(story: Path) -> None:
    (sighting,) = find_revision_in_git(story, AUDIT, VERSIONS)
    tip = git(story, "rev-parse", "feature/audit").strip()
    assert (sighting.kind, sighting.ref, sighting.commit, sighting.path) == ("branch", "feature/audit", tip,
                                                                             AUDIT_PATH)
    assert (sighting.parents, sighting.message) == ((BASE,), "add audit log")
    assert sighting.added is not None
    assert (sighting.added.sha, sighting.added.author, sighting.added.email) == (tip, "Bob Builder",
                                                                                 "bob@example.com")
    assert (sighting.added.date, sighting.added.summary) == ("2026-02-03T10:00:00+00:00",
                                                             "Add the audit log table")
    assert sighting.checkout == "feature/audit"


def forget_branch(repo: Path, branch: str) -> None:
    """`git branch -D`, and the reflog's entries for its commits expired: git keeps no trace of them."""
    git(repo, "branch", "-q", "-D", branch)
    git(repo, "reflog", "expire", "--expire-unreachable=now", "--all")


def test_a_file_that_only_names_the_id_as_parent_is_not_a_sighting(story: Path) -> None:
    # On main, no file defines BASE's child AUDIT; WORKFLOWS' file mentions BASE only as down_revision.
    forget_branch(story, "feature/audit")
    assert find_revision_in_git(story, AUDIT, VERSIONS) == []
    assert [s.ref for s in find_revision_in_git(story, BASE, VERSIONS)] == ["main"]


def test_remote_tracking_branch_is_found_after_the_local_one(story: Path, tmp_path: Path) -> None:
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    git(story, "remote", "add", "origin", str(origin))
    git(story, "push", "-q", "origin", "main", "feature/audit")
    clone = tmp_path / "alice"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    found = find_revision_in_git(clone, AUDIT, VERSIONS)
    assert [(s.kind, s.ref) for s in found] == [("remote", "origin/feature/audit")]
    both = find_revision_in_git(story, AUDIT, VERSIONS)
    assert [(s.kind, s.ref) for s in both] == [("branch", "feature/audit"),
                                               ("remote", "origin/feature/audit")]


def test_a_deleted_branch_is_found_in_the_reflog_with_the_commit_that_added_it(story: Path) -> None:
    added = git(story, "rev-parse", "feature/audit").strip()
    git(story, "branch", "-q", "-D", "feature/audit")
    (sighting,) = find_revision_in_git(story, AUDIT, VERSIONS)
    assert (sighting.kind, sighting.ref, sighting.commit, sighting.path) == (
        "reflog", None, added, AUDIT_PATH)
    assert (sighting.parents, sighting.branch_was, sighting.checkout) == (
        (BASE,), "feature/audit", added[:12])
    assert sighting.added is not None
    assert (sighting.added.sha, sighting.added.author) == (added, "Bob Builder")


def test_the_reflog_is_not_named_while_a_branch_holds_the_revision(story: Path) -> None:
    git(story, "checkout", "-q", "-b", "audit-copy", "feature/audit")
    git(story, "branch", "-q", "-D", "feature/audit")
    found = find_revision_in_git(story, AUDIT, VERSIONS)
    assert [(s.kind, s.ref) for s in found] == [("branch", "audit-copy")]


def test_the_remote_default_branch_comes_first(story: Path, tmp_path: Path) -> None:
    git(story, "branch", "-q", "trunk", "feature/audit")
    git(tmp_path, "clone", "-q", "--bare", str(story), str(tmp_path / "origin.git"))
    git(tmp_path / "origin.git", "symbolic-ref", "HEAD", "refs/heads/trunk")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--no-checkout", str(tmp_path / "origin.git"), str(clone))
    found = find_revision_in_git(clone, AUDIT, VERSIONS)  # alphabetically origin/feature/audit is first
    assert [(s.kind, s.ref) for s in found] == [("branch", "trunk"), ("remote", "origin/trunk"),
                                                ("remote", "origin/feature/audit")]


def test_a_branch_the_user_was_on_comes_before_one_never_checked_out(story: Path) -> None:
    git(story, "branch", "-q", "audit-a", "feature/audit")  # never checked out, and first by name
    git(story, "branch", "-q", "-m", "feature/audit", "zz-audit")
    git(story, "checkout", "-q", "zz-audit")
    git(story, "checkout", "-q", "main")
    found = find_revision_in_git(story, AUDIT, VERSIONS)
    assert [s.ref for s in found] == ["zz-audit", "audit-a"]


def test_deleted_file_names_the_deleting_commit_and_the_last_that_had_it(story: Path) -> None:
    git(story, "checkout", "-q", "feature/audit")
    (story / AUDIT_PATH).unlink()
    commit_all(story, "Drop the audit log again",
               env={"GIT_AUTHOR_NAME": "Carol", "GIT_AUTHOR_EMAIL": "c@x.org"})
    before = git(story, "rev-parse", "HEAD~1").strip()
    (sighting,) = find_revision_in_git(story, AUDIT, VERSIONS)
    assert (sighting.kind, sighting.ref, sighting.commit) == ("deleted", None, before)
    assert sighting.deleted is not None
    assert (sighting.deleted.author, sighting.deleted.summary) == ("Carol", "Drop the audit log again")
    assert sighting.added is not None and sighting.added.author == "Bob Builder"
    assert sighting.checkout == before[:12]


def test_deleted_file_with_a_non_ascii_name_is_found(story: Path) -> None:
    git(story, "checkout", "-q", "feature/audit")
    named = "migrations/versions/journal d'audit é.py"
    git(story, "mv", AUDIT_PATH, named)
    commit_all(story, "rename")
    (story / named).unlink()
    commit_all(story, "drop it")
    found = find_revision_in_git(story, AUDIT, VERSIONS)
    assert [(s.kind, s.path) for s in found] == [("deleted", named)]


def test_renamed_file_is_not_reported_as_deleted(story: Path) -> None:
    git(story, "checkout", "-q", "feature/audit")
    git(story, "mv", AUDIT_PATH, "migrations/versions/audit.py")
    commit_all(story, "rename")
    found = find_revision_in_git(story, AUDIT, VERSIONS)
    assert [(s.kind, s.path) for s in found] == [("branch", "migrations/versions/audit.py")]


def test_files_outside_the_version_folders_do_not_count(story: Path) -> None:
    text = git(story, "show", f"feature/audit:{AUDIT_PATH}")
    forget_branch(story, "feature/audit")
    (story / "notes").mkdir()
    (story / "notes" / "audit.py").write_text(text)
    commit_all(story, "keep a copy in the notes")
    assert find_revision_in_git(story, AUDIT, VERSIONS) == []


def test_moving_a_file_out_of_the_version_folders_counts_as_deleting_it(story: Path) -> None:
    git(story, "checkout", "-q", "feature/audit")
    git(story, "mv", AUDIT_PATH, "migrations/audit.py")
    commit_all(story, "move it out of versions")
    found = find_revision_in_git(story, AUDIT, VERSIONS)
    assert [(s.kind, s.deleted.summary if s.deleted else None) for s in found] == [
        ("deleted", "move it out of versions")]


def test_sub_folders_count_only_when_recursive(story: Path) -> None:
    git(story, "checkout", "-q", "feature/audit")
    (story / "migrations/versions/2026").mkdir()
    git(story, "mv", AUDIT_PATH, "migrations/versions/2026/audit.py")
    commit_all(story, "file by year")
    assert find_revision_in_git(story, AUDIT, VERSIONS) == []
    (found,) = find_revision_in_git(story, AUDIT, VERSIONS, recursive=True)
    assert found.path == "migrations/versions/2026/audit.py"


def test_history_at_reads_the_graph_of_another_tree(story: Path) -> None:
    graph = history_at(story, "feature/audit", VERSIONS)
    assert sorted(graph.revisions) == [BASE, AUDIT]
    assert graph.heads == [AUDIT]
    assert sorted(history_at(story, "main", VERSIONS).revisions) == [BASE, WORKFLOWS]


@pytest.mark.parametrize("recursive", [False, True])
def test_a_git_tree_selects_the_files_the_work_tree_scan_selects(story: Path, recursive: bool) -> None:
    versions = story / "migrations" / "versions"
    template = (versions / f"{WORKFLOWS}_add_workflows.py").read_text().replace(WORKFLOWS, "{rev}")
    for name, rev in [("__init__.py", "dddd00000001"), (".#lock.py", "dddd00000002"),
                      ("2026/by_year.py", "dddd00000003"), ("old__pycache__/stale.py", "dddd00000004")]:
        (versions / name).parent.mkdir(exist_ok=True)
        (versions / name).write_text(template.replace("{rev}", rev).replace(BASE, WORKFLOWS))
    if recursive:
        ini = story / "alembic.ini"
        option = "[alembic]\nrecursive_version_locations = true\n"
        ini.write_text(ini.read_text().replace("[alembic]\n", option))
    commit_all(story, "files Alembic reads and files it does not")
    work_tree = load(story / "alembic.ini").graph
    assert sorted(history_at(story, "main", VERSIONS, recursive=recursive).revisions) == sorted(
        work_tree.revisions)
    assert ("dddd00000003" in work_tree.revisions) is recursive


def test_search_reads_git_objects_only(story: Path) -> None:
    status = git(story, "status", "--porcelain=v2", "--branch")
    head = git(story, "rev-parse", "HEAD")
    find_revision_in_git(story, AUDIT, VERSIONS)
    history_at(story, "feature/audit", VERSIONS)
    assert git(story, "status", "--porcelain=v2", "--branch") == status
    assert git(story, "rev-parse", "HEAD") == head


def test_current_branch_or_detached_commit(story: Path) -> None:
    assert current_branch(story) == "main"
    git(story, "checkout", "-q", "--detach", "HEAD")
    assert current_branch(story) == git(story, "rev-parse", "--short=12", "HEAD").strip()


def test_outside_a_repository_is_unreachable(tmp_path: Path) -> None:
    with pytest.raises(UnreachableError) as caught:
        find_revision_in_git(tmp_path, AUDIT, VERSIONS)
    assert caught.value.message == f"{tmp_path} is not in a git repository"


def test_repository_without_commits_has_a_branch_and_no_sightings(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "trunk")
    assert current_branch(tmp_path) == "trunk"
    assert find_revision_in_git(tmp_path, AUDIT, VERSIONS) == []


def test_a_commit_left_by_a_reset_is_in_the_reflog_without_a_deleted_branch_name(story: Path) -> None:
    git(story, "checkout", "-q", "feature/audit")
    added = git(story, "rev-parse", "HEAD").strip()
    git(story, "reset", "-q", "--hard", "HEAD~1")  # feature/audit still exists; the commit is gone from it
    (sighting,) = find_revision_in_git(story, AUDIT, VERSIONS)
    assert (sighting.kind, sighting.commit, sighting.branch_was) == ("reflog", added, None)

"""git/repo.py's questions about what is under way and what came from elsewhere (MERGE_HEAD, FETCH_HEAD, a
rebase's onto), and the publication that follows, with real git: a pull that stops on a README."""

from __future__ import annotations

import subprocess

from ahq_history.config.loading import load
from ahq_history.git import repo as gitrepo
from ahq_history.git.facts import operation_under_way, provenance_for
from tests.support.gitcli import commit_all, git
from tests.support.gitstory import ALICE, ALICE_FILE, ALICE_REV, BOB, BOB_REV, Story


def _stopped_pull(story: Story, *args: str) -> str:
    """Both wrote a README; Bob pulls and git stops on it. Returns Alice's commit."""
    (story.alice / "README").write_text("Alice\n")
    commit_all(story.alice, "readme", ALICE)
    git(story.alice, "push", "-q", "origin", "main")
    (story.bob / "README").write_text("Bob\n")
    commit_all(story.bob, "readme", BOB)
    pulled = subprocess.run(["git", "pull", "-q", *args], cwd=story.bob, capture_output=True)
    assert pulled.returncode != 0
    return git(story.alice, "rev-parse", "HEAD").strip()


def test_a_stopped_merge_has_merge_head_and_its_unmerged_paths(forked: Story) -> None:
    alice = _stopped_pull(forked, "--no-rebase")
    repo = gitrepo.open_repo(forked.bob)
    try:
        assert gitrepo.operation_in_progress(repo) == "merge"
        assert gitrepo.merge_head_commits(repo) == (alice,)
        assert alice in gitrepo.fetch_head_commits(repo)
        assert gitrepo.unmerged_paths(repo, [""]) == ["README"]
        assert gitrepo.unmerged_paths(repo, ["migrations"]) == []
    finally:
        repo.close()


def test_a_stopped_rebase_has_its_onto_commit_and_no_merge_head(forked: Story) -> None:
    alice = _stopped_pull(forked, "--rebase")
    repo = gitrepo.open_repo(forked.bob)
    try:
        assert gitrepo.operation_in_progress(repo) == "rebase"
        assert gitrepo.rebase_onto(repo) == alice
        assert gitrepo.merge_head_commits(repo) == ()
    finally:
        repo.close()


def test_nothing_under_way_after_a_clean_clone(story: Story) -> None:
    repo = gitrepo.open_repo(story.bob)
    try:
        assert (gitrepo.operation_in_progress(repo), gitrepo.rebase_onto(repo)) == (None, None)
        assert gitrepo.merge_head_commits(repo) == ()
    finally:
        repo.close()


def test_the_incoming_revision_of_a_stopped_pull_is_published_even_without_a_remote(forked: Story) -> None:
    git(forked.bob, "remote", "remove", "origin")
    (forked.alice / "README").write_text("Alice\n")
    commit_all(forked.alice, "readme", ALICE)
    (forked.bob / "README").write_text("Bob\n")
    commit_all(forked.bob, "readme", BOB)
    pulled = subprocess.run(["git", "pull", "-q", "--no-rebase", str(forked.alice), "main"], cwd=forked.bob,
                            capture_output=True)
    assert pulled.returncode != 0
    loaded = load(forked.bob / "alembic.ini")
    found = provenance_for(loaded).provenance
    assert found[ALICE_REV].published is True  # staged from MERGE_HEAD: the other side's
    assert found[BOB_REV].published is None  # no remote-tracking branch: unknown
    assert found[ALICE_REV].state == "committed"
    underway = operation_under_way(loaded.project)
    assert underway is not None and (underway.operation, underway.unresolved) == ("merge", ())
    assert (forked.bob / ALICE_FILE).is_file()


def test_a_clean_tree_has_no_operation_under_way(forked: Story) -> None:
    assert operation_under_way(load(forked.bob / "alembic.ini").project) is None

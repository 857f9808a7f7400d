"""The two-developer story shared by the git tests: a bare origin, Alice's and Bob's clones, revisions
written by Alembic's own `revision` command. The `story` and `forked` fixtures (conftest.py) call these."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.support.gitcli import commit_all, git
from tests.support.projects import add_revision, shared_project

BASE_REV = "aaaa00000001"
ALICE_REV = "a11ce0000001"
BOB_REV = "b0b000000001"
ALICE = {"GIT_AUTHOR_NAME": "Alice", "GIT_AUTHOR_EMAIL": "alice@example.com",
         "GIT_COMMITTER_NAME": "Alice", "GIT_COMMITTER_EMAIL": "alice@example.com"}
BOB = {"GIT_AUTHOR_NAME": "Bob", "GIT_AUTHOR_EMAIL": "bob@example.com",
       "GIT_COMMITTER_NAME": "Bob", "GIT_COMMITTER_EMAIL": "bob@example.com"}
ALICE_FILE = f"migrations/versions/{ALICE_REV}_add_audit_log.py"
BOB_FILE = f"migrations/versions/{BOB_REV}_add_workflows.py"
BASE_FILE = f"migrations/versions/{BASE_REV}_create_users.py"


@dataclass(frozen=True)
class Story:
    origin: Path
    alice: Path
    bob: Path


def make_story(tmp_path: Path) -> Story:
    """Alice starts the project (one revision) and pushes; Bob clones."""
    origin, alice, bob = tmp_path / "origin.git", tmp_path / "alice", tmp_path / "bob"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    git(tmp_path, "clone", "-q", str(origin), str(alice))
    shared_project(alice)
    add_revision(alice, "create users", BASE_REV)
    commit_all(alice, "start the project", ALICE)
    git(alice, "push", "-q", "origin", "main")
    git(tmp_path, "clone", "-q", str(origin), str(bob))
    return Story(origin, alice, bob)


def alice_pushes(story: Story) -> Story:
    """Alice adds her revision (add audit log) on the base, commits and pushes it."""
    add_revision(story.alice, "add audit log", ALICE_REV, head=BASE_REV)
    commit_all(story.alice, "audit log", ALICE)
    git(story.alice, "push", "-q", "origin", "main")
    return story


def fork(story: Story) -> Story:
    """Alice and Bob each add a revision on the same parent; Alice pushes first."""
    alice_pushes(story)
    add_revision(story.bob, "add workflows", BOB_REV, head=BASE_REV)
    commit_all(story.bob, "workflows", BOB)
    return story

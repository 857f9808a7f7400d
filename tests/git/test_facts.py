"""git/facts.py: provenance and git's view of a loaded project, on real clones."""

from __future__ import annotations

import re
from pathlib import Path

from ahq_history.config.loading import load
from ahq_history.git import facts as gitfacts
from tests.support.gitcli import commit_all, git, head
from tests.support.gitstory import ALICE, BASE_REV, BOB, BOB_REV, Story
from tests.support.projects import add_revision


def test_provenance_follows_an_amended_commit(story: Story) -> None:
    add_revision(story.bob, "add workflows", BOB_REV, head=BASE_REV)
    commit_all(story.bob, "workflows", BOB)
    assert gitfacts.provenance_for(load(story.bob / "alembic.ini")).provenance[BOB_REV].added is not None
    git(story.bob, "commit", "-q", "--amend", "-m", "workflows, better said", env=ALICE)
    found = gitfacts.provenance_for(load(story.bob / "alembic.ini")).provenance[BOB_REV]
    assert found.added is not None and found.added.sha == head(story.bob)


def test_provenance_outside_git_is_empty_with_a_note(tmp_path: Path) -> None:
    from tests.support.projects import alembic_project

    root = alembic_project(tmp_path / "plain")
    add_revision(root, "create users", BASE_REV)
    found = gitfacts.provenance_for(load(root / "alembic.ini"))
    assert (found.provenance, found.note) == ({}, f"{root} is not in a git repository: no git facts")


def test_provenance_of_a_version_location_at_the_repository_root(tmp_path: Path) -> None:
    from tests.support.projects import alembic_project

    root = alembic_project(tmp_path / "root")
    ini = root / "alembic.ini"
    ini.write_text(re.sub(r"^# version_locations = .*$", "version_locations = %(here)s", ini.read_text(),
                          count=1, flags=re.M))
    path = add_revision(root, "create users", BASE_REV)
    assert path.parent == root
    git(root, "init", "-q", "-b", "main")
    commit = commit_all(root, "start", ALICE)
    found = gitfacts.git_view(load(ini))
    added = found.provenance[BASE_REV].added
    assert (found.note, added and added.sha) == ("no remote-tracking branch: whether a revision is published "
                                                 "is unknown", commit)

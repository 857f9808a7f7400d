"""gitfacts.py: the entry points the commands and hooks call, on real clones."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ahq_history.config.loading import load
from ahq_history.config.project import find_project
from ahq_history.git import facts as gitfacts
from ahq_history.git import index as gitcache
from ahq_history.git import repo as gitrepo
from tests.conftest import git
from tests.support.gitstory import (
    ALICE,
    ALICE_FILE,
    ALICE_REV,
    BASE_REV,
    BOB,
    BOB_REV,
    Story,
    commit_all,
    head,
)
from tests.support.projects import add_revision


def project_of(root: Path) -> Any:
    return find_project(config=root / "alembic.ini")


def test_the_hook_names_both_heads_who_brought_them_and_the_command(forked: Story) -> None:
    gitfacts.warm_cache(project_of(forked.bob))
    git(forked.bob, "pull", "-q", "--no-rebase", "--no-edit", env=BOB)
    alice = git(forked.bob, "log", "-1", "--format=%H", "--", ALICE_FILE).strip()
    bob = git(forked.bob, "rev-parse", "HEAD^1").strip()
    said = gitfacts.hook_warning(project_of(forked.bob), "ORIG_HEAD", "HEAD")
    assert said == "\n".join([
        f"ahq-history: 2 migration heads since {BASE_REV}:",
        f"  {ALICE_REV}  add audit log  by Alice <alice@example.com> from origin/main, commit {alice[:12]} "
        "(published)",
        f"  {BOB_REV}  add workflows  by Bob <bob@example.com> from main, commit {bob[:12]} (local)",
        f"  joined by merge commit {head(forked.bob)[:12]} (Bob); the migration heads are still apart",
        "  run: ahq-history merge-heads --rebase",
    ])


def test_the_hook_after_a_rebasing_pull_names_the_rebased_commit(forked: Story) -> None:
    git(forked.bob, "pull", "-q", "--rebase", env=BOB)
    said = gitfacts.hook_warning(project_of(forked.bob), "ORIG_HEAD", "HEAD")
    assert said is not None
    rebased = head(forked.bob)[:12]
    assert f"  {BOB_REV}  add workflows  by Bob <bob@example.com> from main, commit {rebased} (local)" in \
        said.splitlines()
    assert said.splitlines()[-1] == "  run: ahq-history merge-heads --rebase"


def test_the_hook_is_quiet_when_the_pull_brought_no_revision_file(story: Story) -> None:
    (story.alice / "README.md").write_text("docs\n")
    commit_all(story.alice, "docs", ALICE)
    git(story.alice, "push", "-q", "origin", "main")
    add_revision(story.bob, "add workflows", BOB_REV, head=BASE_REV)  # a local head, uncommitted
    git(story.bob, "pull", "-q", "--no-rebase", "--no-edit", env=BOB)
    assert gitfacts.hook_warning(project_of(story.bob), "ORIG_HEAD", "HEAD") is None


def test_the_hook_is_quiet_when_the_pull_leaves_one_head(story: Story) -> None:
    add_revision(story.alice, "add audit log", ALICE_REV, head=BASE_REV)
    commit_all(story.alice, "audit log", ALICE)
    git(story.alice, "push", "-q", "origin", "main")
    git(story.bob, "pull", "-q", "--no-rebase", "--no-edit", env=BOB)
    assert gitfacts.hook_warning(project_of(story.bob), "ORIG_HEAD", "HEAD") is None


def test_the_hook_says_when_a_pull_changed_a_revision_file_you_had(story: Story) -> None:
    path = story.alice / f"migrations/versions/{BASE_REV}_create_users.py"
    path.write_text(path.read_text().replace("pass", "op.execute('SELECT 1')", 1))
    edit = commit_all(story.alice, "fix the first migration", ALICE)
    git(story.alice, "push", "-q", "origin", "main")
    git(story.bob, "pull", "-q", "--no-rebase", "--no-edit", env=BOB)
    said = gitfacts.hook_warning(project_of(story.bob), "ORIG_HEAD", "HEAD")
    assert said == (f"ahq-history: warning: migrations/versions/{BASE_REV}_create_users.py, which you "
                    f"already had, was changed in commit {edit[:12]} by Alice <alice@example.com>; a "
                    "database that applied the old text will not run the new one")


def test_the_hook_outside_git_is_quiet(tmp_path: Path) -> None:
    from tests.support.projects import alembic_project

    root = alembic_project(tmp_path / "plain")
    assert gitfacts.hook_warning(project_of(root), "HEAD~1", "HEAD") is None


def test_after_warming_a_pull_reads_only_the_commits_it_brought(forked: Story,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    gitfacts.warm_cache(project_of(forked.bob))
    git(forked.bob, "pull", "-q", "--no-rebase", "--no-edit", env=BOB)
    read: list[str] = []
    real = gitrepo.log_history

    def spy(repo: Any, tips: Any, exclude: Any, pathspecs: Any) -> str:
        text = real(repo, tips, exclude, pathspecs)
        read.extend(r.info.sha for r in gitcache.parse_log(text))
        return text

    monkeypatch.setattr(gitrepo, "log_history", spy)
    gitfacts.hook_warning(project_of(forked.bob), "ORIG_HEAD", "HEAD")
    assert sorted(read) == sorted(git(forked.bob, "rev-list", "ORIG_HEAD..HEAD").split())


def test_the_cache_lives_in_the_git_folder_and_a_pull_writes_only_its_tail(forked: Story) -> None:
    assert gitfacts.warm_cache(project_of(forked.bob)) is True
    folder = forked.bob / ".git" / "ahq-history"
    (base,) = folder.glob("history-*[0-9a-f].json")
    before = base.read_bytes()
    git(forked.bob, "pull", "-q", "--no-rebase", "--no-edit", env=BOB)
    gitfacts.hook_warning(project_of(forked.bob), "ORIG_HEAD", "HEAD")
    assert base.read_bytes() == before
    tail = json.loads(base.with_name(base.stem + ".tail.json").read_text())
    assert tail["commits"].split() == git(forked.bob, "rev-list", "--reverse", "ORIG_HEAD..HEAD").split()
    assert git(forked.bob, "status", "--porcelain") == ""


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


def test_a_cache_tail_for_another_base_is_ignored(forked: Story) -> None:
    project = project_of(forked.bob)
    gitfacts.warm_cache(project)
    folder = forked.bob / ".git" / "ahq-history"
    (base,) = folder.glob("history-*[0-9a-f].json")
    tail = base.with_name(base.stem + ".tail.json")
    tail.write_text(json.dumps({"stamp": "other", "from": 0, "tips": [], "commits": "f" * 40,
                                "parents": [[]], "info": {}, "changes": {}, "blobs": {}}))
    place = gitfacts.open_place(project)
    history = gitcache.load(gitfacts.cache_file(place), place.pathspecs, frozenset())
    place.repo.close()
    assert history is not None and "f" * 40 not in history.index


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

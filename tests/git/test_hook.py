"""git/hook.py: what the hooks say after a pull, and the history cache they read, on real clones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ahq_history.config.project import find_project
from ahq_history.git import repo as gitrepo
from ahq_history.git import store as gitstore
from ahq_history.git.hook import hook_warning, warm_cache
from ahq_history.git.log import parse_log
from ahq_history.git.place import cache_file, open_place
from tests.support.gitcli import commit_all, git, head
from tests.support.gitstory import (
    ALICE,
    ALICE_FILE,
    ALICE_REV,
    BASE_REV,
    BOB,
    BOB_REV,
    Story,
    alice_pushes,
)
from tests.support.projects import add_revision


def project_of(root: Path) -> Any:
    return find_project(config=root / "alembic.ini")


def test_the_hook_names_both_heads_who_brought_them_and_the_command(forked: Story) -> None:
    warm_cache(project_of(forked.bob))
    git(forked.bob, "pull", "-q", "--no-rebase", "--no-edit", env=BOB)
    alice = git(forked.bob, "log", "-1", "--format=%H", "--", ALICE_FILE).strip()
    bob = git(forked.bob, "rev-parse", "HEAD^1").strip()
    said = hook_warning(project_of(forked.bob), "ORIG_HEAD", "HEAD")
    assert said == "\n".join([
        f"ahq-history: 2 migration heads since {BASE_REV}:",
        f"  {ALICE_REV}  add audit log  by Alice <alice@example.com> from origin/main, commit {alice[:12]} "
        "(published)",
        f"  {BOB_REV}  add workflows  by Bob <bob@example.com> from main, commit {bob[:12]} (local)",
        f"  joined by merge commit {head(forked.bob)[:12]} (Bob); the migration heads are still apart",
        f"  {BOB_REV} is only on this machine, but whether a database has applied it is unknown (this "
        "command does not read the database): a merge revision is safe either way; `ahq-history status` "
        "reads the database and says whether it can move on top of the published side instead",
        "  run: ahq-history merge-heads",
        "  then: alembic upgrade head",
    ])


def test_the_hook_after_a_rebasing_pull_names_the_rebased_commit(forked: Story) -> None:
    git(forked.bob, "pull", "-q", "--rebase", env=BOB)
    said = hook_warning(project_of(forked.bob), "ORIG_HEAD", "HEAD")
    assert said is not None
    rebased = head(forked.bob)[:12]
    assert f"  {BOB_REV}  add workflows  by Bob <bob@example.com> from main, commit {rebased} (local)" in \
        said.splitlines()
    assert said.splitlines()[-2:] == ["  run: ahq-history merge-heads", "  then: alembic upgrade head"]


def test_the_hook_is_quiet_when_the_pull_brought_no_revision_file(story: Story) -> None:
    (story.alice / "README.md").write_text("docs\n")
    commit_all(story.alice, "docs", ALICE)
    git(story.alice, "push", "-q", "origin", "main")
    add_revision(story.bob, "add workflows", BOB_REV, head=BASE_REV)  # a local head, uncommitted
    git(story.bob, "pull", "-q", "--no-rebase", "--no-edit", env=BOB)
    assert hook_warning(project_of(story.bob), "ORIG_HEAD", "HEAD") is None


def test_the_hook_is_quiet_when_the_pull_leaves_one_head(story: Story) -> None:
    alice_pushes(story)
    git(story.bob, "pull", "-q", "--no-rebase", "--no-edit", env=BOB)
    assert hook_warning(project_of(story.bob), "ORIG_HEAD", "HEAD") is None


def test_the_hook_says_when_a_pull_changed_a_revision_file_you_had(story: Story) -> None:
    path = story.alice / f"migrations/versions/{BASE_REV}_create_users.py"
    path.write_text(path.read_text().replace("pass", "op.execute('SELECT 1')", 1))
    edit = commit_all(story.alice, "fix the first migration", ALICE)
    git(story.alice, "push", "-q", "origin", "main")
    git(story.bob, "pull", "-q", "--no-rebase", "--no-edit", env=BOB)
    said = hook_warning(project_of(story.bob), "ORIG_HEAD", "HEAD")
    assert said == (f"ahq-history: warning: migrations/versions/{BASE_REV}_create_users.py, which you "
                    f"already had, was changed in commit {edit[:12]} by Alice <alice@example.com>; a "
                    "database that applied the old text will not run the new one")


def test_the_hook_outside_git_is_quiet(tmp_path: Path) -> None:
    from tests.support.projects import alembic_project

    root = alembic_project(tmp_path / "plain")
    assert hook_warning(project_of(root), "HEAD~1", "HEAD") is None


def test_after_warming_a_pull_reads_only_the_commits_it_brought(forked: Story,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    warm_cache(project_of(forked.bob))
    git(forked.bob, "pull", "-q", "--no-rebase", "--no-edit", env=BOB)
    read: list[str] = []
    real = gitrepo.log_history

    def spy(repo: Any, tips: Any, exclude: Any, pathspecs: Any) -> str:
        text = real(repo, tips, exclude, pathspecs)
        read.extend(r.info.sha for r in parse_log(text))
        return text

    monkeypatch.setattr(gitrepo, "log_history", spy)
    hook_warning(project_of(forked.bob), "ORIG_HEAD", "HEAD")
    assert sorted(read) == sorted(git(forked.bob, "rev-list", "ORIG_HEAD..HEAD").split())


def test_the_cache_lives_in_the_git_folder_and_a_pull_writes_only_its_tail(forked: Story) -> None:
    assert warm_cache(project_of(forked.bob)) is True
    folder = forked.bob / ".git" / "ahq-history"
    (base,) = folder.glob("history-*[0-9a-f].json")
    before = base.read_bytes()
    git(forked.bob, "pull", "-q", "--no-rebase", "--no-edit", env=BOB)
    hook_warning(project_of(forked.bob), "ORIG_HEAD", "HEAD")
    assert base.read_bytes() == before
    tail = json.loads(base.with_name(base.stem + ".tail.json").read_text())
    assert tail["commits"].split() == git(forked.bob, "rev-list", "--reverse", "ORIG_HEAD..HEAD").split()
    assert git(forked.bob, "status", "--porcelain") == ""


def test_a_cache_tail_for_another_base_is_ignored(forked: Story) -> None:
    project = project_of(forked.bob)
    warm_cache(project)
    folder = forked.bob / ".git" / "ahq-history"
    (base,) = folder.glob("history-*[0-9a-f].json")
    tail = base.with_name(base.stem + ".tail.json")
    tail.write_text(json.dumps({"stamp": "other", "from": 0, "tips": [], "commits": "f" * 40,
                                "parents": [[]], "info": {}, "changes": {}, "blobs": {}}))
    place = open_place(project)
    history = gitstore.load(cache_file(place), place.pathspecs, frozenset())
    place.repo.close()
    assert history is not None and "f" * 40 not in history.index


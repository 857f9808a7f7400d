"""git/index.py, log.py, store.py: the history read from real repositories, replayed at tips and kept."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ahq_history.git import repo as gitrepo
from ahq_history.git.index import History
from ahq_history.git.log import Change, parse_log
from ahq_history.git.store import load, save
from tests.support.gitcli import commit_all, git

ALICE = {"GIT_AUTHOR_NAME": "Alice", "GIT_AUTHOR_EMAIL": "alice@example.com"}
BOB = {"GIT_AUTHOR_NAME": "Bob", "GIT_AUTHOR_EMAIL": "bob@example.com"}


def write(repo: Path, path: str, text: str) -> None:
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    (repo / path).write_text(text)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """v/a.py by Alice; side branch: Bob adds v/b.py and edits v/a.py; main adds v/c.py; the merge
    itself writes v/m.py; then v/a.py is renamed and v/c.py deleted."""
    root = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(root))
    write(root, "v/a.py", "a = 1\n" * 20)
    write(root, "app.py", "x = 1\n")
    commit_all(root, "add a", ALICE)
    git(root, "checkout", "-qb", "side")
    write(root, "v/b.py", "b = 1\n")
    write(root, "v/a.py", "a = 1\n" * 20 + "a = 2\n")
    commit_all(root, "side work", BOB)
    git(root, "checkout", "-q", "main")
    write(root, "v/c.py", "c = 1\n")
    commit_all(root, "add c", ALICE)
    git(root, "merge", "-q", "--no-commit", "side")
    write(root, "v/m.py", "m = 1\n")
    commit_all(root, "merge side", BOB)
    git(root, "mv", "v/a.py", "v/a2.py")
    commit_all(root, "rename a", ALICE)
    git(root, "rm", "-q", "v/c.py")
    commit_all(root, "delete c", BOB)
    return root


def sha(repo: Path, name: str) -> str:
    return git(repo, "rev-parse", name).strip()


def build(repo: Path, *tips: str, history: History | None = None) -> History:
    opened = gitrepo.open_repo(repo)
    history = history or History(["v"], gitrepo.shallow_boundary(opened))
    names = [sha(repo, t) for t in tips]
    history.add(parse_log(gitrepo.log_history(opened, names, sorted(history.tips), ["v"])), names)
    opened.close()
    return history


def author(history: History, number: int | None) -> str | None:
    info = history.commit(number) if number is not None else None
    return info.author if info else None


def test_replay_follows_a_rename_to_the_commit_that_added_the_file(repo: Path) -> None:
    history = build(repo, "main")
    files = history.replay(sha(repo, "main")).files
    a2 = files["v/a2.py"]
    assert history.shas[a2.added] == sha(repo, "main~4")  # type: ignore[index]
    assert author(history, a2.added) == "Alice"
    assert [author(history, n) for n, _blob in a2.versions] == ["Alice", "Bob", "Alice"]


def test_a_file_added_on_a_merged_branch_keeps_its_own_commit(repo: Path) -> None:
    history = build(repo, "main")
    b = history.replay(sha(repo, "main")).files["v/b.py"]
    assert history.shas[b.added] == sha(repo, "side")  # type: ignore[index]
    assert author(history, b.added) == "Bob"


def test_a_file_written_inside_a_merge_commit_is_added_by_the_merge(repo: Path) -> None:
    history = build(repo, "main")
    m = history.replay(sha(repo, "main")).files["v/m.py"]
    assert history.shas[m.added] == sha(repo, "main~2")  # type: ignore[index]


def test_a_deleted_file_is_remembered_with_the_deleting_commit(repo: Path) -> None:
    history = build(repo, "main")
    snapshot = history.replay(sha(repo, "main"))
    assert "v/c.py" not in snapshot.files
    gone = snapshot.deletions["v/c.py"]
    assert history.shas[gone.commit] == sha(repo, "main")
    assert gone.blob == git(repo, "rev-parse", "main~1:v/c.py").strip()
    assert author(history, gone.added) == "Alice"


def test_replay_at_an_older_tip_sees_that_tips_files(repo: Path) -> None:
    history = build(repo, "main")
    assert sorted(history.replay(sha(repo, "side")).files) == ["v/a.py", "v/b.py"]


def answers(history: History, tip: str) -> dict[str, tuple[str | None, list[str]]]:
    """path -> (adding commit, commits that changed it) at `tip`."""
    return {path: (history.shas[f.added] if f.added is not None else None,
                   [history.shas[n] for n, _blob in f.versions])
            for path, f in history.replay(tip).files.items()}


def test_reading_new_commits_on_top_gives_the_same_answers(repo: Path) -> None:
    whole = build(repo, "main")
    step = build(repo, "main~3")
    build(repo, "main", history=step)
    assert sorted(step.shas) == sorted(whole.shas)
    assert answers(step, sha(repo, "main")) == answers(whole, sha(repo, "main"))


def test_an_update_reads_only_the_commits_after_the_cached_tips(repo: Path) -> None:
    history = build(repo, "main~1")
    opened = gitrepo.open_repo(repo)
    text = gitrepo.log_history(opened, [sha(repo, "main")], sorted(history.tips), ["v"])
    opened.close()
    assert [r.info.sha for r in parse_log(text)] == [sha(repo, "main")]


def test_every_commit_is_listed_parents_first(repo: Path) -> None:
    history = build(repo, "main")
    count = int(git(repo, "rev-list", "--count", "main").strip())
    assert len(history) == count
    assert all(all(p < n for p in parents) for n, parents in enumerate(history.parents))


def test_ref_masks_say_which_tips_hold_each_commit(repo: Path) -> None:
    history = build(repo, "main", "side")
    masks = history.ref_masks([sha(repo, "main"), sha(repo, "side")])
    assert masks[history.index[sha(repo, "side")]] == 0b11
    assert masks[history.index[sha(repo, "main~2^1")]] == 0b01  # "add c" is on main only


def test_first_join_is_the_merge_that_brought_both_commits_together(repo: Path) -> None:
    history = build(repo, "main")
    groups = [[history.index[sha(repo, "side")]], [history.index[sha(repo, "main~2^1")]]]
    joined = history.first_join(groups, history.reach([sha(repo, "main")]))
    assert joined is not None and history.shas[joined] == sha(repo, "main~2")


def test_first_join_is_none_when_one_commit_follows_the_other(repo: Path) -> None:
    history = build(repo, "main")
    groups = [[history.index[sha(repo, "main~1")]], [history.index[sha(repo, "main")]]]
    assert history.first_join(groups, history.reach([sha(repo, "main")])) is None


def test_prune_forgets_commits_no_tip_reaches_and_keeps_the_answers(repo: Path) -> None:
    git(repo, "checkout", "-qb", "lost", "main~1")
    write(repo, "v/x.py", "x = 1\n")
    lost = commit_all(repo, "soon unreachable")
    history = build(repo, "main", "lost")
    before = answers(history, sha(repo, "main"))
    history.prune([sha(repo, "main")])
    assert lost not in history.index
    assert len(history) == int(git(repo, "rev-list", "--count", "main").strip())
    assert answers(history, sha(repo, "main")) == before


def test_the_cache_file_round_trips(repo: Path, tmp_path: Path) -> None:
    history = build(repo, "main", "side")
    history.blobs["f" * 40] = None
    save(tmp_path / "cache" / "history.json", history)
    again = load(tmp_path / "cache" / "history.json", ["v"], frozenset())
    assert again is not None
    assert (again.shas, again.parents, again.info, again.changes, again.tips, again.blobs) == (
        history.shas, history.parents, history.info, history.changes, history.tips, history.blobs)


def test_a_cache_for_other_folders_or_another_shallow_boundary_is_a_miss(repo: Path, tmp_path: Path) -> None:
    save(tmp_path / "history.json", build(repo, "main"))
    assert load(tmp_path / "history.json", ["other"], frozenset()) is None
    assert load(tmp_path / "history.json", ["v"], frozenset({"a" * 40})) is None


def test_a_damaged_cache_file_is_a_miss(tmp_path: Path) -> None:
    (tmp_path / "history.json").write_text('{"format": 1, "pathspecs": ["v"]')
    assert load(tmp_path / "history.json", ["v"], frozenset()) is None


def test_a_shallow_boundary_holds_files_but_adds_none(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "3", f"file://{repo}", str(clone)], check=True)
    write(clone, "v/n.py", "n = 1\n")
    new = commit_all(clone, "after the boundary", ALICE)
    history = build(clone, "HEAD")
    boundary = sha(clone, "HEAD~3")  # the merge: the oldest commit the clone has
    assert history.shallow == frozenset({boundary})
    found = answers(history, new)
    assert found["v/b.py"] == (None, [boundary])  # the boundary's copy: nobody's change
    assert found["v/m.py"] == (None, [boundary])
    assert found["v/a2.py"] == (None, [boundary, sha(clone, "HEAD~2")])  # renamed after the boundary
    assert found["v/n.py"] == (new, [new])
    files = history.replay(new).files
    assert (files["v/b.py"].changed, history.shas[files["v/b.py"].seen]) == (None, boundary)
    renamed = files["v/a2.py"].changed
    assert renamed is not None and history.shas[renamed] == sha(clone, "HEAD~2")


def test_combined_merge_entries_become_changes() -> None:
    zero, one, two, new = "0" * 40, "1" * 40, "2" * 40, "3" * 40
    header = f"\x1e{'m' * 40}\x1f{'p' * 40} {'q' * 40}\x1fBob\x1fbob@example.com\x1f2026-01-01T00:00:00+00:00"
    text = (f"{header}\0\0"
            f"::000000 000000 100644 {zero} {zero} {new} AA\0v/new.py\0"
            f"::100644 100644 100644 {one} {two} {new} MM\0v/edited.py\0"
            f"::100644 100644 000000 {one} {two} {zero} DD\0v/gone.py\0")
    (record,) = parse_log(text)
    assert record.parents == ("p" * 40, "q" * 40)
    assert record.changes == (Change("A", "v/new.py", new), Change("M", "v/edited.py", new, old_blob=one),
                              Change("D", "v/gone.py", None, old_blob=one))

"""The TUI's plain values: filters, search and the divergence summary, from inline revisions (no terminal)."""

from __future__ import annotations

from pathlib import Path

from ahq_history.config.loading import Loaded
from ahq_history.config.project import Project
from ahq_history.core.graph import RevisionGraph
from ahq_history.core.model import Revision
from ahq_history.core.source import ScanResult
from ahq_history.report.lanes import GitColumns
from ahq_history.tui.state import (
    banner_lines,
    broken_notice,
    build_history,
    divergence_summary,
    filtered_ids,
    find,
    merge_unavailable,
    view_rows,
)


def history_of(*revisions: Revision):  # type: ignore[no-untyped-def]
    project = Project(root=Path("/p"), config_path=Path("/p/alembic.ini"), layout="alembic-ini",
                      script_location=Path("/p/migrations"),
                      version_locations=(Path("/p/migrations/versions"),))
    loaded = Loaded(project=project, scan=ScanResult(revisions=revisions, problems=()),
                    graph=RevisionGraph(revisions))
    return build_history(loaded)


FORK = (Revision("aaaa", message="create users"), Revision("bbbb", ("aaaa",), message="add audit log"),
        Revision("cccc", ("aaaa",), message="add phone"))
GIT = {"aaaa": GitColumns(author="Alice", published=True), "bbbb": GitColumns(author="Alice", published=True),
       "cccc": GitColumns(author="Bob", published=False)}


def test_heads_filter_keeps_heads_in_display_order() -> None:
    assert filtered_ids(history_of(*FORK), "heads") == ["cccc", "bbbb"]


def test_local_filter_needs_git_facts() -> None:
    history = history_of(*FORK)
    assert filtered_ids(history, "local") is None
    assert filtered_ids(history.with_git(GIT, None), "local") == ["cccc"]


def test_uncommitted_files_count_as_local() -> None:
    history = history_of(*FORK).with_git({"bbbb": GitColumns(committed=False)}, None)
    assert filtered_ids(history, "local") == ["bbbb"]


def test_unapplied_filter_needs_the_database() -> None:
    history = history_of(*FORK)
    assert filtered_ids(history, "unapplied") is None
    assert filtered_ids(history.with_database(frozenset({"aaaa", "bbbb"}), None), "unapplied") == ["cccc"]


def test_filtered_rows_are_laid_out_on_their_own() -> None:
    rows = view_rows(history_of(*FORK), "heads")
    assert rows is not None
    assert [(r.revision, r.graph) for r in rows] == [("cccc", "●"), ("bbbb", "  ●")]


def test_find_matches_id_message_and_author_and_wraps() -> None:
    history = history_of(*FORK).with_git(GIT, None)
    rows = history.rows
    assert [r.revision for r in rows] == ["cccc", "bbbb", "aaaa"]
    assert find(history, rows, "AUDIT", start=0) == 1
    assert find(history, rows, "bob", start=0) == 0  # wraps round to the first row
    assert find(history, rows, "aaa", start=0) == 2
    assert find(history, rows, "alice", start=2, step=-1) == 1
    assert find(history, rows, "nobody", start=0) is None


def test_divergence_summary_names_heads_authors_and_fork() -> None:
    history = history_of(*FORK).with_git(GIT, None)
    (divergence,) = history.graph.divergences
    assert divergence_summary(history, divergence) == (
        "2 heads since aaaa: bbbb add audit log (Alice, published) and cccc add phone (Bob, local)")


def test_banner_of_a_divergence_offers_merge_and_re_parent() -> None:
    history = history_of(*FORK)
    assert broken_notice(history) is None
    assert banner_lines(history) == [
        "Diverged (m merge, r re-parent): 2 heads since aaaa: bbbb add audit log and cccc add phone",
        "  run: ahq-history merge-heads  (whether bbbb, cccc were pushed is unknown (no remote-tracking "
        "branch, or no git repository): a merge revision is safe either way)"]


def test_banner_of_a_broken_graph_says_to_fix_it_first_instead_of_merging() -> None:
    history = history_of(Revision("aaaa", message="create users"),
                         Revision("bbbb", ("ffff",), message="add audit log", path="versions/bbbb.py",
                                  parents_line=16),
                         Revision("cccc", ("aaaa",), message="add phone"))
    assert banner_lines(history) == [
        "The revision graph is broken (1 problem): fix it first, then press R to reload; merging and "
        "re-parenting wait until then",
        "  versions/bbbb.py:16: revision bbbb names down_revision ffff, which no file defines",
        "As drawn: 2 heads since no shared revision: bbbb add audit log and cccc add phone",
    ]


def test_banner_of_a_graph_with_several_problems_counts_them() -> None:
    history = history_of(Revision("aaaa", message="create users"),
                         Revision("bbbb", ("ffff",), message="add audit log"),
                         Revision("cccc", ("eeee",), message="add phone"))
    lines = banner_lines(history)
    assert lines[0].startswith("The revision graph is broken (2 problems): fix them first")
    assert lines[1] == "  revision bbbb names down_revision ffff, which no file defines (and 1 more)"


def test_merge_applies_only_to_a_loaded_divergence() -> None:
    assert merge_unavailable(None) == "the history is still loading"
    assert merge_unavailable(history_of(FORK[0], FORK[1])) == "one head: nothing to merge"
    assert merge_unavailable(history_of(*FORK)) is None

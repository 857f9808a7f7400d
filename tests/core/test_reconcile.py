"""reconcile.py: the pure rules, on `Revision` values and git facts written inline (no disk, no git)."""

from __future__ import annotations

from collections.abc import Sequence

from ahq_history.core.applied import AppliedState
from ahq_history.core.graph import RevisionGraph
from ahq_history.core.model import Revision
from ahq_history.core.reconcile import (
    BranchRevision,
    CommitFacts,
    DeletedFile,
    FileFacts,
    GitFacts,
    PublishedVersion,
    divergence_reports,
    history_warnings,
    hook_text,
    merge_conflict,
    provenance,
    publication,
)

ALICE = CommitFacts(sha="a" * 40, author="Alice", email="alice@example.com", date="2026-01-02T10:00:00+00:00")
BOB = CommitFacts(sha="b" * 40, author="Bob", email="bob@example.com", date="2026-01-03T10:00:00+00:00")
BASE = CommitFacts(sha="c" * 40, author="Carol", email="carol@example.com", date="2026-01-01T10:00:00+00:00")
MERGE = CommitFacts(sha="d" * 40, author="Bob", email="bob@example.com", date="2026-01-04T10:00:00+00:00")


def rev(rid: str, *parents: str, message: str = "") -> Revision:
    return Revision(id=rid, parents=parents, message=message or f"change {rid}", path=f"versions/{rid}.py",
                    line=10, parents_line=11)


def forked() -> RevisionGraph:
    """base <- alice ; base <- bob1 <- bob2"""
    return RevisionGraph([rev("base"), rev("alice", "base", message="add audit log"),
                          rev("bob1", "base", message="add workflows"),
                          rev("bob2", "bob1", message="add runs")])


def published(commit: CommitFacts, source: str = "origin/main") -> FileFacts:
    return FileFacts(state="committed", added=commit, changed=commit, refs=("main", source),
                     published=True, source=source)


def local(commit: CommitFacts | None) -> FileFacts:
    if commit is None:
        return FileFacts(state="uncommitted", published=False)
    return FileFacts(state="committed", added=commit, changed=commit, refs=("main",), published=False,
                     source="main")


def facts(files: dict[str, FileFacts], **more: object) -> GitFacts:
    return GitFacts(files=files, remote=True, **more)  # type: ignore[arg-type]


def story_facts(**more: object) -> GitFacts:
    return facts({"versions/base.py": published(BASE), "versions/alice.py": published(ALICE),
                  "versions/bob1.py": local(BOB), "versions/bob2.py": local(None)}, **more)


NOTHING_APPLIED = AppliedState.read(frozenset(), "database sqlite:///app.db (DATABASE_URL): nothing applied")


# -- publication and advice -------------------------------------------------------------------------


def test_provenance_is_found_by_the_revision_files_path() -> None:
    found = provenance(forked(), story_facts())
    assert found["alice"].added == ALICE
    assert (found["alice"].published, found["alice"].source) == (True, "origin/main")
    assert found["bob2"].state == "uncommitted"
    assert found["bob2"].added is None


def test_provenance_json_has_the_check_contract_fields() -> None:
    assert provenance(forked(), story_facts())["alice"].as_json() == {
        "commit": "a" * 40, "author": "Alice", "email": "alice@example.com",
        "date": "2026-01-02T10:00:00+00:00", "published": True, "refs": ["main", "origin/main"],
        "state": "committed", "source": "origin/main", "last_commit": "a" * 40, "last_author": "Alice",
        "last_date": "2026-01-02T10:00:00+00:00"}


def test_an_uncommitted_revision_has_null_commit_fields_and_is_local() -> None:
    shown = provenance(forked(), story_facts())["bob2"].as_json()
    assert (shown["commit"], shown["author"], shown["published"], shown["state"]) == (
        None, None, False, "uncommitted")


def test_revisions_outside_the_facts_have_no_provenance() -> None:
    assert provenance(forked(), facts({})) == {}


def test_a_side_with_anything_published_is_published() -> None:
    found = provenance(forked(), facts({"versions/bob1.py": published(BOB), "versions/bob2.py": local(None)}))
    assert publication(["bob2", "bob1"], found) is True


def test_a_side_entirely_local_is_local() -> None:
    found = provenance(forked(), story_facts())
    assert publication(["bob2", "bob1"], found) is False


def test_a_side_with_unknown_publication_is_unknown() -> None:
    no_remote = GitFacts(files={"versions/bob1.py": FileFacts(state="committed", added=BOB, published=None),
                                "versions/bob2.py": local(None)}, remote=False)
    assert publication(["bob2", "bob1"], provenance(forked(), no_remote)) is None


# -- divergence reports -----------------------------------------------------------------------------


def test_divergence_report_gives_sides_advice_and_command() -> None:
    graph = forked()
    (report,) = divergence_reports(graph, provenance(graph, story_facts()), story_facts(),
                                   applied=NOTHING_APPLIED)
    assert [(s.head, s.revisions, s.published) for s in report.sides] == [
        ("alice", ("alice",), True), ("bob2", ("bob2", "bob1"), False)]
    assert (report.advice, report.command) == ("rebase", "ahq-history merge-heads --rebase")


def test_divergence_report_without_the_database_read_merges_a_local_side() -> None:
    graph = forked()
    (report,) = divergence_reports(graph, provenance(graph, story_facts()), story_facts())
    assert (report.advice, report.command) == ("merge", "ahq-history merge-heads")
    assert "whether a database has applied it is unknown" in report.advised.reason


def test_divergence_report_names_the_conflict_and_asks_for_allow_conflicts() -> None:
    graph = forked()
    conflicts = {("alice", "bob2"): ["both sides add column users.phone"]}
    (report,) = divergence_reports(graph, provenance(graph, story_facts()), story_facts(),
                                   applied=NOTHING_APPLIED, conflicts=conflicts)
    assert report.command == "ahq-history merge-heads --allow-conflicts"
    assert report.advised.reason.startswith("the sides conflict: both sides add column users.phone;")


def test_merge_command_names_no_heads_for_a_single_divergence() -> None:
    graph = forked()
    both = facts({"versions/alice.py": published(ALICE), "versions/bob1.py": published(BOB),
                  "versions/bob2.py": published(BOB)})
    (report,) = divergence_reports(graph, provenance(graph, both), both)
    assert (report.advice, report.command) == ("merge", "ahq-history merge-heads")


def test_commands_name_their_heads_when_there_are_several_divergences() -> None:
    graph = RevisionGraph([
        rev("base"), rev("a1", "base"), rev("a2", "base"),
        Revision(id="lbase", branch_labels=("reports",), path="versions/lbase.py"),
        rev("l1", "lbase"), rev("l2", "lbase"),
    ])
    files = {f"versions/{r}.py": published(ALICE) for r in ("a1", "l1")}
    files.update({f"versions/{r}.py": local(BOB) for r in ("a2", "l2")})
    found = provenance(graph, facts(files))
    reports = divergence_reports(graph, found, facts(files), applied=NOTHING_APPLIED)
    commands = sorted(r.command for r in reports)
    assert commands == ["ahq-history merge-heads --rebase a2", "ahq-history merge-heads --rebase l2"]


def test_joined_by_asks_git_with_each_sides_adding_commits() -> None:
    asked: list[Sequence[Sequence[str]]] = []

    def join(groups: Sequence[Sequence[str]]) -> CommitFacts | None:
        asked.append(groups)
        return MERGE

    graph = forked()
    both = facts({"versions/alice.py": published(ALICE), "versions/bob1.py": local(BOB),
                  "versions/bob2.py": local(BASE)}, join=join)
    (report,) = divergence_reports(graph, provenance(graph, both), both)
    assert report.joined_by == MERGE
    assert asked == [[["a" * 40], ["c" * 40, "b" * 40]]]


def test_an_uncommitted_side_was_joined_by_no_commit() -> None:
    graph = RevisionGraph([rev("base"), rev("alice", "base"), rev("bob", "base")])
    files = {"versions/alice.py": published(ALICE), "versions/bob.py": local(None)}
    (report,) = divergence_reports(graph, provenance(graph, facts(files)), facts(files, join=lambda g: MERGE))
    assert report.joined_by is None


def test_without_git_a_divergence_is_merged() -> None:
    (report,) = divergence_reports(forked(), {}, None)
    assert (report.advice, report.command, report.joined_by) == ("merge", "ahq-history merge-heads", None)


# -- history warnings -------------------------------------------------------------------------------


def test_a_published_revision_reparented_locally_is_a_warning() -> None:
    graph = RevisionGraph([rev("base"), rev("other", "base"), rev("alice", "other")])
    before = rev("alice", "base")
    found = facts({}, published_versions={"versions/alice.py": PublishedVersion(before, ALICE, BOB)})
    (problem,) = history_warnings(graph, found, {})
    assert (problem.kind, problem.severity, problem.path, problem.line) == (
        "reparented-after-publish", "warning", "versions/alice.py", 11)
    assert problem.message == (
        f"revision alice was published in commit {'a' * 12} by Alice with down_revision base and commit "
        f"{'b' * 12} by Bob <bob@example.com> changes it to other: databases that applied it record a "
        "different history; re-parent only what nobody else has")


def test_a_published_revision_edited_without_commit_is_a_warning() -> None:
    graph = RevisionGraph([rev("base"), rev("alice", "base")])
    found = facts({}, published_versions={"versions/alice.py": PublishedVersion(rev("alice", "base"), ALICE,
                                                                                 None)})
    (problem,) = history_warnings(graph, found, {})
    assert problem.kind == "edited-after-publish"
    assert problem.message == (
        f"revision alice was edited after it was published (in commit {'a' * 12} by Alice); an uncommitted "
        "change changes it, and databases that already applied it will not run it again")


def test_a_deleted_revision_that_is_still_named_gets_its_answer() -> None:
    graph = RevisionGraph([rev("base"), rev("child", "gone")])
    deleted = DeletedFile(revision="gone", path="versions/gone.py", deleted_by=BOB, was_published=True,
                          deletion_published=True)
    (problem,) = history_warnings(graph, facts({}, deletions=[deleted]), {})
    assert (problem.kind, problem.severity) == ("deleted-revision", "warning")
    assert problem.path == "versions/gone.py"
    assert problem.message == (
        f"revision gone was deleted in commit {'b' * 12} by Bob <bob@example.com> on "
        "2026-01-03; revision child still names it")


def test_a_published_revision_deleted_locally_is_a_warning() -> None:
    graph = RevisionGraph([rev("base")])
    deleted = DeletedFile(revision="gone", path="versions/gone.py", deleted_by=None, was_published=True,
                          deletion_published=False)
    (problem,) = history_warnings(graph, facts({}, deletions=[deleted]), {})
    assert problem.message == ("revision gone was deleted in the work tree (not "
                               "committed); it was published, so databases may have it applied")


def test_a_published_deletion_nobody_names_is_history_not_a_warning() -> None:
    graph = RevisionGraph([rev("base")])
    deleted = DeletedFile(revision="gone", path="versions/gone.py", deleted_by=BOB, was_published=True,
                          deletion_published=True)
    assert history_warnings(graph, facts({}, deletions=[deleted]), {}) == []


def test_the_same_id_added_on_another_branch_is_a_warning() -> None:
    graph = RevisionGraph([rev("base"), rev("cafe", "base")])
    other = BranchRevision(revision="cafe", path="versions/cafe_other.py", ref="origin/feature", added=BOB)
    files = {"versions/cafe.py": local(ALICE)}
    found = provenance(graph, facts(files))
    (problem,) = history_warnings(graph, facts(files, branch_revisions=[other]), found)
    assert problem.kind == "same-id-on-branches"
    assert problem.message == (
        f"revision id cafe is added on two branches: versions/cafe.py on here (commit {'a' * 12} by Alice); "
        f"versions/cafe_other.py on origin/feature (commit {'b' * 12} by Bob); give one of them a new id "
        "before they meet")


def test_the_same_file_on_another_branch_is_not_a_second_id() -> None:
    graph = RevisionGraph([rev("base"), rev("cafe", "base")])
    same_path = BranchRevision(revision="cafe", path="versions/cafe.py", ref="origin/feature", added=BOB)
    renamed = BranchRevision(revision="cafe", path="versions/renamed.py", ref="origin/x", added=ALICE)
    files = {"versions/cafe.py": local(ALICE)}
    found = facts(files, branch_revisions=[same_path, renamed])
    assert history_warnings(graph, found, provenance(graph, found)) == []


def test_merge_conflict_is_an_error_naming_the_revision_and_ref() -> None:
    problem = merge_conflict("versions/a.py", "origin/main", "a")
    assert (problem.kind, problem.severity, problem.revisions) == ("merge-conflict", "error", ("a",))
    assert problem.message == ("revision a (versions/a.py) is changed differently here and on origin/main: "
                               "merging origin/main will stop on a conflict in it")


# -- the hook's words -------------------------------------------------------------------------------


def test_hook_text_names_each_head_who_brought_it_and_the_command() -> None:
    graph = forked()
    found = provenance(graph, story_facts())
    reports = divergence_reports(graph, found, story_facts(), upgrade=("flask", "db", "upgrade"))
    assert hook_text(graph, reports, found) == "\n".join([
        "ahq-history: 2 migration heads since base:",
        f"  alice  add audit log  by Alice <alice@example.com> from origin/main, commit {'a' * 12} "
        "(published)",
        "  bob2  add runs  (not committed, local)",
        "  bob2 is only on this machine, but whether a database has applied it is unknown (this command "
        "does not read the database): a merge revision is safe either way; `ahq-history status` reads the "
        "database and says whether it can move on top of the published side instead",
        "  run: ahq-history merge-heads",
        "  then: flask db upgrade",
    ])


def test_hook_text_is_none_when_there_is_nothing_to_say() -> None:
    graph = RevisionGraph([rev("base"), rev("next", "base")])
    assert hook_text(graph, [], {}) is None

"""`ahq-history merge-heads`: resolve each divergence with a merge revision, or re-parent local revisions.

The plan is decided from facts (`plan.py`), shown, and written only when the user agrees (a terminal's
y/N, or `--yes`); `writer.py` writes it whole or not at all. With one head there is nothing to do (exit 0).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ahq_history.commands.options import add_database_url, add_upstream
from ahq_history.errors import EXIT_NEGATIVE, EXIT_OK, EXIT_USAGE, BrokenGraphError, RefusedError, UsageError

if TYPE_CHECKING:
    from ahq_history.conflicts import Conflict
    from ahq_history.graph import RevisionGraph
    from ahq_history.loading import Loaded
    from ahq_history.plan import Mode, Plan, Published, Step
    from ahq_history.writer import Written

SHORT = 12  # Alembic's own ids are 12 characters


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("revisions", nargs="*", metavar="REV",
                        help="heads to merge (this is how labelled branches are merged), or with --rebase "
                        "the heads of the sides to move (default: every divergence)")
    parser.add_argument("-m", "--message", default=None,
                        help="message of the merge revision (default: 'merge <side a> and <side b>')")
    parser.add_argument("--rebase", action="store_true",
                        help="instead of a merge revision, move local, unapplied sides on top of the "
                        "published head (edits two lines of each moved side's first revision)")
    parser.add_argument("--dry-run", action="store_true",
                        help="show the file or diff it would write; write nothing")
    parser.add_argument("-y", "--yes", action="store_true", help="write without asking")
    parser.add_argument("--allow-conflicts", action="store_true",
                        help="with --yes, write even when the sides' operations conflict")
    parser.add_argument("--version-path", metavar="PATH", type=Path, default=None,
                        help="version location for the merge revision (default: the one holding the first "
                        "parent's file)")
    parser.add_argument("--rev-id", metavar="ID", default=None,
                        help="revision id of the merge revision (default: a new random id, as Alembic draws)")
    add_upstream(parser)
    add_database_url(parser, when="with --rebase: ")
    parser.add_argument("--no-db-check", action="store_true",
                        help="with --rebase: do not read the database (you know the local revisions are not "
                        "applied anywhere)")


def run(args: argparse.Namespace) -> int:
    from ahq_history.loading import load
    from ahq_history.plan import make_plan

    _check_options(args)
    loaded = load(args.config)
    refuse_broken(loaded)
    graph = loaded.graph
    mode: Mode = "rebase" if args.rebase else "merge"
    published, notes = publication(loaded, args.upstream)
    plan = make_plan(graph, mode=mode, named=args.revisions, published=published, message=args.message)
    if mode == "rebase" and plan.steps:
        applied, db_note = applied_in_database(loaded, args)
        notes.append(db_note)
        plan = make_plan(graph, mode=mode, named=args.revisions, published=published, applied=applied)
    conflicts = find_conflicts(loaded, plan)
    return _act(args, loaded, plan, published, conflicts, notes)


def _check_options(args: argparse.Namespace) -> None:
    if args.rebase and (args.message is not None or args.version_path or args.rev_id):
        raise UsageError("-m, --version-path and --rev-id describe a merge revision; --rebase writes none",
                         hint="leave them out, or drop --rebase")
    if not args.rebase and (args.no_db_check or args.database_url):
        raise UsageError("--database-url and --no-db-check only matter with --rebase",
                         hint="a merge revision changes no applied revision, so the database is not read")
    if args.dry_run and args.yes:
        raise UsageError("--dry-run writes nothing; --yes has nothing to confirm", hint="choose one")


def _act(args: argparse.Namespace, loaded: Loaded, plan: Plan, published: Published,
         conflicts: list[Conflict], notes: list[str]) -> int:
    from ahq_history.writer import apply_plan

    report = Report(args, loaded, plan, published, conflicts, notes)
    if plan.nothing_to_do:
        return report.finish(EXIT_OK, nothing_message(loaded.graph, plan))
    if plan.refused:
        return report.finish(EXIT_NEGATIVE, "refused: nothing was written")
    if args.dry_run:
        preview = apply_plan(loaded.project, loaded.graph, plan, dry_run=True, rev_id=args.rev_id,
                             version_path=args.version_path)
        return report.finish(EXIT_OK, "dry run: nothing was written", preview=preview)
    if conflicts and args.yes and not args.allow_conflicts:
        return report.finish(EXIT_NEGATIVE, "refused: the sides conflict (see above); nothing was written; "
                             "check them, then run again with --allow-conflicts")
    if not args.yes:
        if args.json or not interactive():
            return report.finish(EXIT_USAGE, "nothing was written: pass --yes to write, or --dry-run to "
                                 "see the file first")
        if not report.ask():
            return report.finish(EXIT_NEGATIVE, "nothing was written")
    written = apply_plan(loaded.project, loaded.graph, plan, rev_id=args.rev_id,
                         version_path=args.version_path)
    return report.finish(EXIT_OK, None, written=written)


# -- facts ------------------------------------------------------------------------------------------


def refuse_broken(loaded: Loaded) -> None:
    """A merge in progress (conflict markers) or a broken history is reported, never merged over (exit 3)."""
    errors = [p for p in loaded.problems if p.is_error]
    if not errors:
        return
    markers = [p for p in errors if p.kind == "conflict-markers"]
    if markers:
        first = markers[0]
        where = ", ".join(f"{p.path}:{p.line}" for p in markers)
        raise BrokenGraphError(
            f"a git merge is in progress: conflict markers in {where}; not merged over ({first.message})",
            hint="finish the git merge first: resolve the file and `git add` it, then run "
            "ahq-history merge-heads")
    first = errors[0]
    where = f" ({first.path}:{first.line})" if first.path and first.line else ""
    more = f" and {len(errors) - 1} more problem(s)" if len(errors) > 1 else ""
    raise BrokenGraphError(f"the history is broken: {first.message}{where}{more}; nothing was written",
                           hint="run `ahq-history check` to see every problem, fix them, then merge")


def publication(loaded: Loaded, upstream: str | None = None) -> tuple[Published, list[str]]:
    """Published (True) / local (False) / unknown (None) per revision, from git's remote-tracking refs
    (or the one `upstream` ref), with a note when git cannot say (no repository, no remote)."""
    from ahq_history.errors import UnreachableError
    from ahq_history.gitfacts import provenance_for

    try:
        found = provenance_for(loaded, upstream=upstream)
    except UnreachableError as error:
        if upstream is not None:
            raise  # the user named a ref: say it is not there
        return {}, [f"publication unknown: {error.message}"]  # a merge revision needs no git facts
    published = {rid: facts.published for rid, facts in found.provenance.items()}
    return published, [found.note] if found.note else []


def applied_in_database(loaded: Loaded, args: argparse.Namespace) -> tuple[frozenset[str] | None, str]:
    """The revisions the project's database has applied (rows and their ancestors), and a note."""
    from ahq_history.database import read_version_rows, resolve_url, version_table_settings
    from ahq_history.errors import ConfigError, UnreachableError
    from ahq_history.plan import applied_revisions

    if args.no_db_check:
        return None, "database not checked (--no-db-check)"
    project = loaded.project
    try:
        db_url = resolve_url(project, args.database_url)
    except ConfigError:
        return frozenset(), "no database configured: nothing applied"
    table, schema = version_table_settings(project)
    try:
        rows = read_version_rows(db_url, project.root, version_table=table, schema=schema)
    except UnreachableError as error:
        raise RefusedError(
            f"{error.message}; --rebase must know that the moved revisions are not applied there",
            hint="start the database or pass --database-url; --no-db-check if you know they are not "
            "applied; or merge without --rebase") from None
    where = f"database {rows.url} ({db_url.source})"
    state = rows.note or ("applied: " + ", ".join(rows.revisions) if rows.revisions else "nothing applied")
    return applied_revisions(loaded.graph, rows.revisions), f"{where}: {state}"


def find_conflicts(loaded: Loaded, plan: Plan) -> list[Conflict]:
    """Where the sides of each planned step clash (issue 7's conflicts), read from the files' text."""
    from ahq_history.conflicts import conflicts_for_divergence
    from ahq_history.ops import read_operations

    graph, root = loaded.graph, loaded.project.root
    found: list[Conflict] = []
    for step in plan.steps:
        sides = []
        for side in _sides_oldest_first(graph, step.heads):
            revs = [graph.revisions[r] for r in side]
            sides.append([(rev, read_operations(_text(root / rev.path))) for rev in revs])
        found.extend(conflicts_for_divergence(sides))
    return found


def _sides_oldest_first(graph: RevisionGraph, heads: tuple[str, ...]) -> list[list[str]]:
    """Each head's own revisions (those no other head has), oldest first."""
    reach = {h: graph.ancestors(h) | {h} for h in heads}
    order = graph.topological()
    return [[r for r in order if r in reach[h] and not any(r in reach[o] for o in heads if o != h)]
            for h in heads]


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def nothing_message(graph: RevisionGraph, plan: Plan) -> str:
    heads = plan.heads
    if not heads:
        return "no revisions: nothing to merge"
    if len(heads) == 1:
        return f"one head ({heads[0]}): nothing to merge"
    labelled = "; ".join(f"{h}: {', '.join(sorted(graph.branch_labels(h))) or 'no label'}" for h in heads)
    return (f"no divergence: the heads are on distinct branches ({labelled}); nothing to merge (to merge "
            f"them anyway: ahq-history merge-heads {' '.join(heads)})")


# -- words ------------------------------------------------------------------------------------------


class Report:
    """What the command says, as text or as one JSON object (docs/json.md, `merge-heads`)."""

    def __init__(self, args: argparse.Namespace, loaded: Loaded, plan: Plan, published: Published,
                 conflicts: list[Conflict], notes: list[str]) -> None:
        self.args, self.loaded, self.plan = args, loaded, plan
        self.published, self.conflicts, self.notes = published, conflicts, notes
        self._shown = False

    def ask(self) -> bool:
        self._show_plan()
        self._shown = True
        try:
            answer = input("Write it? [y/N] ")
        except EOFError:
            return False
        return answer.strip().lower() in ("y", "yes")

    def finish(self, code: int, message: str | None, *, written: list[Written] | None = None,
               preview: list[Written] | None = None) -> int:
        next_step = self.loaded.project.upgrade_command if written else None
        for item in [*(written or []), *(preview or [])]:
            if item.log.strip():  # what Alembic or a post-write hook printed: never on our stdout
                print(item.log.rstrip(), file=sys.stderr)
        if self.args.json:
            print(json.dumps(self._json(code, message, written or [], preview or [], next_step), indent=2))
            return code
        if not self._shown and not self.plan.nothing_to_do:
            self._show_plan()
        for item in preview or []:
            print(_preview_text(item))
        for item in written or []:
            print(_written_line(item))
        if message:
            print(message)
        if next_step:
            print(f"Next: {next_step}")
        return code

    def _show_plan(self) -> None:
        graph = self.loaded.graph
        for note in self.notes:
            print(f"note: {note}")
        for step in self.plan.steps:
            print(_step_text(graph, step, self.published))
        tip = rebase_tip(graph, self.plan, self.published)
        if tip:
            print(tip)
        for refusal in self.plan.refusals:
            print(f"Cannot re-parent {', '.join(refusal.heads)}:")
            for reason in refusal.reasons:
                print(f"  - {reason}")
        if self.conflicts:
            print("The sides conflict (a merge revision does not make them compatible):")
            for conflict in self.conflicts:
                print(f"  - {conflict.message}")

    def _json(self, code: int, message: str | None, written: list[Written], preview: list[Written],
              next_step: str | None) -> dict[str, Any]:
        from ahq_history.conflicts import conflict_as_json

        graph = self.loaded.graph
        heads = sorted({h for s in self.plan.steps for h in s.heads} | {h for r in self.plan.refusals
                                                                        for h in r.heads})
        return {
            "mode": self.plan.mode,
            "dry_run": bool(self.args.dry_run),
            "heads": list(self.plan.heads),
            "diverged": graph.diverged,
            "steps": [_step_json(step) for step in self.plan.steps],
            "refusals": [{"heads": list(r.heads), "reasons": list(r.reasons)} for r in self.plan.refusals],
            "published": {h: self.published.get(h) for h in heads},
            "conflicts": [conflict_as_json(c) for c in self.conflicts],
            "written": [_written_json(w) for w in written],
            "preview": [_written_json(w, with_text=True) for w in preview],
            "notes": list(self.notes),
            "message": message,
            "next": next_step,
            "exit_code": code,
        }


def _describe(graph: RevisionGraph, rid: str, published: Published) -> str:
    value = published.get(rid)
    state = "published" if value is True else "local" if value is False else "publication unknown"
    message = graph.revisions[rid].message
    return f"{rid} {message!r} ({state})" if message else f"{rid} ({state})"


def _forks(graph: RevisionGraph, heads: tuple[str, ...]) -> str:
    div = next((d for d in graph.divergences if set(d.heads) == set(heads)), None)
    if div is None or not div.forks:
        return ""
    return f" (fork {', '.join(div.forks)})" if len(div.forks) == 1 else f" (forks {', '.join(div.forks)})"


def _step_text(graph: RevisionGraph, step: Step, published: Published) -> str:
    from ahq_history.plan import MergeStep

    if isinstance(step, MergeStep):
        label = f" under label {', '.join(step.labels)}" if step.labels else ""
        heads = "\n".join(f"    {_describe(graph, h, published)}" for h in step.heads)
        return (f"Merge {len(step.heads)} heads{label}{_forks(graph, step.heads)}:\n{heads}\n"
                f"  write a merge revision with down_revision = {step.parents!r}\n"
                f"  message: {step.message}")
    lines = [f"Re-parent onto {_describe(graph, step.onto, published)}{_forks(graph, step.heads)}:"]
    for move in step.moves:
        others = [r for r in move.chain if r != move.revision]
        chain = f" (its side also holds {', '.join(others)}, which move with it)" if others else ""
        lines.append(f"  {_describe(graph, move.revision, published)} in {move.path}{chain}")
        lines.append(f"    down_revision {move.old_parent} -> {move.new_parent}")
    lines.append(f"  one head afterwards: {step.new_head}")
    return "\n".join(lines)


def rebase_tip(graph: RevisionGraph, plan: Plan, published: Published) -> str | None:
    """In merge mode, when every divergence could be re-parented instead, say so (the cleaner history)."""
    from ahq_history.plan import make_plan

    if plan.mode != "merge" or not plan.steps or not published:
        return None
    other = make_plan(graph, mode="rebase", published=published)
    merged = {frozenset(s.heads) for s in plan.steps}
    if other.steps and not other.refusals and merged == {frozenset(s.heads) for s in other.steps}:
        return ("tip: the other sides are local and can move on top of the published one instead of adding "
                "a merge revision: ahq-history merge-heads --rebase")
    return None


def _step_json(step: Step) -> dict[str, Any]:
    from ahq_history.plan import MergeStep

    if isinstance(step, MergeStep):
        return {"kind": "merge", "heads": list(step.heads), "parents": list(step.parents),
                "message": step.message, "labels": list(step.labels)}
    return {"kind": "rebase", "heads": list(step.heads), "onto": step.onto, "new_head": step.new_head,
            "moves": [{"revision": m.revision, "path": m.path, "old_parent": m.old_parent,
                       "new_parent": m.new_parent, "chain": list(m.chain)} for m in step.moves]}


def _written_json(item: Written, *, with_text: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": item.kind, "revision": item.revision, "parents": list(item.parents),
                            "path": item.relpath}
    if item.kind == "rebase":
        data["old_parents"] = list(item.old_parents)
        data["diff"] = item.diff
    elif with_text:
        data["text"] = item.text
    return data


def _written_line(item: Written) -> str:
    if item.kind == "merge":
        return f"Wrote {item.relpath}: merge revision {item.revision} of {', '.join(item.parents)}"
    return (f"Re-parented {item.revision} in {item.relpath}: down_revision "
            f"{', '.join(item.old_parents)} -> {', '.join(item.parents)}")


def _preview_text(item: Written) -> str:
    if item.kind == "rebase":
        return item.diff or ""
    return f"--- would write {item.relpath} ---\n{item.text.rstrip()}\n--- end of {item.relpath} ---"

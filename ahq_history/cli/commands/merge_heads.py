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

from ahq_history.cli.options import add_database_url, add_upstream
from ahq_history.core.errors import EXIT_NEGATIVE, EXIT_OK, EXIT_USAGE, UsageError

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.core.graph import RevisionGraph
    from ahq_history.core.plan import Plan, Published, Step
    from ahq_history.write.files import Written
    from ahq_history.write.flow import Prepared

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
    from ahq_history.config.loading import load
    from ahq_history.write.flow import prepare

    _check_options(args)
    loaded = load(args.config)
    prepared = prepare(loaded, mode="rebase" if args.rebase else "merge", named=args.revisions,
                       message=args.message, upstream=args.upstream, database_url=args.database_url,
                       db_check=not args.no_db_check)
    return _act(args, loaded, prepared)


def _check_options(args: argparse.Namespace) -> None:
    if args.rebase and (args.message is not None or args.version_path or args.rev_id):
        raise UsageError("-m, --version-path and --rev-id describe a merge revision; --rebase writes none",
                         hint="leave them out, or drop --rebase")
    if not args.rebase and (args.no_db_check or args.database_url):
        raise UsageError("--database-url and --no-db-check only matter with --rebase",
                         hint="a merge revision changes no applied revision, so the database is not read")
    if args.dry_run and args.yes:
        raise UsageError("--dry-run writes nothing; --yes has nothing to confirm", hint="choose one")


def _act(args: argparse.Namespace, loaded: Loaded, prepared: Prepared) -> int:
    from ahq_history.write.transaction import apply_plan

    plan, conflicts = prepared.plan, prepared.conflicts
    report = Report(args, loaded, prepared)
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

    def __init__(self, args: argparse.Namespace, loaded: Loaded, prepared: Prepared) -> None:
        self.args, self.loaded, self.plan = args, loaded, prepared.plan
        self.published, self.conflicts, self.notes = prepared.published, prepared.conflicts, prepared.notes
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
            print(f"No re-parent for the divergence of {' and '.join(refusal.heads)}:")
            for reason in refusal.reasons:
                print(f"  - {reason}")
        if self.conflicts:
            print("The sides conflict (a merge revision does not make them compatible):")
            for conflict in self.conflicts:
                print(f"  - {conflict.message}")

    def _json(self, code: int, message: str | None, written: list[Written], preview: list[Written],
              next_step: str | None) -> dict[str, Any]:
        from ahq_history.core.conflicts import conflict_as_json

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
    from ahq_history.core.plan import MergeStep

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
    from ahq_history.core.plan import make_plan

    if plan.mode != "merge" or not plan.steps or not published:
        return None
    other = make_plan(graph, mode="rebase", published=published)
    merged = {frozenset(s.heads) for s in plan.steps}
    if other.steps and not other.refusals and merged == {frozenset(s.heads) for s in other.steps}:
        return ("tip: the other sides are local and can move on top of the published one instead of adding "
                "a merge revision: ahq-history merge-heads --rebase")
    return None


def _step_json(step: Step) -> dict[str, Any]:
    from ahq_history.core.plan import MergeStep

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

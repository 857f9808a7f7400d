"""`ahq-history merge-heads`: resolve each divergence with a merge revision, or re-parent local revisions.

The plan is decided from facts (`plan.py`), shown, and written only when the user agrees (a terminal's
y/N, or `--yes`); `writer.py` writes it whole or not at all. With one head there is nothing to do (exit 0).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ahq_history.cli.commands.verify import add_scratch_server
from ahq_history.cli.options import add_database_url, add_upstream, json_text
from ahq_history.core.display import clean
from ahq_history.core.errors import EXIT_NEGATIVE, EXIT_OK, EXIT_USAGE, UsageError
from ahq_history.core.shell import FROM_REPOSITORY, command_chain, command_line

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.core.advice import Advice
    from ahq_history.core.graph import RevisionGraph
    from ahq_history.core.plan import Plan, Published, Step
    from ahq_history.write.files import Written
    from ahq_history.write.flow import Prepared
    from ahq_history.write.journal import Recovery

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
                        help="write even when the sides' operations conflict (both add users.phone): "
                        "without it nothing is written across a conflict, whether asked, --yes or --dry-run")
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
    parser.add_argument("--recover", action="store_true",
                        help="only finish or undo a write that was interrupted (killed), and say which; "
                        "every write does this first")
    parser.add_argument("--verify", action="store_true",
                        help="after writing, run `verify`: upgrade heads, downgrade base, upgrade heads on a "
                        "scratch database (exit 1 when a revision fails)")
    add_scratch_server(parser)


def run(args: argparse.Namespace) -> int:
    from ahq_history.config.loading import load
    from ahq_history.write.flow import prepare

    _check_options(args)
    if args.recover or not args.dry_run:  # a dry run writes nothing: it leaves a journal to a write
        recovered = _recover(args)
        if args.recover:
            return _say_recovered(args, recovered)
    loaded = load(args.config)
    prepared = prepare(loaded, mode="rebase" if args.rebase else "merge", named=args.revisions,
                       message=args.message, upstream=args.upstream, database_url=args.database_url,
                       db_check=not args.no_db_check, allow_conflicts=args.allow_conflicts)
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
    if args.recover and (args.revisions or args.rebase or args.dry_run):
        raise UsageError("--recover only finishes or undoes an interrupted write", hint="run it alone")
    if (args.verify or args.scratch_server) and (args.dry_run or args.json or not args.verify):
        raise UsageError("--verify runs after a write, in text; --scratch-server goes with it",
                         hint="drop --dry-run and --json, or run `ahq-history verify` on its own")


def _recover(args: argparse.Namespace) -> Recovery | None:
    """Finish or undo an interrupted write before anything else, saying which on stderr."""
    from ahq_history.config.project import find_project
    from ahq_history.write.commit import recover_project

    found = recover_project(find_project(config=Path(args.config) if args.config else None))
    if found is not None and not args.recover:
        print(f"ahq-history: {clean(found.describe())}", file=sys.stderr)
    return found


def _say_recovered(args: argparse.Namespace, found: Recovery | None) -> int:
    message = found.describe() if found else "no interrupted write: nothing to recover"
    if args.json:
        print(json_text({"recovered": found.as_json() if found else None, "message": message,
                         "exit_code": EXIT_OK}))
    else:
        _say(message)
    return EXIT_OK


def _act(args: argparse.Namespace, loaded: Loaded, prepared: Prepared) -> int:
    from ahq_history.write.transaction import apply_plan

    plan = prepared.plan  # conflicts without --allow-conflicts are refusals in it (write/flow.py)
    report = Report(args, loaded, prepared)
    if plan.nothing_to_do:
        return report.finish(EXIT_OK, nothing_message(loaded.graph, plan))
    if plan.refused:
        return report.finish(EXIT_NEGATIVE, "refused: nothing was written")
    if args.dry_run:
        preview = apply_plan(loaded.project, loaded.graph, plan, dry_run=True, rev_id=args.rev_id,
                             version_path=args.version_path)
        return report.finish(EXIT_OK, "dry run: nothing was written", preview=preview)
    if not args.yes:
        if args.json or not interactive():
            return report.finish(EXIT_USAGE, "nothing was written: pass --yes to write, or --dry-run to "
                                 "see the file first")
        if not report.ask():
            return report.finish(EXIT_NEGATIVE, "nothing was written")
    written = apply_plan(loaded.project, loaded.graph, plan, rev_id=args.rev_id,
                         version_path=args.version_path)
    code = report.finish(EXIT_OK, None, written=written)
    return _verify(args) if args.verify else code


def _verify(args: argparse.Namespace) -> int:
    """`--verify`: the history as written, proven on a scratch database (`ahq-history verify`)."""
    from ahq_history.cli.commands.verify import verify_and_say
    from ahq_history.config.project import find_project

    project = find_project(config=Path(args.config) if args.config else None)
    return verify_and_say(project, None, args.scratch_server)


def _say(text: str) -> None:
    """Print text that holds ids, messages, paths and files from the repository, cleaned of escapes."""
    print(clean(text, multiline=True))


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
            f"them anyway: {command_line(['ahq-history', 'merge-heads', *heads])})")


# -- words ------------------------------------------------------------------------------------------


class Report:
    """What the command says, as text or as one JSON object (docs/json.md, `merge-heads`)."""

    def __init__(self, args: argparse.Namespace, loaded: Loaded, prepared: Prepared) -> None:
        self.args, self.loaded, self.plan = args, loaded, prepared.plan
        self.published, self.conflicts, self.notes = prepared.published, prepared.conflicts, prepared.notes
        self.advice = prepared.advice
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
        from ahq_history.write.flow import after_write

        after = after_write(self.loaded, self.plan, written, here=Path.cwd()) if written else None
        next_step = command_chain(*after.steps) if after else None
        for item in [*(written or []), *(preview or [])]:
            if item.log.strip():  # what Alembic or a post-write hook printed: never on our stdout
                print(clean(item.log.rstrip(), multiline=True), file=sys.stderr)
        if self.args.json:
            payload = self._json(code, message, written or [], preview or [], next_step)
            payload["next_argv"] = [list(argv) for argv in after.steps] if after else None
            print(json_text(payload))
            return code
        if not self._shown and not self.plan.nothing_to_do:
            self._show_plan()
        for item in preview or []:
            _say(_preview_text(item))
        for item in written or []:
            _say(_written_line(item))
        if message:
            _say(message)
        for words in after.words if after else ():
            _say(words)
        for line in self._next_lines(next_step, written):
            _say(line)
        return code

    def _next_lines(self, next_step: str | None, written: list[Written] | None) -> list[str]:
        """`Next:` (what to run now), and after a merge that --verify did not prove, the command that does."""
        from ahq_history.write.flow import verify_offer

        lines = []
        if next_step:
            marked = f"  {FROM_REPOSITORY}" if self.loaded.project.upgrade_from_repository else ""
            lines.append(f"Next: {next_step}{marked}")
        if written and self.plan.mode == "merge" and not self.args.verify:
            lines.append(f"Verify: {command_line(verify_offer(self.loaded, self.args.config))}  (upgrade, "
                         "downgrade and upgrade again on a scratch database)")
        return lines

    def _show_plan(self) -> None:
        graph = self.loaded.graph
        for note in self.notes:
            _say(f"note: {note}")
        for step in self.plan.steps:
            _say(_step_text(graph, step, self.published))
        what = "re-parent" if self.plan.mode == "rebase" else "merge"
        for refusal in self.plan.refusals:
            _say(f"No {what} for the divergence of {' and '.join(refusal.heads)}:")
            for reason in refusal.reasons:
                _say(f"  - {reason}")
        if self.conflicts:
            _say("The sides conflict (a merge revision does not make them compatible):")
            for conflict in self.conflicts:
                _say(f"  - {conflict.message}")
        if self.args.dry_run or self.plan.refused:
            for line in advice_text(self.advice):
                _say(line)

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
            "advice": [advised.as_json(heads) for heads, advised in self.advice.items()],
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


def advice_text(advice: Mapping[tuple[str, ...], Advice]) -> list[str]:
    """The advisor's answer for each divergence (`core/advice.py`), as `check` and the hooks print it."""
    from ahq_history.core.reconcile import advice_lines

    lines = []
    for heads, advised in advice.items():
        lines.append(f"advice for {' and '.join(heads)}:")
        lines.extend(advice_lines(advised))
    return lines


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
    if item.kind == "marker":
        return f"Wrote {item.relpath}: heads {', '.join(item.parents)}"
    if item.kind == "merge":
        return f"Wrote {item.relpath}: merge revision {item.revision} of {', '.join(item.parents)}"
    return (f"Re-parented {item.revision} in {item.relpath}: down_revision "
            f"{', '.join(item.old_parents)} -> {', '.join(item.parents)}")


def _preview_text(item: Written) -> str:
    if item.kind == "rebase":
        return item.diff or ""
    return f"--- would write {item.relpath} ---\n{item.text.rstrip()}\n--- end of {item.relpath} ---"

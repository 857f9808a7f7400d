"""`ahq-history status`: the database's `alembic_version` against this checkout, and the way back.

Read-only: it prints the commands that fix the database and never runs them.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ahq_history.cli.options import add_database_url, json_text
from ahq_history.core.advice import upgrade_argv
from ahq_history.core.display import clean_lines
from ahq_history.core.errors import EXIT_BROKEN, EXIT_NEGATIVE, EXIT_OK
from ahq_history.core.shell import FROM_REPOSITORY, command_line
from ahq_history.db.steps import interrupted_lines

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.core.applied import AppliedState
    from ahq_history.core.graph import RevisionGraph
    from ahq_history.db.status import StatusReport, UnknownReport
    from ahq_history.git.search import GitCommit, GitSighting

SHORT = 12  # Alembic's own ids are 12 characters


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_url(parser)
    parser.add_argument("--timeout", metavar="SECONDS", type=_seconds, default=3.0,
                        help="give up connecting after this long (default: 3)")
    parser.add_argument("--no-search", action="store_true",
                        help="do not search git for revisions this checkout lacks")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"timeout must be between 0 and 600 seconds, not {text}")
    return value


def run(args: argparse.Namespace) -> int:
    from ahq_history.config.loading import load
    from ahq_history.db.applied import read_named_rows, state_of_rows
    from ahq_history.db.status import database_status
    from ahq_history.db.steps import interrupted_run

    loaded = load(args.config)
    project = loaded.project
    db_url, rows = read_named_rows(project, database_url=args.database_url, timeout=args.timeout)
    report = database_status(project, loaded.graph, rows, db_url.source, search_git=not args.no_search)
    payload = status_json(report, loaded)
    applied = state_of_rows(loaded.graph, rows, db_url, args.database_url)
    payload["advice"] = [] if loaded.broken else divergence_advice(loaded, applied)
    payload["interrupted"] = interrupted_run(project.root, rows.revisions)  # a killed switch or sync
    print(json_text(payload) if args.json else render_text(payload))
    return int(payload["exit_code"])


def divergence_advice(loaded: Loaded, applied: AppliedState) -> list[dict[str, Any]]:
    """The advisor's answer for each divergence (`core/advice.py`), from the database this command read,
    git's publication and the sides' conflicts: the same facts `merge-heads` decides with."""
    from ahq_history.write.flow import advise_all, conflicts_by_heads, git_facts

    graph = loaded.graph
    if not graph.diverged:
        return []
    published, _authors, _notes = git_facts(loaded)
    by_heads = conflicts_by_heads(loaded, [d.heads for d in graph.divergences])
    answers = advise_all(loaded, published, applied, by_heads)
    return [advised.as_json(heads) for heads, advised in answers.items()]


def exit_code(report: StatusReport, broken: bool, diverged: bool = False) -> int:
    """3 for a broken graph (it wins), 1 when the database is not at the heads or the heads diverge (a
    database at forked heads cannot `upgrade head` past them), else 0."""
    if broken:
        return EXIT_BROKEN
    return EXIT_OK if report.state.state == "at-heads" and not diverged else EXIT_NEGATIVE


def status_json(report: StatusReport, loaded: Loaded) -> dict[str, Any]:
    """Everything `status` says, as documented in docs/json.md."""
    state, graph = report.state, loaded.graph
    return {
        "database": {"url": report.rows.url, "dialect": report.rows.dialect, "source": report.source,
                     "note": report.rows.note},
        "current": [_revision(graph, rev) for rev in state.current],
        "heads": list(state.heads),
        "diverged": loaded.graph.diverged,
        "state": state.state,
        "at_heads": state.at_heads,
        "multiple_rows": state.multiple_rows,
        "pending": [_revision(graph, rev) for rev in state.pending],
        "ahead": list(state.ahead),
        "unknown": [_unknown(item) for item in report.unknown],
        "branch": report.branch,
        "detached": report.detached,
        "upgrade_command": report.upgrade_command,
        "upgrade_argv": list(loaded.project.upgrade_argv),
        "upgrade_from_repository": loaded.project.upgrade_from_repository,
        "problems": [p.as_json() for p in loaded.problems],
        "exit_code": exit_code(report, loaded.broken, loaded.graph.diverged),
    }


def _revision(graph: RevisionGraph, rev: str) -> dict[str, Any]:
    known = graph.revisions.get(rev)
    return {"revision": rev, "known": known is not None, "message": known.message if known else None,
            "path": known.path if known else None}


def _unknown(item: UnknownReport) -> dict[str, Any]:
    return {"revision": item.revision, "shared": item.shared, "ahead": item.ahead,
            "sightings": [_sighting(s) for s in item.sightings], "steps": list(item.steps),
            "steps_argv": [list(step) for step in item.steps_argv], "note": item.note}


def _sighting(sighting: GitSighting) -> dict[str, Any]:
    return {"kind": sighting.kind, "ref": sighting.ref, "commit": sighting.commit, "path": sighting.path,
            "down_revision": list(sighting.parents), "message": sighting.message,
            "added": _commit(sighting.added), "deleted": _commit(sighting.deleted),
            "branch_was": sighting.branch_was}


def _commit(commit: GitCommit | None) -> dict[str, str] | None:
    if commit is None:
        return None
    return {"commit": commit.sha, "author": commit.author, "email": commit.email, "date": commit.date,
            "summary": commit.summary}


# -- text ------------------------------------------------------------------------------------------------


def render_text(payload: dict[str, Any]) -> str:
    """The report for a person, from the JSON payload (one source of truth for both)."""
    db = payload["database"]
    lines = [f"database  {db['url']}  (from {db['source']})"]
    if db["note"]:
        lines.append(f"          {db['note']}")
    current = payload["current"]
    lines.append("at        " + (", ".join(_short_rev(r) for r in current) if current else "(no revision)"))
    lines.append("heads     " + (", ".join(h[:SHORT] for h in payload["heads"]) or "(no revision files)"))
    lines.append(_verdict(payload))
    if payload["multiple_rows"]:
        lines.append(f"  the database holds {len(current)} rows: several heads were applied "
                     "(`upgrade heads`); a merge revision joins them back into one")
    for item in payload["unknown"]:
        configured = payload["upgrade_argv"] if payload.get("upgrade_from_repository") else None
        lines.extend(_unknown_text(item, payload["branch"], payload.get("detached", False), configured))
    if payload["pending"]:
        lines.extend(_pending_text(payload))
    lines.extend(_advice_text(payload))
    if payload.get("interrupted"):
        lines.extend(line for line in interrupted_lines(payload["interrupted"]) if line)
    errors = [p for p in payload["problems"] if p["severity"] == "error"]
    if errors:
        count = len(errors)
        lines.append(f"the revision graph is broken ({count} problem{'s' if count != 1 else ''}): "
                     "run `ahq-history check`")
    return clean_lines(lines)


def _short_rev(rev: dict[str, Any]) -> str:
    return str(rev["revision"])[:SHORT] + ("" if rev["known"] else " (not in this checkout)")


def _verdict(payload: dict[str, Any]) -> str:
    state = payload["state"]
    if state == "at-heads":
        return "state     at head" + ("s" if len(payload["heads"]) > 1 else "") + ": nothing to apply"
    if state == "behind":
        count = len(payload["pending"])
        return f"state     behind: {count} revision{'s' if count != 1 else ''} to apply"
    if state == "ahead":
        return "state     ahead: the database holds revisions on top of this checkout's heads"
    return "state     unknown revision: the database is at a revision this checkout does not have"


def _unknown_text(item: dict[str, Any], branch: str | None, detached: bool,
                  configured: list[str] | None) -> list[str]:
    here = f" ({'commit' if detached else 'branch'} {branch})" if branch else ""
    lines = ["", f"revision {item['revision']} is not defined by any file of this checkout{here}."]
    sightings = item["sightings"]
    if sightings:
        best = sightings[0]
        lines.append(f"  {item['revision'][:SHORT]} \"{best['message']}\" {_where(best)}")
        others = [s["ref"] for s in sightings[1:] if s["ref"]]
        if others:
            lines.append(f"  also on: {', '.join(others)}")
        shared = item["shared"]
        lines.append(f"  shared revision: {shared}" if shared else "  the histories share no revision")
    if item["note"]:
        lines.append(f"  {item['note']}")
    if item["steps"]:
        lines.append("  the way back (the database keeps what it holds until you run these):")
        lines.extend(f"    {command_line(argv)}{_marked(argv, configured)}" for argv in item["steps_argv"])
    return lines


def _marked(argv: list[str], configured: list[str] | None) -> str:
    """The repository-config mark for a step built from `upgrade-command` (its upgrade, and the downgrade
    made from it), so a reader knows a file in the repository wrote it."""
    built = configured is not None and argv[:1] == configured[:1] and argv[:1] != ["git"]
    return f"  {FROM_REPOSITORY}" if built else ""


def _where(sighting: dict[str, Any]) -> str:
    # Each commit named is shown with its own author: the one that added the file, the one that deleted it.
    added = sighting["added"]
    by = f"added in commit {_by(added)}" if added else f"at commit {sighting['commit'][:SHORT]}"
    if sighting["kind"] == "deleted":
        return (f"was deleted from {sighting['path']} in commit {_by(sighting['deleted'])} ({by}; last "
                f"present in commit {sighting['commit'][:SHORT]})")
    if sighting["kind"] == "reflog":
        was = f" (it was on branch {sighting['branch_was']}, since deleted)" if sighting["branch_was"] else ""
        return f"is on no branch, only in git's reflog{was}: {by}"
    kind = "remote-tracking branch" if sighting["kind"] == "remote" else "branch"
    return f"lives on {kind} {sighting['ref']}, {by}"


def _by(commit: dict[str, str]) -> str:
    return f"{commit['commit'][:SHORT]} by {commit['author']} <{commit['email']}> on {commit['date'][:10]}"


def _pending_text(payload: dict[str, Any]) -> list[str]:
    lines = ["", "to apply, in order:"]
    lines.extend(f"  {rev['revision'][:SHORT]}  {rev['message']}" for rev in payload["pending"])
    if payload["unknown"]:
        return lines
    if payload["diverged"]:  # the advice below joins the heads first: `upgrade head` fails on several
        return lines
    upgrade = command_line(upgrade_argv(payload["upgrade_argv"], len(payload["heads"])))
    if payload.get("upgrade_from_repository"):
        upgrade += f"  {FROM_REPOSITORY}"
    lines.append(f"run: {upgrade}")
    return lines


def _advice_text(payload: dict[str, Any]) -> list[str]:
    """Each divergence's advice: why, the command, and the upgrade after it."""
    lines = []
    for item in payload.get("advice", []):
        heads = " and ".join(h[:SHORT] for h in item["heads"])
        lines.extend(["", f"the heads {heads} diverge: {item['reason']}", f"run: {item['command']}"])
        if item["then"]:
            lines.append(f"then: {item['then']}")
    return lines

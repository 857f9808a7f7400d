"""`ahq-history status`: the database's `alembic_version` against this checkout, and the way back.

Read-only: it prints the commands that fix the database and never runs them.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from ahq_history.cli.options import add_database_url
from ahq_history.core.errors import EXIT_BROKEN, EXIT_NEGATIVE, EXIT_OK

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
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
    from ahq_history.db.read import read_project_rows
    from ahq_history.db.status import database_status

    loaded = load(args.config)
    project = loaded.project
    db_url, rows = read_project_rows(project, database_url=args.database_url, timeout=args.timeout)
    report = database_status(project, loaded.graph, rows, db_url.source, search_git=not args.no_search)
    payload = status_json(report, loaded)
    print(json.dumps(payload, indent=2) if args.json else render_text(payload))
    return int(payload["exit_code"])


def exit_code(report: StatusReport, broken: bool) -> int:
    """3 for a broken graph (it wins), 1 when the database is not at the heads, else 0."""
    if broken:
        return EXIT_BROKEN
    return EXIT_OK if report.state.state == "at-heads" else EXIT_NEGATIVE


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
        "upgrade_command": report.upgrade_command,
        "problems": [p.as_json() for p in loaded.problems],
        "exit_code": exit_code(report, loaded.broken),
    }


def _revision(graph: RevisionGraph, rev: str) -> dict[str, Any]:
    known = graph.revisions.get(rev)
    return {"revision": rev, "known": known is not None, "message": known.message if known else None,
            "path": known.path if known else None}


def _unknown(item: UnknownReport) -> dict[str, Any]:
    return {"revision": item.revision, "shared": item.shared, "ahead": item.ahead,
            "sightings": [_sighting(s) for s in item.sightings], "steps": list(item.steps), "note": item.note}


def _sighting(sighting: GitSighting) -> dict[str, Any]:
    return {"kind": sighting.kind, "ref": sighting.ref, "commit": sighting.commit, "path": sighting.path,
            "down_revision": list(sighting.parents), "message": sighting.message,
            "added": _commit(sighting.added), "deleted": _commit(sighting.deleted)}


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
        lines.extend(_unknown_text(item, payload["branch"]))
    if payload["pending"]:
        lines.extend(_pending_text(payload))
    errors = [p for p in payload["problems"] if p["severity"] == "error"]
    if errors:
        count = len(errors)
        lines.append(f"the revision graph is broken ({count} problem{'s' if count != 1 else ''}): "
                     "run `ahq-history check`")
    return "\n".join(lines)


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


def _unknown_text(item: dict[str, Any], branch: str | None) -> list[str]:
    here = f" (branch {branch})" if branch else ""
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
        lines.extend(f"    {step}" for step in item["steps"])
    return lines


def _where(sighting: dict[str, Any]) -> str:
    added = sighting["added"]
    who = f", added by {added['author']} <{added['email']}> on {added['date'][:10]}" if added else ""
    if sighting["kind"] == "deleted":
        gone = sighting["deleted"]
        return (f"was deleted from {sighting['path']} in commit {gone['commit'][:SHORT]} by {gone['author']} "
                f"on {gone['date'][:10]} (last present in commit {sighting['commit'][:SHORT]}{who})")
    kind = "remote-tracking branch" if sighting["kind"] == "remote" else "branch"
    return f"lives on {kind} {sighting['ref']} (commit {sighting['commit'][:SHORT]}{who})"


def _pending_text(payload: dict[str, Any]) -> list[str]:
    lines = ["", "to apply, in order:"]
    lines.extend(f"  {rev['revision'][:SHORT]}  {rev['message']}" for rev in payload["pending"])
    if payload["unknown"]:
        return lines
    if payload["diverged"]:  # `upgrade head` fails with several heads: join them first
        lines.append(f"run: ahq-history merge-heads, then {payload['upgrade_command']} "
                     f"(the history has {len(payload['heads'])} heads)")
    else:
        lines.append(f"run: {payload['upgrade_command']}")
    return lines

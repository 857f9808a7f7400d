"""The `check` report: built once from a loaded graph as a JSON-ready dict, kept in the cache, and rendered
as text from that dict. Shared by `check`, `heads` and the hooks.

Reading the cache and rendering use the standard library only, so that a warm `check` answers without
importing networkx, git or rich.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ahq_history.config.pending import refuse_unfinished
from ahq_history.config.project import find_project
from ahq_history.config.scan import revision_file_names
from ahq_history.core.display import clean_lines
from ahq_history.core.errors import EXIT_BROKEN, EXIT_NEGATIVE, EXIT_OK
from ahq_history.core.marker import STALE_KIND
from ahq_history.core.shell import FROM_REPOSITORY, command_line
from ahq_history.core.text import SHORT, heads_since
from ahq_history.report import cache

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.config.project import Project
    from ahq_history.core.advice import Advice
    from ahq_history.core.graph import Divergence, RevisionGraph
    from ahq_history.core.model import Problem
    from ahq_history.core.reconcile import DivergenceReport, Provenance
    from ahq_history.git.facts import GitView

def check_report(config: str | None, *, use_cache: bool = True, against: str | None = None,
                 upstream: str | None = None, exec_unresolved: bool = False) -> dict[str, Any]:
    """The check report for the project found from here (or `config`), from the cache when it is fresh.

    Git's fields (docs/json.md) come from `gitfacts`; `against` predicts the merge of that ref, and
    `upstream` narrows what counts as published. The cache key covers HEAD, refs and the index.
    `exec_unresolved` runs the files whose values cannot be read statically; such a run is not cached."""
    project = find_project(config=Path(config) if config else None)
    refuse_unfinished(project.root)  # an interrupted write: exit 3, naming the command that recovers
    variant = f"check|against={against}|upstream={upstream}"
    gitdir = cache.git_dir(project.root)
    files = revision_file_names(project)
    key = cache.cache_key(project, files, variant, gitdir)
    where = cache.cache_path(project, gitdir)
    if use_cache and not exec_unresolved:
        cached = cache.lookup(where, key)
        if cached is not None:
            return _with_discovery_note(_with_marker(cached, project, against), project.note)
    from ahq_history.config.loading import load

    loaded = load(project=project, exec_unresolved=exec_unresolved)
    report = _git_report(loaded, against, upstream)
    if not exec_unresolved:  # the constants modules read are checked on each lookup (not in the key)
        cache.store(where, key, report, depends=loaded.scan.modules)
    return _with_discovery_note(_with_marker(report, project, against), project.note)


def _with_marker(report: dict[str, Any], project: Project, against: str | None) -> dict[str, Any]:
    """The report with a `stale-heads-file` finding when the heads marker (`heads-file`) does not hold its
    heads; outside the cache, since the marker is not a revision file. Not for a prediction (`against`)."""
    if against is not None or "heads-file" not in project.settings or report["exit_code"] == EXIT_BROKEN:
        return report
    from ahq_history.write.marker import marker_problem

    heads = [h["revision"] for h in report["heads"]]
    found = marker_problem(project, heads, diverged=report["diverged"])
    if found is None:
        return report
    marked = {**report, "problems": [*report["problems"], found.as_json()]}
    marked["exit_code"] = exit_code_for(marked)
    marked["next"] = next_step(marked)
    marked["next_argv"] = next_argv(marked)
    return marked


def _with_discovery_note(report: dict[str, Any], note: str | None) -> dict[str, Any]:
    """How the project was found, when discovery says so; outside the cache, as it depends on where
    `check` runs."""
    return {**report, "notes": [note, *report.get("notes", [])]} if note else report


def _git_report(loaded: Loaded, against: str | None, upstream: str | None) -> dict[str, Any]:
    """The report with git's fields; for `against`, the report of the tree the merge would leave."""
    if against is None and _outside_git(loaded.project):
        report = build_check_report(loaded)
        annotate_report(report, _no_git(loaded))
        return report
    from ahq_history.git import facts as gitfacts
    from ahq_history.git import predict as gitpredict

    if against is not None:
        prediction = gitpredict.predict_merge(loaded, against, upstream=upstream)
        report = build_check_report(prediction.loaded)
        report["against"] = prediction.against
        annotate_report(report, prediction.view)
        return report
    report = build_check_report(loaded)
    annotate_report(report, gitfacts.git_view(loaded, upstream=upstream))
    return report


def _outside_git(project: Project) -> bool:
    """No `.git` holds the project (and `GIT_DIR` names none): the git layer and GitPython (80 ms of
    imports) would only say so."""
    return not os.environ.get("GIT_DIR") and cache.git_dir(project.root) is None


@dataclass(frozen=True)
class _NoGit:
    """Git's empty side of a report outside any repository: the fields of `git.facts.GitView`."""

    reports: list[DivergenceReport]
    note: str
    provenance: dict[str, Provenance] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    summary: None = None


def _no_git(loaded: Loaded) -> _NoGit:
    from ahq_history.core import reconcile

    reports = reconcile.divergence_reports(loaded.graph, {}, None, program="ahq-history")
    return _NoGit(reports, f"{loaded.project.root} is not in a git repository: no git facts")


def annotate_report(report: dict[str, Any], view: GitView | _NoGit) -> None:
    """Add git's fields to a `check` report (docs/json.md): per head `git`, per side `git` and
    `published`, per divergence `advice`, `command`, `joined_by`; warnings into `problems`; `git`, `notes`."""
    found = view.provenance
    for head in report["heads"]:
        head["git"] = _git_json(found.get(head["revision"]))
    reports = {tuple(r.divergence.heads): r for r in view.reports}
    for divergence in report["divergences"]:
        done = reports.get(tuple(divergence["heads"]))
        sides = {s.head: s for s in done.sides} if done else {}
        for side in divergence["sides"]:
            side["git"] = [{"revision": rid, **(_git_json(found.get(rid)) or _NO_GIT)}
                           for rid in side["revisions"]]
            side["published"] = sides[side["head"]].published if side["head"] in sides else None
        advised = _advise(report, divergence)
        divergence["advice"] = advised.action
        divergence["command"] = advised.command
        divergence["command_argv"] = list(advised.argv)
        divergence["reason"] = advised.reason
        divergence["then_argv"] = list(advised.then) or None
        divergence["joined_by"] = done.joined_by.as_json() if done and done.joined_by else None
    report["problems"].extend(w.as_json() for w in view.warnings)
    report["git"] = view.summary
    report["notes"] = [*report.get("notes", []), *([view.note] if view.note else [])]
    report["exit_code"] = exit_code_for(report)
    report["next"] = next_step(report)
    report["next_argv"] = next_argv(report)


_NO_GIT: dict[str, Any] = {
    "commit": None, "author": None, "email": None, "date": None, "published": None, "refs": [], "state": None,
    "source": None, "last_commit": None, "last_author": None, "last_date": None,
}


def _git_json(found: Provenance | None) -> dict[str, Any] | None:
    return found.as_json() if found is not None else None


def build_check_report(loaded: Loaded) -> dict[str, Any]:
    """Everything `check` says, as the JSON contract of docs/json.md."""
    graph = loaded.graph
    working = [*graph.heads, *(r for d in graph.divergences for s in d.sides for r in s.revisions)]
    problems = [*loaded.problems, *loaded.body_problems(working)]
    report: dict[str, Any] = {
        "project": {
            "root": str(loaded.project.root),
            "config": str(loaded.project.config_path),
            "layout": loaded.project.layout,
            "upgrade_command": loaded.project.upgrade_command,
            "upgrade_argv": list(loaded.project.upgrade_argv),
            "upgrade_from_repository": loaded.project.upgrade_from_repository,
        },
        "revisions": len(graph),
        "heads": [_head(graph, head) for head in graph.heads],
        "bases": graph.bases,
        "branchpoints": graph.branchpoints,
        "mergepoints": graph.mergepoints,
        "diverged": graph.diverged,
        "divergences": [_divergence(loaded, d) for d in graph.divergences],
        "problems": [p.as_json() for p in problems],
    }
    report["exit_code"] = exit_code_for(report)
    report["next"] = next_step(report)
    report["next_argv"] = next_argv(report)
    return report


def _head(graph: RevisionGraph, head: str) -> dict[str, Any]:
    rev = graph.revisions[head]
    return {
        "revision": head,
        "message": rev.message,
        "path": rev.path,
        "line": rev.line,
        "create_date": rev.create_date,
        "branch_labels": sorted(graph.branch_labels(head)),
    }


def _divergence(loaded: Loaded, divergence: Divergence) -> dict[str, Any]:
    from ahq_history.core.conflicts import conflict_as_json, conflicts_for_divergence, divergence_sides

    graph = loaded.graph
    sides = divergence_sides([s.revisions for s in divergence.sides], graph.revisions, loaded.source)
    return {
        "heads": list(divergence.heads),
        "forks": list(divergence.forks),
        "labels": list(divergence.labels),
        "sides": [{"head": side.head, "message": graph.revisions[side.head].message,
                   "revisions": list(side.revisions)} for side in divergence.sides],
        "conflicts": [conflict_as_json(c) for c in conflicts_for_divergence(sides)],
    }


def exit_code_for(report: dict[str, Any]) -> int:
    """3 for a broken graph (it wins), 1 for a divergence or a stale heads marker, else 0. No other warning
    counts."""
    if any(p["severity"] == "error" for p in report["problems"]):
        return EXIT_BROKEN
    stale = any(p["kind"] == STALE_KIND for p in report["problems"])
    return EXIT_NEGATIVE if report["diverged"] or stale else EXIT_OK


def _advise(report: dict[str, Any], divergence: dict[str, Any]) -> Advice:
    """The advisor's answer (`core/advice.py`) from the report's facts: the sides' publication and the
    operation conflicts. `check` reads no database, so a local side's applied state is unknown and the
    advice never moves it (the words say that `status` can tell)."""
    from ahq_history.core.advice import DivergenceFacts, SideFacts, advise
    from ahq_history.core.applied import NOT_READ

    facts = DivergenceFacts(
        heads=tuple(divergence["heads"]), labels=tuple(divergence["labels"]),
        sides=tuple(SideFacts(s["head"], tuple(s["revisions"]), s.get("published"))
                    for s in divergence["sides"]),
        conflicts=tuple(c["message"] for c in divergence.get("conflicts", [])))
    divergences = report["divergences"]
    remaining = len(report["heads"]) - sum(len(d["heads"]) - 1 for d in divergences)
    return advise(facts, NOT_READ, several=len(divergences) > 1, upgrade=report["project"]["upgrade_argv"],
                  heads_after=remaining)


def next_argv(report: dict[str, Any]) -> list[list[str]]:
    """The commands a person should run next, in order, each as its words; none for a broken graph
    (the next step is to fix it). With `against`, `git merge REF` comes first."""
    if report["exit_code"] == EXIT_BROKEN or not report["revisions"]:  # no revisions: nothing to upgrade
        return []
    from ahq_history.core.advice import upgrade_argv

    commands = [d.get("command_argv") for d in report["divergences"]]
    if commands and all(commands):
        steps = [list(c) for c in commands]
    elif report["diverged"]:
        steps = [["ahq-history", "merge-heads"]]
    else:  # `upgrade head` fails with several heads, even labelled ones: Alembic wants `heads`
        steps = [list(upgrade_argv(report["project"]["upgrade_argv"], len(report["heads"])))]
        if any(p["kind"] == STALE_KIND for p in report["problems"]):
            steps.insert(0, ["ahq-history", "heads", "--write"])  # rewrites the configured marker
    against = report.get("against")
    if against:  # a prediction: the heads exist only once the ref is merged in
        steps.insert(0, ["git", "merge", against["ref"]])
    return steps


def next_step(report: dict[str, Any]) -> str:
    """The one step a person should run next, in words: `next_argv`, each command quoted."""
    if report["exit_code"] == EXIT_BROKEN:
        return "fix the problems above, then run `ahq-history check` again"
    steps = [command_line(argv) for argv in next_argv(report)]
    if report.get("against"):
        return f"{steps[0]} (or git pull), then {' ; '.join(steps[1:])}"
    return " ; ".join(steps)


def _upgrade_is_next(report: dict[str, Any]) -> bool:
    """True when `next` ends with the project's upgrade command (not a merge-heads)."""
    return report["exit_code"] != EXIT_BROKEN and not report["diverged"]


def render_check_text(report: dict[str, Any]) -> str:
    """The human summary: heads, divergences with their forks and sides, problems, next step."""
    messages = _messages(report)
    where = f"({report['project']['layout']}: {report['project']['config']})"
    count, heads = report["revisions"], len(report["heads"])
    lines = [f"{count} revision{'s' if count != 1 else ''}, {heads} head{'s' if heads != 1 else ''} {where}"]
    if not report["revisions"]:  # an empty answer is never silent: say the history is empty
        lines[0] = f"no revisions yet {where}"
    if report.get("against"):
        lines.insert(0, _against_line(report["against"]))
    for head in report["heads"]:
        labels = f" [{', '.join(head['branch_labels'])}]" if head["branch_labels"] else ""
        lines.append(f"  head {head['revision'][:SHORT]:<{SHORT}}  {head['message']}{labels}")
        git = head.get("git")
        if git and (git.get("author") or git.get("state") == "uncommitted"):
            lines.append(f"       {_provenance_line(git)}")
    for number, divergence in enumerate(report["divergences"], 1):
        lines.extend(_divergence_lines(number, divergence, messages,
                                       broken=report["exit_code"] == EXIT_BROKEN))
    for problem in report["problems"]:
        where = f"{problem['path']}:{problem['line']}: " if problem["path"] and problem["line"] else (
            f"{problem['path']}: " if problem["path"] else "")
        lines.append(f"{problem['severity']}: {where}{problem['message']}")
    if report["exit_code"] == EXIT_OK and not report["problems"]:
        lines.append("No divergence.")
    lines.extend(f"note: {note}" for note in report.get("notes", []))
    marked = report["project"].get("upgrade_from_repository") and _upgrade_is_next(report)
    if report["next"]:
        lines.append(f"Next: {report['next']}" + (f"  {FROM_REPOSITORY}" if marked else ""))
    return clean_lines(lines)


def _messages(report: dict[str, Any]) -> dict[str, str]:
    found = {h["revision"]: h["message"] for h in report["heads"]}
    for divergence in report["divergences"]:
        for side in divergence["sides"]:
            found.setdefault(side["head"], side.get("message", ""))
    return found


def _divergence_lines(number: int, divergence: dict[str, Any], messages: dict[str, str], *,
                      broken: bool) -> list[str]:
    label = f" on branch label {', '.join(divergence['labels'])}" if divergence["labels"] else ""
    lines = [f"Divergence {number}{label}: {heads_since(len(divergence['heads']), divergence['forks'])}"]
    if broken:
        lines[0] += " (may come from the errors below: fix those first)"
    for side in divergence["sides"]:
        count = len(side["revisions"])
        lines.append(f"  side {side['head'][:SHORT]} ({count} revision{'s' if count != 1 else ''}): "
                     f"{messages.get(side['head'], '')}{_side_mark(side)}")
    for conflict in divergence.get("conflicts", []):
        lines.append(f"  conflict: {conflict['message']}")
    joined = divergence.get("joined_by")
    if joined:
        lines.append(f"  joined in git by merge commit {joined['commit'][:10]} ({joined['author']}), "
                     "but not in Alembic")
    if divergence.get("advice") and not broken:
        if divergence.get("reason"):
            lines.append(f"  advice: {divergence['reason']}")
        lines.append(f"  run: {divergence['command']}")
        if divergence.get("then_argv"):
            lines.append(f"  then: {command_line(divergence['then_argv'])}")
    return lines


def _side_mark(side: dict[str, Any]) -> str:
    """Who wrote the side's head and whether the side is published (git's fields, when present)."""
    first = (side.get("git") or [None])[0]
    if not first:
        return ""
    who = f"by {first['author']}, " if first.get("author") else ""
    published = {True: "published", False: "local", None: "publication unknown"}[side.get("published")]
    return f"  [{who}{published}]"


def _against_line(against: dict[str, Any]) -> str:
    base = against["merge_base"][:10] if against.get("merge_base") else "no common commit"
    return (f"Predicted: merging {against['ref']} ({against['commit'][:10]}) into the work tree "
            f"(merge base {base})")


def _provenance_line(git: dict[str, Any]) -> str:
    published = {True: "published", False: "local", None: "publication unknown"}[git.get("published")]
    if not git.get("author"):
        return f"not committed ({published})"
    commit = (git.get("commit") or "uncommitted")[:10]
    return f"by {git['author']} in {commit} ({published})"

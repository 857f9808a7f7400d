"""`ahq-history lint [REV|FILE...] [--since REF]`: review revision files against the team's migration guide.

Exit codes: 0 no error-level finding (warnings are shown); 1 at least one error-level finding; 2 a problem
with `[tool.ahq-history.lint]` or the arguments; 3 the revision graph is broken (3 wins over 1).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ahq_history.cli.options import add_format, json_text, output_format
from ahq_history.core.display import clean_lines
from ahq_history.core.errors import EXIT_BROKEN, EXIT_NEGATIVE, EXIT_OK, UsageError

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.core.lint import Finding, LintConfig
    from ahq_history.core.model import Problem, Revision


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "revisions", nargs="*", metavar="REV|FILE",
        help="revisions to lint: ids, partial ids of 4+ characters, branch labels, `head`, or revision "
        "files' paths (as pre-commit passes them; other files are skipped) (default: every revision)",
    )
    parser.add_argument("--since", metavar="REF", default=None,
                        help="only the revision files this branch added since it forked from REF "
                        "(`git diff --diff-filter=A REF...HEAD`), e.g. origin/main for a pull request")
    add_format(parser)


def run(args: argparse.Namespace) -> int:
    fmt = output_format(args)
    report = lint_report(args.config, args.revisions, since=getattr(args, "since", None))
    if fmt in ("text", "json"):
        print(json_text(report) if fmt == "json" else render_text(report))
    else:
        from ahq_history.report.formats import render

        text = render(report, "lint", fmt)
        print(text, end="\n" if text else "")
    return int(report["exit_code"])


def lint_report(config: str | None, names: list[str], since: str | None = None) -> dict[str, Any]:
    """Lint the named revisions or files (all when none is named; with `since`, only those added since
    that ref) of the project found from here, as the JSON object that `--json` prints (docs/json.md)."""
    from ahq_history.config.loading import load
    from ahq_history.core.lint import check_ignores, read_config

    loaded = load(config)
    lint_config = read_config(loaded.project.settings.get("lint"))
    check_ignores(lint_config, (revision.id for revision in loaded.scan.revisions))
    selected, skipped = _select(loaded, names, since)
    findings, waived, unreadable = _lint(loaded, selected, lint_config)
    problems = [*loaded.problems, *unreadable]
    errors = sum(1 for finding in findings if finding.is_error)
    broken = any(problem.is_error for problem in problems)
    return {
        "project": {"root": str(loaded.project.root), "config": str(loaded.project.config_path)},
        "revisions": len(selected),
        "findings": [finding.as_json() for finding in findings],
        "waived": [{**finding.as_json(), "reason": reason} for finding, reason in waived],
        "skipped": skipped,
        "errors": errors,
        "warnings": len(findings) - errors,
        "problems": [problem.as_json() for problem in problems],
        "exit_code": EXIT_BROKEN if broken else EXIT_NEGATIVE if errors else EXIT_OK,
    }


def _select(loaded: Loaded, names: list[str], since: str | None) -> tuple[list[Revision], list[str]]:
    """The revisions to lint, in path order, and the named files that are not revision files here."""
    ordered = sorted(loaded.scan.revisions, key=lambda revision: revision.path)
    if not names and since is None:
        return ordered, []
    chosen: set[str] | None = None
    skipped: list[str] = []
    if names:
        paths = [name for name in names if _is_path(name)]
        chosen = {loaded.graph.resolve(name) for name in names if name not in paths}
        by_file = {os.path.realpath(loaded.project.root / r.path): r.id for r in ordered}
        for path in paths:
            if not Path(path).exists():
                raise UsageError(f"lint: no such file: {path}",
                                 "name an existing revision file, or a revision id")
            found = by_file.get(os.path.realpath(path))
            if found:
                chosen.add(found)
            else:
                skipped.append(path)
    if since is not None:
        from ahq_history.git.added import added_since

        added = set(added_since(loaded.project, since))
        recent = {r.id for r in ordered if r.path in added}
        chosen = recent if chosen is None else chosen & recent
    return [r for r in ordered if r.id in (chosen or ())], skipped


def _is_path(name: str) -> bool:
    """A word names a file (not a revision) when it looks like a path or a file of that name exists."""
    return "/" in name or os.sep in name or name.endswith(".py") or Path(name).is_file()


def _lint(
    loaded: Loaded, revisions: list[Revision], config: LintConfig
) -> tuple[list[Finding], list[tuple[Finding, str]], list[Problem]]:
    from ahq_history.core.lint import lint_file
    from ahq_history.core.model import Problem

    findings: list[Finding] = []
    waived: list[tuple[Finding, str]] = []
    problems: list[Problem] = []
    for revision in revisions:
        text = loaded.source(revision)
        if text is None:  # read by the scanner a moment ago: removed or unreadable since
            problems.append(Problem("unreadable", "error", f"cannot read {revision.path}",
                                    revision.path, None, (revision.id,)))
            continue
        left, silenced = lint_file(revision, text, config)
        findings.extend(left)
        waived.extend(silenced)
    return findings, waived, problems


def render_text(report: dict[str, Any]) -> str:
    """One line per problem and per finding (`path:line: ID [severity] message`, the hint indented below),
    then a summary line."""
    lines = [f"{_where(p)}: {p['severity']}: {p['message']}" for p in report["problems"]]
    for finding in report["findings"]:
        lines.append(f"{_where(finding)}: {finding['check']} [{finding['severity']}] {finding['message']}")
        lines.append(f"    hint: {finding['hint']}")
    lines.extend(f"note: not a revision file of this project, skipped: {path}" for path in report["skipped"])
    lines.append(_summary(report))
    return clean_lines(lines)


def _where(item: dict[str, Any]) -> str:
    path = item.get("path") or "?"
    return f"{path}:{item['line']}" if item.get("line") else path


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _summary(report: dict[str, Any]) -> str:
    counted = _plural(report["revisions"], "revision")
    if report["findings"]:
        found = f"{_plural(report['errors'], 'error')}, {_plural(report['warnings'], 'warning')}"
        text = f"lint: {found} in {counted}"
    else:
        text = f"lint: no findings in {counted}"
    if report["waived"]:
        text += f" ({_plural(len(report['waived']), 'finding')} waived in the files)"
    if report["exit_code"] == EXIT_BROKEN:
        text += "; the revision graph is broken: run `ahq-history check`"
    return text

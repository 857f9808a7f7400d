"""`ahq-history lint [REV...]`: review revision files against the team's migration guide.

Exit codes: 0 no error-level finding (warnings are shown); 1 at least one error-level finding; 2 a problem
with `[tool.ahq-history.lint]` or the arguments; 3 the revision graph is broken (3 wins over 1).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ahq_history.cli.options import json_text
from ahq_history.core.display import clean_lines
from ahq_history.core.errors import EXIT_BROKEN, EXIT_NEGATIVE, EXIT_OK

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.core.lint import Finding, LintConfig
    from ahq_history.core.model import Problem, Revision


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "revisions", nargs="*", metavar="REV",
        help="revisions to lint: ids, partial ids of 4+ characters, branch labels or `head` "
        "(default: every revision)",
    )


def run(args: argparse.Namespace) -> int:
    report = lint_report(args.config, args.revisions)
    print(json_text(report) if args.json else render_text(report))
    return int(report["exit_code"])


def lint_report(config: str | None, names: list[str]) -> dict[str, Any]:
    """Lint the named revisions (all when none is named) of the project found from here, as the JSON
    object that `--json` prints (docs/json.md)."""
    from ahq_history.config.loading import load
    from ahq_history.core.lint import check_ignores, read_config

    loaded = load(config)
    lint_config = read_config(loaded.project.settings.get("lint"))
    check_ignores(lint_config, (revision.id for revision in loaded.scan.revisions))
    selected = _select(loaded, names)
    findings, unreadable = _lint(loaded, selected, lint_config)
    problems = [*loaded.problems, *unreadable]
    errors = sum(1 for finding in findings if finding.is_error)
    broken = any(problem.is_error for problem in problems)
    return {
        "revisions": len(selected),
        "findings": [finding.as_json() for finding in findings],
        "errors": errors,
        "warnings": len(findings) - errors,
        "problems": [problem.as_json() for problem in problems],
        "exit_code": EXIT_BROKEN if broken else EXIT_NEGATIVE if errors else EXIT_OK,
    }


def _select(loaded: Loaded, names: list[str]) -> list[Revision]:
    by_id = {revision.id: revision for revision in loaded.scan.revisions}
    if not names:
        return sorted(by_id.values(), key=lambda revision: revision.path)
    chosen = dict.fromkeys(loaded.graph.resolve(name) for name in names)
    return [by_id[revision_id] for revision_id in chosen]


def _lint(
    loaded: Loaded, revisions: list[Revision], config: LintConfig
) -> tuple[list[Finding], list[Problem]]:
    from ahq_history.core.lint import lint_source
    from ahq_history.core.model import Problem

    findings: list[Finding] = []
    problems: list[Problem] = []
    for revision in revisions:
        text = loaded.source(revision)
        if text is None:  # read by the scanner a moment ago: removed or unreadable since
            problems.append(Problem("unreadable", "error", f"cannot read {revision.path}",
                                    revision.path, None, (revision.id,)))
            continue
        findings.extend(lint_source(revision, text, config))
    return findings, problems


def render_text(report: dict[str, Any]) -> str:
    """One line per problem and per finding (`path:line: ID [severity] message`, the hint indented below),
    then a summary line."""
    lines = [f"{_where(p)}: {p['severity']}: {p['message']}" for p in report["problems"]]
    for finding in report["findings"]:
        lines.append(f"{_where(finding)}: {finding['check']} [{finding['severity']}] {finding['message']}")
        lines.append(f"    hint: {finding['hint']}")
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
    if report["exit_code"] == EXIT_BROKEN:
        text += "; the revision graph is broken: run `ahq-history check`"
    return text

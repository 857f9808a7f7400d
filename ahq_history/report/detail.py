"""One revision's facts, shown by `show` and by the TUI's detail pane: the CLI and the TUI show the same."""

from __future__ import annotations

import ast
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from ahq_history.core.display import clean_lines
from ahq_history.core.pyparse import parse_quietly

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.core.graph import RevisionGraph
    from ahq_history.core.model import Problem, Revision
    from ahq_history.core.ops import Operation, Operations
    from ahq_history.report.lanes import GitColumns


@dataclass(frozen=True)
class Detail:
    """Everything known about one revision."""

    revision: Revision
    marks: tuple[str, ...]
    children: tuple[str, ...]
    branch_labels: tuple[str, ...]  # own and inherited: what `label@head` reaches it through
    depends_on: tuple[str, ...]  # resolved revision ids
    needed_by: tuple[str, ...]  # revisions whose depends_on names this one
    source: str | None  # the file's text (None when it cannot be read)
    operations: Operations | None
    problems: tuple[Problem, ...]
    git: GitColumns | None = None


def revision_detail(loaded: Loaded, rid: str, git: GitColumns | None = None) -> Detail:
    """Gather the facts `show` and the TUI's detail pane display for revision `rid`."""
    from ahq_history.core.opread import read_operations
    from ahq_history.report.lanes import revision_marks

    graph = loaded.graph
    rev = graph.revisions[rid]
    source = loaded.source(rev)
    return Detail(
        revision=rev,
        marks=revision_marks(graph, rid),
        children=tuple(graph.children(rid)),
        branch_labels=tuple(sorted(graph.branch_labels(rid))),
        depends_on=tuple(graph.dependencies(rid)),
        needed_by=tuple(sorted(d for d in graph.graph.predecessors(rid) if rid in graph.dependencies(d))),
        source=source,
        operations=read_operations(source) if source is not None else None,
        problems=tuple(p for p in loaded.problems if rid in p.revisions or (p.path == rev.path and p.path)),
        git=git,
    )


def function_source(source: str, name: str) -> tuple[int, str] | None:
    """The first line number and text of the module-level function `name` (None when absent)."""
    try:
        module = parse_quietly(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # as ops.read_operations: absurd nesting
        return None
    lines = source.splitlines()
    for node in module.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            last = node.end_lineno or node.lineno
            return first, "\n".join(lines[first - 1:last])
    return None


# -- JSON ---------------------------------------------------------------------------------------


def detail_json(detail: Detail) -> dict[str, object]:
    """The `revision` object of `show --json` (docs/json.md)."""
    from ahq_history.report.lanes import git_json

    rev = detail.revision
    return {
        "id": rev.id,
        "message": rev.message,
        "marks": list(detail.marks),
        "parents": list(rev.parents),
        "children": list(detail.children),
        "branch_labels": list(rev.branch_labels),
        "reachable_labels": list(detail.branch_labels),
        "depends_on": list(rev.depends_on),
        "depends_on_resolved": list(detail.depends_on),
        "needed_by": list(detail.needed_by),
        "path": rev.path,
        "line": rev.line,
        "create_date": rev.create_date,
        "git": git_json(detail.git),
        "operations": _operations_json(detail.operations),
        "problems": [p.as_json() for p in detail.problems],
    }


def _operations_json(ops: Operations | None) -> dict[str, object] | None:
    if ops is None:
        return None
    return {
        "upgrade": [_operation_json(op) for op in ops.upgrade],
        "downgrade": [_operation_json(op) for op in ops.downgrade],
        "upgrade_line": ops.upgrade_line,
        "downgrade_line": ops.downgrade_line,
        "upgrade_empty": ops.upgrade_empty,
        "downgrade_empty": ops.downgrade_empty,
        "error": ops.error,
    }


def _operation_json(op: Operation) -> dict[str, object]:
    from ahq_history.core.ops import describe

    fields = asdict(op)
    fields["columns"] = list(op.columns)
    fields["references"] = list(op.references)
    fields["description"] = describe(op)
    return fields


# -- text ---------------------------------------------------------------------------------------


def detail_text(detail: Detail, graph: RevisionGraph) -> str:
    """The human view of `show`: header, facts, then operations."""
    rev = detail.revision
    marks = f" ({', '.join(detail.marks)})" if detail.marks else ""
    lines = [f"revision {rev.id}{marks}", f"    {rev.message or '(no message)'}", ""]
    lines += [f"  {name:<11}{value}" for name, value in fact_rows(detail, graph)]
    lines += ["", *operation_lines(detail.operations)]
    lines += [f"  {p.severity}: {p.message}" for p in detail.problems]
    return clean_lines(lines).rstrip()


def fact_rows(detail: Detail, graph: RevisionGraph) -> list[tuple[str, str]]:
    """(name, value) pairs: file, create date, parents, children, labels, depends_on, git."""
    rev = detail.revision
    where = f"{rev.path}:{rev.line}" if rev.line else rev.path
    rows = [("file", where), ("created", rev.create_date or "(no Create Date line)")]
    rows += _named("parents", rev.parents, graph) or [("parents", "(none: a base)")]
    rows += _named("children", detail.children, graph) or [("children", "(none: a head)")]
    if rev.branch_labels or detail.branch_labels:
        inherited = [label for label in detail.branch_labels if label not in rev.branch_labels]
        text = ", ".join([*rev.branch_labels, *(f"{label} (inherited)" for label in inherited)])
        rows.append(("labels", text))
    rows += _named("depends on", detail.depends_on, graph)
    rows += _named("needed by", detail.needed_by, graph)
    if detail.git is not None:
        rows.append(("git", git_text(detail.git)))
    return rows


def _named(name: str, ids: tuple[str, ...], graph: RevisionGraph) -> list[tuple[str, str]]:
    """One row per id with its message, the name only on the first row."""
    rows = []
    for i, rid in enumerate(ids):
        known = graph.revisions.get(rid)
        text = f"{rid[:12]}  {known.message}" if known else f"{rid}  (no file defines it)"
        rows.append((name if i == 0 else "", text))
    return rows


def git_text(git: GitColumns) -> str:
    from ahq_history.report.lanes import publication

    if not git.committed:
        return "not committed yet (local)"
    parts = [git.commit[:10] if git.commit else "?"]
    if git.author:
        parts.append(f"by {git.author}")
    if git.date:
        parts.append(f"on {git.date}")
    state = publication(git)
    if state:
        parts.append(f"· {state}")
    if git.refs:
        parts.append(f"({', '.join(git.refs)})")
    return " ".join(parts)


def operation_lines(ops: Operations | None) -> list[str]:
    """`upgrade() line 20` then one indented line per operation; the same for downgrade()."""
    from ahq_history.core.ops import describe

    if ops is None:
        return ["operations: the file cannot be read"]
    if ops.error:
        return [f"operations: {ops.error}" + (f" (line {ops.error_line})" if ops.error_line else "")]
    lines = []
    for name, found, start, empty in (("upgrade", ops.upgrade, ops.upgrade_line, ops.upgrade_empty),
                                      ("downgrade", ops.downgrade, ops.downgrade_line, ops.downgrade_empty)):
        where = f" line {start}" if start else " (missing)"
        lines.append(f"{name}(){where}" + (": empty" if empty and start else ""))
        lines += [f"  {op.line:>5}  {describe(op)}" for op in found]
    return lines

"""Re-parenting: a revision file's two header lines rewritten as text, nothing else.

The `down_revision` value changes only in the string that names the old parent (so quotes, tuples,
annotations and comments stay), and the `Revises:` docstring line names the new parent. A value that is not
written plainly is refused, never guessed at.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import re
from typing import TYPE_CHECKING, TypeGuard

from ahq_history.core.errors import RefusedError
from ahq_history.core.model import Revision
from ahq_history.core.plan import Move, RebaseStep
from ahq_history.core.pyparse import parse_quietly
from ahq_history.write.files import Written, decode, encode, split_lines

if TYPE_CHECKING:
    from ahq_history.config.project import Project
    from ahq_history.core.graph import RevisionGraph


def render_rebase(project: Project, graph: RevisionGraph, step: RebaseStep) -> list[Written]:
    """The first revision of each moved side re-parented (two lines each), with its diff; nothing written."""
    rendered = []
    for move in step.moves:
        rev = graph.revisions[move.revision]
        path = project.root / rev.path
        before = path.read_bytes()
        old_text = decode(before, path)
        new_text = reparent_text(old_text, rev, move)
        diff = "".join(difflib.unified_diff(
            split_lines(old_text), split_lines(new_text), fromfile=f"a/{rev.path}", tofile=f"b/{rev.path}"))
        parents = tuple(move.new_parent if p == move.old_parent else p for p in rev.parents)
        rendered.append(Written("rebase", rev.id, parents, path, rev.path, new_text,
                                old_parents=rev.parents, diff=diff, data=encode(new_text, before),
                                before=before))
    return rendered


def reparent_text(text: str, rev: Revision, move: Move) -> str:
    """`text` with the `down_revision` string naming `move.old_parent` and the `Revises:` line changed to
    `move.new_parent`, and nothing else: quotes, tuples, annotations and comments are kept."""
    lines = split_lines(text)
    node = _down_revision_node(text, rev)
    names = [n for n in ast.walk(node) if isinstance(n, ast.Constant) and n.value == move.old_parent]
    if not names:
        raise RefusedError(f"{rev.path}:{node.lineno}: down_revision of {rev.id} does not name "
                           f"{move.old_parent} as a plain string; not rewritten",
                           hint=f"edit it by hand to {move.new_parent!r}, or use a merge revision")
    for name in sorted(names, key=lambda n: (n.lineno, n.col_offset), reverse=True):
        lines[name.lineno - 1] = _replace_in_constant(lines[name.lineno - 1], name, move, rev)
    if rev.revises_line is not None:
        index = rev.revises_line - 1
        lines[index] = _revises_line(lines[index], move, rev)
    return "".join(lines)


def _down_revision_node(text: str, rev: Revision) -> ast.expr:
    tree = _parse_header(text, rev)
    value = _assigned(tree, "down_revision", rev.parents_line)
    if value is None:
        raise RefusedError(f"{rev.path}: no down_revision assignment found for {rev.id}; not rewritten",
                           hint="check the file with `ahq-history show " + rev.id + "`")
    assert value.value is not None  # _assigns skips annotations without a value
    return value.value


def _parse_header(text: str, rev: Revision) -> ast.Module:
    """The module's AST; when the body does not parse (old Python 2 files), the text before the first
    top-level function, where Alembic's header values live."""
    try:
        return parse_quietly(text)
    except SyntaxError as error:
        first_def = re.search(r"^(?:async\s+def|def|class)\s", text, flags=re.M)
        if first_def is not None:
            with contextlib.suppress(SyntaxError):
                return parse_quietly(text[: first_def.start()])
        raise RefusedError(f"{rev.path}:{error.lineno}: the file does not parse; not rewritten",
                           hint="fix the file first (`ahq-history check` reports it)") from None


def _assigned(tree: ast.Module, name: str, line: int | None = None) -> ast.Assign | ast.AnnAssign | None:
    """The module-level assignment to `name` at `line` (else the last one, which is what Alembic sees)."""
    found = [stmt for stmt in tree.body if _assigns(stmt, name)]
    at_line = [s for s in found if s.lineno == line]
    chosen = at_line or found
    return chosen[-1] if chosen else None


def _assigns(stmt: ast.stmt, name: str) -> TypeGuard[ast.Assign | ast.AnnAssign]:
    if isinstance(stmt, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
    return (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
            and stmt.target.id == name and stmt.value is not None)


def _replace_in_constant(line: str, node: ast.Constant, move: Move, rev: Revision) -> str:
    # ast columns count UTF-8 bytes, not characters.
    raw = line.encode("utf-8")
    start, end = node.col_offset, node.end_col_offset
    segment = raw[start:end].decode("utf-8") if end is not None else ""
    if node.end_lineno != node.lineno or move.old_parent not in segment:
        raise RefusedError(f"{rev.path}:{node.lineno}: the string {move.old_parent!r} is not written plainly "
                           "(split or escaped); not rewritten",
                           hint=f"edit it by hand to {move.new_parent!r}, or use a merge revision")
    replaced = segment.replace(move.old_parent, move.new_parent, 1).encode("utf-8")
    return (raw[:start] + replaced + raw[end:]).decode("utf-8")


_REVISES = re.compile(r"^(?P<pre>\s*Revises:[ \t]*)(?P<value>.*?)(?P<post>[ \t]*(?:\r?\n)?)$", re.S)


def _revises_line(line: str, move: Move, rev: Revision) -> str:
    match = _REVISES.match(line)
    if match is None:
        raise RefusedError(f"{rev.path}:{rev.revises_line}: expected a 'Revises:' line; not rewritten",
                           hint="check the file with `ahq-history show " + rev.id + "`")
    value = match["value"]
    token = re.compile(rf"(?<![\w]){re.escape(move.old_parent)}(?![\w])")
    value = token.sub(move.new_parent, value, count=1) if token.search(value) else move.new_parent
    return f"{match['pre']}{value}{match['post']}"

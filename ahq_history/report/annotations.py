"""The findings of a `check` or `lint` report as located items, one per thing a CI should show on a file
and line: what `report/formats.py` renders as GitHub annotations, SARIF results or JUnit test cases.

Standard library only. Paths become relative to the top of the git work tree (where CI checks out), found
by looking for `.git` above the project; outside git they stay relative to the project root.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ahq_history.core.text import SHORT

Level = Literal["error", "warning"]

# What each rule of `check` means, for SARIF's rule list and JUnit's names (lint rules come from CHECKS).
CHECK_RULES: dict[str, str] = {
    "divergence": "several Alembic heads that `upgrade head` cannot choose between",
    "operation-conflict": "the sides of a divergence change the same table or column",
}


@dataclass(frozen=True)
class Item:
    """One thing to show at a file and line (the line is 1 or more; 1 when the report gives none)."""

    level: Level
    rule: str  # a lint check id (AHQ002), a problem kind, "divergence" or "operation-conflict"
    rule_name: str
    path: str  # relative to the top of the git work tree (POSIX)
    line: int
    title: str
    message: str
    hint: str = ""


@dataclass(frozen=True)
class _Where:
    root: Path  # the project root
    top: Path  # the git work tree's top, or the project root outside git
    fallback: str  # the configuration file, for an item the report gives no file

    def path(self, project_path: str | None) -> str:
        if not project_path:
            return self.fallback
        relative = os.path.relpath(self.root / project_path, self.top)
        return Path(relative).as_posix()


def _where(project: dict[str, Any]) -> _Where:
    root = Path(project["root"])
    top = next((folder for folder in (root, *root.parents) if (folder / ".git").exists()), root)
    config = os.path.relpath(project["config"], top) if project.get("config") else "alembic.ini"
    return _Where(root=root, top=top, fallback=Path(config).as_posix())


def _line(value: object) -> int:
    return value if isinstance(value, int) and value >= 1 else 1


def _problem_items(report: dict[str, Any], where: _Where) -> list[Item]:
    return [Item(level="error" if p["severity"] == "error" else "warning", rule=p["kind"],
                 rule_name=p["kind"], path=where.path(p.get("path")), line=_line(p.get("line")),
                 title=f"ahq-history: {p['kind']}", message=p["message"])
            for p in report["problems"]]


def lint_items(report: dict[str, Any]) -> list[Item]:
    """The items of a `lint` report: its problems, then each finding (hint kept apart)."""
    where = _where(report["project"])
    items = _problem_items(report, where)
    items.extend(Item(level=f["severity"], rule=f["check"], rule_name=f["name"], path=where.path(f["path"]),
                      line=_line(f["line"]), title=f"{f['check']} {f['name']}", message=f["message"],
                      hint=f["hint"]) for f in report["findings"])
    return items


def check_items(report: dict[str, Any]) -> list[Item]:
    """The items of a `check` report: its problems, one per divergence (on a head's revision file: the
    last side that is only local, else of the last side), and one per operation conflict (on its second
    revision)."""
    where = _where(report["project"])
    heads = {head["revision"]: head for head in report["heads"]}
    items = _problem_items(report, where)
    for divergence in report["divergences"]:
        items.append(_divergence_item(divergence, heads, where, report.get("next", "")))
        items.extend(Item(level="error", rule="operation-conflict", rule_name="operation-conflict",
                          path=where.path(c["revisions"][-1]["path"]), line=_line(c["revisions"][-1]["line"]),
                          title="ahq-history: operation conflict", message=c["message"])
                     for c in divergence.get("conflicts", []))
    return items


def _divergence_item(divergence: dict[str, Any], heads: dict[str, Any], where: _Where, advice: str) -> Item:
    sides = divergence["sides"]
    local = [side for side in sides if side.get("published") is False]
    shown = heads.get((local or sides)[-1]["head"], {})
    named = "; ".join(f"{side['head'][:SHORT]} ({side.get('message', '')})" for side in sides)
    fork = ", ".join(f[:SHORT] for f in divergence["forks"]) or "no common revision"
    message = f"{len(divergence['heads'])} Alembic heads since {fork}: {named}"
    return Item(level="error", rule="divergence", rule_name="divergence", path=where.path(shown.get("path")),
                line=_line(shown.get("line")), title="ahq-history: divergent Alembic heads", message=message,
                hint=f"run: {divergence.get('command') or advice}")

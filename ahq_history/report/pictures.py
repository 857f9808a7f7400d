"""The revision graph as a picture: Mermaid (renders in GitHub and GitLab comments) and Graphviz DOT.

`history --format mermaid|dot` draws the whole graph; `check --format mermaid|dot` draws each divergence:
its fork, each side's revisions and who brought them. Nodes get generated names (`r0`, `r1`, ...), so an
id never reaches the syntax; ids and messages appear only inside quoted labels, escaped for each format
(Mermaid's `#NNN;` entity codes; DOT's backslash escapes), so `"`, `]`, `-->`, `%%` or a newline in a
revision file stay text. Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ahq_history.core.display import clean

if TYPE_CHECKING:
    from ahq_history.core.graph import RevisionGraph

FORMATS = ("mermaid", "dot")
SHORT = 12  # characters of an id shown in a node


@dataclass
class Picture:
    """Nodes, edges and groups, drawn by `mermaid` or `dot`."""

    nodes: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (name, label), in order
    kinds: dict[str, str] = field(default_factory=dict)  # key -> "head" | "fork"
    edges: list[tuple[str, str, bool]] = field(default_factory=list)  # (older, newer, is_dependency)
    groups: list[tuple[str, list[str]]] = field(default_factory=list)  # (title, keys)

    def node(self, key: str, label: str, kind: str = "") -> None:
        if key not in self.nodes:
            self.nodes[key] = (f"r{len(self.nodes)}", label)
        if kind:
            self.kinds[key] = kind


def graph_picture(graph: RevisionGraph) -> Picture:
    """The whole graph, oldest first; an edge from each parent to its child, dotted for `depends_on`."""
    picture = Picture()
    heads = set(graph.heads)
    for rid in graph.topological():
        picture.node(rid, _label(rid, graph.revisions[rid].message), "head" if rid in heads else "")
    for rid in graph.topological():
        picture.edges.extend((parent, rid, False) for parent in graph.parents(rid))
        picture.edges.extend((target, rid, True) for target in graph.dependencies(rid))
    return picture


def divergence_picture(report: dict[str, Any]) -> Picture:
    """Each divergence of a `check` report: its forks, then each side from oldest to head, in a group
    titled with the side's head, who brought it and whether it is published."""
    picture = Picture()
    for divergence in report["divergences"]:
        for fork in divergence["forks"]:
            picture.node(fork, _label(fork, "fork"), "fork")
        for side in divergence["sides"]:
            keys = _side_nodes(picture, side, divergence["forks"])
            picture.groups.append((_side_title(side), keys))
    return picture


def _side_nodes(picture: Picture, side: dict[str, Any], forks: list[str]) -> list[str]:
    authors = {g["revision"]: g.get("author") for g in side.get("git") or []}
    oldest_first = list(reversed(side["revisions"]))
    for rid in oldest_first:
        words = side.get("message", "") if rid == side["head"] else ""
        by = f"by {authors[rid]}" if authors.get(rid) else ""
        picture.node(rid, _label(rid, "\n".join(w for w in (words, by) if w)),
                     "head" if rid == side["head"] else "")
    # Sides are chains from the fork (a side that holds a merge is drawn as its order, which is enough to
    # show who brought what).
    for older, newer in zip([*forks[:1], *oldest_first], oldest_first, strict=False):
        picture.edges.append((older, newer, False))
    return oldest_first


def _side_title(side: dict[str, Any]) -> str:
    first = (side.get("git") or [None])[0] or {}
    published = {True: "published", False: "local", None: ""}[side.get("published")]
    by = f"by {first['author']}" if first.get("author") else ""
    parts = [f"side {side['head'][:SHORT]}", by, published]
    return ", ".join(p for p in parts if p)


def _label(rid: str, message: str) -> str:
    return f"{rid[:SHORT] if len(rid) > SHORT + 3 else rid}\n{message}" if message else rid


# -- Mermaid ---------------------------------------------------------------------------------------------

MERMAID_PLAIN = frozenset(" ,._-/:@+=!?*")  # characters written as they are; everything else is a code


def mermaid_text(text: str) -> str:
    """`text` for a quoted Mermaid label: letters, digits and a few safe marks as they are, a newline as
    `<br>`, every other character as an entity code (`#34;` for `"`), which Mermaid decodes for display."""
    return "".join(c if c.isalnum() or c in MERMAID_PLAIN else "<br>" if c == "\n" else f"#{ord(c)};"
                   for c in clean(text, multiline=True))  # bidi and C1 shown as escapes, not decoded


def mermaid(picture: Picture) -> str:
    lines = ["flowchart TD"]
    grouped = {key for _title, keys in picture.groups for key in keys}
    lines.extend(_mermaid_node(picture, key) for key in picture.nodes if key not in grouped)
    for number, (title, keys) in enumerate(picture.groups):
        lines.append(f'  subgraph s{number} ["{mermaid_text(title)}"]')
        lines.extend(f"  {_mermaid_node(picture, key)}" for key in keys)
        lines.append("  end")
    for older, newer, dependency in _known(picture, picture.edges):
        arrow = "-. depends on .->" if dependency else "-->"
        lines.append(f"  {picture.nodes[older][0]} {arrow} {picture.nodes[newer][0]}")
    lines.append("  classDef head stroke-width:3px")
    lines.append("  classDef fork stroke-dasharray:4 2")
    lines.extend(f"  class {picture.nodes[key][0]} {kind}" for key, kind in picture.kinds.items())
    return "\n".join(lines) + "\n"


def _mermaid_node(picture: Picture, key: str) -> str:
    name, label = picture.nodes[key]
    return f'  {name}["{mermaid_text(label)}"]'


# -- Graphviz DOT ----------------------------------------------------------------------------------------


def dot_text(text: str) -> str:
    """`text` for a quoted DOT string: backslash and `"` escaped, a newline as DOT's `\\n`, other control
    characters as visible `\\xNN` (DOT has no escape that keeps them)."""
    out = []
    for c in clean(text, multiline=True):  # C1 controls and bidi overrides become visible escapes first
        if c in '\\"':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif ord(c) < 32 or ord(c) == 127:
            out.append(f"\\\\x{ord(c):02x}")
        else:
            out.append(c)
    return "".join(out)


def dot(picture: Picture) -> str:
    lines = ["digraph revisions {", "  rankdir=BT;", '  node [shape=box, fontname="monospace"];']
    grouped = {key for _title, keys in picture.groups for key in keys}
    lines.extend(_dot_node(picture, key) for key in picture.nodes if key not in grouped)
    for number, (title, keys) in enumerate(picture.groups):
        lines.append(f'  subgraph cluster_{number} {{ label="{dot_text(title)}";')
        lines.extend(f"  {_dot_node(picture, key)}" for key in keys)
        lines.append("  }")
    for older, newer, dependency in _known(picture, picture.edges):
        style = ' [style=dashed, label="depends on"]' if dependency else ""
        lines.append(f"  {picture.nodes[older][0]} -> {picture.nodes[newer][0]}{style};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_node(picture: Picture, key: str) -> str:
    name, label = picture.nodes[key]
    style = {"head": ", penwidth=3", "fork": ", style=dashed"}.get(picture.kinds.get(key, ""), "")
    return f'  {name} [label="{dot_text(label)}"{style}];'


def _known(picture: Picture, edges: Iterable[tuple[str, str, bool]]) -> list[tuple[str, str, bool]]:
    return [edge for edge in edges if edge[0] in picture.nodes and edge[1] in picture.nodes]


def draw(picture: Picture, form: str) -> str:
    """The picture in `form` (one of FORMATS)."""
    return mermaid(picture) if form == "mermaid" else dot(picture)

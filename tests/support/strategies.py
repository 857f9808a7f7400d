"""Hypothesis strategies shared by the graph tests and the file-level agreement tests."""

from __future__ import annotations

from hypothesis import strategies as st

from ahq_history.core.model import Revision


@st.composite
def histories(draw: st.DrawFn, max_size: int = 25) -> list[Revision]:
    """Random acyclic histories: forks, N-way merges, several labelled bases, depends_on."""
    count = draw(st.integers(min_value=1, max_value=max_size))
    revisions: list[Revision] = []
    for index in range(count):
        rid = f"{index:04x}{draw(st.integers(0, 0xFFFFFFFF)):08x}"
        earlier = [r.id for r in revisions]
        parents: tuple[str, ...] = ()
        if earlier and draw(st.integers(0, 9)) > 0:
            parents = tuple(draw(st.lists(st.sampled_from(earlier), min_size=1, max_size=3, unique=True)))
        labels = (f"lbl{index}",) if not parents and draw(st.booleans()) else ()
        candidates = [e for e in earlier if e not in parents]
        depends: tuple[str, ...] = ()
        if candidates and draw(st.integers(0, 5)) == 0:
            depends = (draw(st.sampled_from(candidates)),)
        revisions.append(Revision(id=rid, parents=parents, branch_labels=labels, depends_on=depends,
                                  path=f"versions/{rid}.py", line=10, parents_line=11))
    return revisions

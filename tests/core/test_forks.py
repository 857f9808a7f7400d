"""The forks of a divergence on a project made by Alembic's own commands, against networkx's answer: the
heads' nearest common ancestors, none of them an ancestor of another."""

from __future__ import annotations

import json
from itertools import permutations
from pathlib import Path

import networkx as nx
import pytest

from ahq_history.cli.main import main
from ahq_history.config.loading import load
from ahq_history.core.graph import RevisionGraph
from tests.support.projects import add_revision, alembic_project, forked_revisions, linear_revisions


@pytest.fixture
def three_way(tmp_path: Path) -> Path:
    """add audit log (bbbb00000001) and add workflows (cccc00000001) on aaaa00000002; add workflow runs
    (cccc00000002) and add workflow steps (cccc00000003) both on add workflows: the third side descends
    from the second one's fork."""
    root = forked_revisions(linear_revisions(alembic_project(tmp_path / "app")))
    add_revision(root, "add workflow steps", "cccc00000003", head="cccc00000001", splice=True)
    return root


def nearest_common_ancestors(graph: RevisionGraph, heads: list[str]) -> set[str]:
    """networkx's answer on a graph built here from the down_revisions alone: the revisions every head
    descends from that no other such revision descends from."""
    tree = nx.DiGraph()  # parent -> child, as networkx's ancestor functions read a history
    tree.add_nodes_from(graph.revisions)
    tree.add_edges_from((p, rid) for rid, r in graph.revisions.items() for p in r.parents)
    shared = set.intersection(*(nx.ancestors(tree, head) for head in heads))
    return {rid for rid in shared if not nx.descendants(tree, rid) & shared}


def test_forks_of_a_three_way_divergence_are_the_heads_nearest_common_ancestors(three_way: Path) -> None:
    graph = load(three_way / "alembic.ini").graph
    (div,) = graph.divergences
    assert sorted(div.heads) == ["bbbb00000001", "cccc00000002", "cccc00000003"]
    assert div.forks == ("aaaa00000002",)
    assert set(div.forks) == nearest_common_ancestors(graph, list(div.heads))
    # minimal: no listed fork is an ancestor of another (the old answer listed aaaa00000002 and cccc00000001)
    tree = graph.graph  # child -> parent edges
    assert not any(nx.has_path(tree, one, other) for one, other in permutations(div.forks, 2))


def test_two_heads_have_networkx_lowest_common_ancestor_as_fork(three_way: Path) -> None:
    (three_way / "migrations" / "versions" / "bbbb00000001_add_audit_log.py").unlink()
    graph = load(three_way / "alembic.ini").graph
    (div,) = graph.divergences
    tree = graph.graph.reverse(copy=True)
    assert div.forks == (nx.lowest_common_ancestor(tree, *div.heads),) == ("cccc00000001",)


def test_check_says_since_the_one_fork(three_way: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(three_way)
    assert main(["check", "--json", "--no-cache"]) == 1
    (divergence,) = json.loads(capsys.readouterr().out)["divergences"]
    assert divergence["forks"] == ["aaaa00000002"]

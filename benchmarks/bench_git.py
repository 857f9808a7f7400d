"""Whole commands against `alembic heads`, in the same run, on a generated git history (issue 15):

- `alembic heads` cold (every `__pycache__` deleted before each run) and warm;
- the first `ahq-history check` in a fresh full clone (`git clone --no-local`), then `check` warm;
- `ahq-history check --no-cache` on a copy of the tree outside git, with its import budget: the top
  imports of `python -X importtime`, and GitPython must not be among them (asserted);
- the installed post-merge hook (`ahq-history check --hook post-merge 0`, whole process) after a 30-commit
  `git pull` that brings a teammate's revision on the same parent as a local one;

each git case without a commit-graph file and after `git commit-graph write --reachable`. Medians of
`--repeat` runs; ratio = `alembic heads` time / ours. With `--syntax`, also the share of the body parse
(`scan_project(check_syntax=True)` against `False`, in-process).

    python benchmarks/bench_git.py --sizes 2000:3200 10000:16000 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from git_history import VERSIONS, add_local_revision, alembic_head, generate, git, push_a_pull

BIN = Path(sys.executable).parent
TOOL = str(BIN / "ahq-history")
GRAPHS = ("no commit-graph", "commit-graph")
NOT_IMPORTED = ("git", "gitdb", "smmap")  # GitPython and what it brings: no git is needed outside git


def run(command: list[str], cwd: Path) -> float:
    """Wall time of one whole command; exit 0 or 1 (a negative answer) only."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} in {cwd} failed ({done.returncode}):\n{done.stderr}")
    return elapsed


def median_of(repeat: int, prepare: Callable[[], None], command: list[str], cwd: Path) -> float:
    times = []
    for _ in range(repeat):
        prepare()
        times.append(run(command, cwd))
    return statistics.median(times)


def set_commit_graph(clone: Path, graph: str) -> None:
    info = clone / ".git" / "objects" / "info"
    (info / "commit-graph").unlink(missing_ok=True)
    shutil.rmtree(info / "commit-graphs", ignore_errors=True)
    if graph == "commit-graph":
        git(clone, "commit-graph", "write", "--reachable")


def alembic_times(tree: Path, repeat: int) -> dict[str, float]:
    heads = [str(BIN / "alembic"), "heads"]

    def cold() -> None:
        for cache in tree.rglob("__pycache__"):
            shutil.rmtree(cache)

    cold_time = median_of(repeat, cold, heads, tree)
    run(heads, tree)
    return {"cold": cold_time, "warm": median_of(repeat, lambda: None, heads, tree)}


def fresh_clone_check(origin: Path, folder: Path, graph: str, repeat: int) -> float:
    clone = folder / "fresh"

    def prepare() -> None:
        shutil.rmtree(clone, ignore_errors=True)
        git(folder, "clone", "-q", "--no-local", str(origin), str(clone))
        set_commit_graph(clone, graph)

    return median_of(repeat, prepare, [TOOL, "check"], clone)


def outside_git(bob: Path, folder: Path) -> Path:
    tree = folder / "no-git"
    tree.mkdir()
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=bob, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-m", "-C", str(tree)], input=archive, check=True)
    return tree


def import_budget(tree: Path, top: int = 8) -> list[str]:
    """The `top` costliest top-level imports of `check --no-cache` outside git; fails if GitPython is one."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "ahq_history", "check", "--no-cache"],
                          cwd=tree, capture_output=True, text=True)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        rows.append((int(cumulative), name.rstrip()))
    imported = {name.strip().partition(".")[0] for _, name in rows}
    unwanted = imported & set(NOT_IMPORTED)
    assert not unwanted, f"GitPython imported though no git is needed: {sorted(unwanted)}"
    outer = sorted(((us, name) for us, name in rows if not name.startswith("  ")), reverse=True)
    total = sum(us for us, _ in outer)
    return [f"all imports {total / 1000:.0f} ms; GitPython not imported"] + [
        f"{us / 1000:6.1f} ms  {name.strip()}" for us, name in outer[:top]]


SYNTAX = """
import statistics, time
from pathlib import Path
from ahq_history.config.project import find_project
from ahq_history.config.scan import scan_project
project = find_project(Path.cwd())
for flag in (False, True):
    times = []
    for _ in range({repeat}):
        start = time.perf_counter()
        scan_project(project, check_syntax=flag)
        times.append(time.perf_counter() - start)
    print(f"{{statistics.median(times):.3f}}")
"""


def syntax_cost(tree: Path, repeat: int) -> tuple[float, float]:
    done = subprocess.run([sys.executable, "-c", SYNTAX.format(repeat=repeat)], cwd=tree, check=True,
                          capture_output=True, text=True)
    without, with_bodies = (float(x) for x in done.stdout.split())
    return without, with_bodies


def clones(origin: Path, folder: Path) -> tuple[Path, Path]:
    bob, alice = folder / "bob", folder / "alice"
    for clone, name in ((bob, "Bob"), (alice, "Alice")):
        git(folder, "clone", "-q", "--no-local", str(origin), str(clone))
        git(clone, "config", "user.name", name)
        git(clone, "config", "user.email", f"{name.lower()}@example.com")
    return bob, alice


def hook_after_pull(bob: Path, graph: str, repeat: int) -> tuple[float, float]:
    """Warm `check` before the pull, then the hook after it (the pull undone and made again each run,
    with the cache that `check` left before it)."""
    git(bob, "reset", "-q", "--hard", "bob-before-pull")
    git(bob, "update-ref", "refs/remotes/origin/main", "origin-before-pull")
    set_commit_graph(bob, graph)
    cache, kept = bob / ".git" / "ahq-history", bob.parent / "kept-cache"
    shutil.rmtree(cache, ignore_errors=True)
    run([TOOL, "check"], bob)
    warm = median_of(repeat, lambda: None, [TOOL, "check"], bob)
    shutil.rmtree(kept, ignore_errors=True)
    shutil.copytree(cache, kept)

    def pull() -> None:
        git(bob, "reset", "-q", "--hard", "bob-before-pull")
        git(bob, "update-ref", "refs/remotes/origin/main", "origin-before-pull")
        shutil.rmtree(cache)
        shutil.copytree(kept, cache)
        git(bob, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")

    hook = median_of(repeat, pull, [TOOL, "check", "--hook", "post-merge", "0"], bob)
    return warm, hook


def diverge(bob: Path, alice: Path) -> None:
    """Alice pushes a revision and 29 more commits; Bob commits a revision on the same parent."""
    parent = alembic_head(alice)
    git(bob, "tag", "origin-before-pull", "origin/main")
    push_a_pull(alice, parent)
    add_local_revision(bob, parent, "b0b000000001", "bob workflows")
    git(bob, "add", "-A")
    git(bob, "commit", "-qm", "workflows")
    git(bob, "tag", "bob-before-pull")
    assert (bob / VERSIONS).is_dir()


def bench(revisions: int, commits: int, folder: Path, repeat: int, syntax: bool) -> dict[str, object]:
    started = time.perf_counter()
    origin = generate(folder / "origin.git", revisions, commits)
    count = git(origin, "rev-list", "--count", "--all").strip()
    print(f"\n{revisions} revisions, {count} commits (generated in {time.perf_counter() - started:.0f} s)")
    bob, alice = clones(origin, folder)
    nogit = outside_git(bob, folder)
    found: dict[str, object] = {"alembic": alembic_times(nogit, repeat)}
    found["imports"] = import_budget(nogit)
    found["no-cache"] = median_of(repeat, lambda: None, [TOOL, "check", "--no-cache"], nogit)
    for graph in GRAPHS:
        found[f"fresh|{graph}"] = fresh_clone_check(origin, folder, graph, repeat)
    diverge(bob, alice)
    for graph in GRAPHS:
        found[f"warm|{graph}"], found[f"hook|{graph}"] = hook_after_pull(bob, graph, repeat)
    if syntax:
        found["syntax"] = syntax_cost(nogit, repeat)
    return found


ROWS = [("first `check` in a fresh full clone", "fresh"), ("`check` warm", "warm"),
        ("post-merge hook after a 30-commit pull", "hook")]


def show(found: dict[str, object]) -> None:
    alembic = found["alembic"]
    assert isinstance(alembic, dict)
    cold, warm = alembic["cold"], alembic["warm"]
    print(f"  `alembic heads` cold {cold:.3f} s, warm {warm:.3f} s; ratios: alembic cold / ours, warm / ours")

    def cell(seconds: object) -> str:
        assert isinstance(seconds, float)
        return f"{seconds:7.3f} s {cold / seconds:5.1f}x {warm / seconds:5.1f}x"

    print(f"  {'':<40} {GRAPHS[0]:>27} {GRAPHS[1]:>27}")
    for label, key in ROWS:
        print(f"  {label:<40} {cell(found[f'{key}|{GRAPHS[0]}'])} {cell(found[f'{key}|{GRAPHS[1]}'])}")
    print(f"  {'`check --no-cache` outside git':<40} {cell(found['no-cache'])}")
    imports = found["imports"]
    assert isinstance(imports, list)
    print("  imports of `check --no-cache` outside git: " + imports[0])
    print("\n".join(f"    {line}" for line in imports[1:]))
    if "syntax" in found:
        without, with_bodies = found["syntax"]  # type: ignore[misc]
        print(f"  scan_project: check_syntax=False {without:.3f} s, True {with_bodies:.3f} s "
              f"(the body parse: {with_bodies - without:.3f} s)")


def size(text: str) -> tuple[int, int]:
    revisions, _, commits = text.partition(":")
    return int(revisions), int(commits or int(revisions) * 8 // 5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=size, nargs="+", default=[(2000, 3200), (10000, 16000)],
                        help="REVISIONS:COMMITS (commits default to 1.6 per revision)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--syntax", action="store_true", help="also time the body parse in-process")
    args = parser.parse_args()
    os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    if not shutil.which("alembic", path=str(BIN)):
        raise SystemExit("install the project first: pip install -e '.[test]'")
    load = os.getloadavg()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load {load[0]:.2f} {load[1]:.2f}, "
          f"median of {args.repeat} runs, {time.strftime('%Y-%m-%d %H:%M')}")
    for revisions, commits in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            show(bench(revisions, commits, Path(folder), args.repeat, args.syntax))
    load = os.getloadavg()
    print(f"load at the end {load[0]:.2f} {load[1]:.2f}")


if __name__ == "__main__":
    main()

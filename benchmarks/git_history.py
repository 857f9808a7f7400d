"""Git history at monorepo scale: N revisions over M commits, with feature branches merged back (and
Alembic merge revisions where two branches both added revisions), application files changing in between,
a bare origin and open feature branches on it. Then the times that matter:

- full provenance (`gitfacts.provenance_for`) from an empty history cache, and again warm;
- the post-merge hook after a 30-commit `git pull` that brings a teammate's revision on the same parent as
  a local one: `gitfacts.hook_warning(ORIG_HEAD, HEAD)` in a fresh Python process, and the whole command
  the installed hook runs (`ahq-history check --hook post-merge 0`). Each pull is undone and made again
  for every timed run, so that each run reads what a real pull brings (medians of `--repeat` runs).

    python benchmarks/git_history.py --revisions 2000 --commits 3200
    python benchmarks/git_history.py --revisions 10000 --commits 16000
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import INI, revision_text

BIN = Path(sys.executable).parent
AUTHORS = [("Alice Martin", "alice"), ("Bob Stone", "bob"), ("Chen Wei", "chen"), ("Dana Cruz", "dana"),
           ("Eve Adams", "eve"), ("Farid Haddad", "farid"), ("Grace Ho", "grace"), ("Hugo Lenz", "hugo")]
VERSIONS = "migrations/versions"


@dataclass
class Branch:
    """A line of commits being written: its tip mark, its Alembic head, and the files it added."""

    mark: int
    head: str
    added: dict[str, int] = field(default_factory=dict)  # path -> blob mark
    revisions: int = 0


class Writer:
    """Writes a `git fast-import` stream: blobs and commits with marks."""

    def __init__(self, out: object, rng: random.Random) -> None:
        self.out = out
        self.rng = rng
        self.marks = 0
        self.date = datetime(2019, 1, 1)
        self.commits = 0

    def _data(self, payload: bytes) -> None:
        self.out.write(b"data %d\n" % len(payload))  # type: ignore[attr-defined]
        self.out.write(payload + b"\n")  # type: ignore[attr-defined]

    def blob(self, text: str) -> int:
        self.marks += 1
        self.out.write(b"blob\nmark :%d\n" % self.marks)  # type: ignore[attr-defined]
        self._data(text.encode())
        return self.marks

    def commit(self, ref: str, message: str, parents: list[int], files: dict[str, int],
               inline: dict[str, str] | None = None) -> int:
        self.marks += 1
        self.commits += 1
        self.date += timedelta(minutes=self.rng.randint(5, 600))
        name, login = self.rng.choice(AUTHORS)
        stamp = f"{name} <{login}@example.com> {int(self.date.timestamp())} +0000"
        head = f"commit {ref}\nmark :{self.marks}\nauthor {stamp}\ncommitter {stamp}\n"
        self.out.write(head.encode())  # type: ignore[attr-defined]
        self._data(message.encode())
        if parents:
            self.out.write(b"from :%d\n" % parents[0])  # type: ignore[attr-defined]
        for parent in parents[1:]:
            self.out.write(b"merge :%d\n" % parent)  # type: ignore[attr-defined]
        for path, mark in files.items():
            self.out.write(f"M 100644 :{mark} {path}\n".encode())  # type: ignore[attr-defined]
        for path, text in (inline or {}).items():
            self.out.write(f"M 100644 inline {path}\n".encode())  # type: ignore[attr-defined]
            self._data(text.encode())
        self.out.write(b"\n")  # type: ignore[attr-defined]
        return self.marks


class Story:
    """The history: a main line with feature branches that fork, grow, and merge back."""

    def __init__(self, writer: Writer, revisions: int, commits: int, rng: random.Random) -> None:
        self.w, self.rng = writer, rng
        self.target_revisions, self.target_commits = revisions, commits
        self.made = 0

    def revision(self, branch: Branch, parents: tuple[str, ...], message: str) -> tuple[str, int, str]:
        rid = f"{self.rng.getrandbits(48):012x}"
        text = revision_text(rid, parents, None, None, message, self.w.date, self.rng)
        path = f"{VERSIONS}/{rid}_{message.replace(' ', '_')}.py"
        self.made += 1
        branch.revisions += 1
        return rid, self.w.blob(text), path

    def work(self, branch: Branch, ref: str, label: str) -> None:
        """One commit on `branch`: a revision (as often as the targets need) and an application file."""
        files = {}
        # Merge commits write no revision of their own most of the time: aim at what is left.
        left = max(self.target_commits - self.w.commits, 1)
        if self.rng.random() < 1.15 * (self.target_revisions - self.made) / left:
            rid, mark, path = self.revision(branch, (branch.head,), f"change {self.made} {label}")
            files[path] = mark
            branch.added[path] = mark
            branch.head = rid
        app_file = f"app/{label}_{self.rng.randrange(40)}.py"
        app = {app_file: f"# {self.w.commits}\nVALUE = {self.rng.random()}\n"}
        branch.mark = self.w.commit(ref, f"{label}: work {self.w.commits}", [branch.mark], files, app)

    def merge(self, main: Branch, feature: Branch, name: str) -> None:
        files = dict(feature.added)
        message = f"Merge branch '{name}'"
        if main.head != feature.head and feature.revisions and main.revisions:
            rid, mark, path = self.revision(main, tuple(sorted((main.head, feature.head))), f"merge {name}")
            files[path] = mark
            main.head = rid
        elif feature.revisions:
            main.head = feature.head
        main.mark = self.w.commit("refs/heads/main", message, [main.mark, feature.mark], files)
        main.added.update(files)

    def run(self, open_branches: int) -> None:
        w = self.w
        base_rid, base_mark, base_path = "000000000001", 0, f"{VERSIONS}/000000000001_initial.py"
        base_mark = w.blob(revision_text(base_rid, (), None, None, "initial", w.date, self.rng))
        self.made = 1
        root = w.commit("refs/heads/main", "initial", [], {base_path: base_mark},
                        {"alembic.ini": INI, "migrations/script.py.mako": "# template\n"})
        main = Branch(mark=root, head=base_rid)
        number = 0
        reserve = open_branches * 3
        while w.commits < self.target_commits - reserve:
            number += 1
            if self.rng.random() < 0.35:
                self.feature(main, f"feature-{number}")
            else:
                main.revisions = 0
                self.work(main, "refs/heads/main", "main")
        for extra in range(open_branches):  # pushed, never merged
            feature = Branch(mark=main.mark, head=main.head)
            for _ in range(self.rng.randint(1, 3)):
                self.work(feature, f"refs/heads/open-{extra}", f"open{extra}")

    def feature(self, main: Branch, name: str) -> None:
        feature = Branch(mark=main.mark, head=main.head)
        main.revisions = 0
        for _ in range(self.rng.randint(1, 4)):
            self.work(feature, "refs/heads/topic", name.replace("-", ""))
            if self.rng.random() < 0.3:
                self.work(main, "refs/heads/main", "main")
        self.merge(main, feature, name)


def generate(origin: Path, revisions: int, commits: int, seed: int = 1, open_branches: int = 10) -> Path:
    """A bare repository at `origin` holding the story. Returns it."""
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    process = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=origin, stdin=subprocess.PIPE)
    assert process.stdin is not None
    story = Story(Writer(process.stdin, random.Random(seed)), revisions, commits, random.Random(seed + 1))
    story.run(open_branches)
    process.stdin.close()
    if process.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "update-ref", "-d", "refs/heads/topic"], cwd=origin, check=True)
    return origin


# -- timing -----------------------------------------------------------------------------------------


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def timed_python(code: str, cwd: Path) -> tuple[float, str]:
    """Wall time of a fresh interpreter running `code` (imports included), and what it printed."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return elapsed, done.stdout


PROVENANCE = """
import time
from ahq_history.config.loading import load
from ahq_history.git.facts import provenance_for
loaded = load()
start = time.perf_counter()
found = provenance_for(loaded)
print(f"{time.perf_counter() - start:.3f} {len(found.provenance)}")
"""

WARM = """
from pathlib import Path
from ahq_history.config.project import find_project
from ahq_history.git.hook import warm_cache
warm_cache(find_project(Path.cwd()))
"""

HOOK = """
from pathlib import Path
from ahq_history.config.project import find_project
from ahq_history.git.hook import hook_warning
print(hook_warning(find_project(Path.cwd()), "ORIG_HEAD", "HEAD") or "")
"""


def add_local_revision(clone: Path, parent: str, rid: str, message: str) -> None:
    from datetime import datetime as dt

    text = revision_text(rid, (parent,), None, None, message, dt(2030, 1, 1), random.Random(rid))
    (clone / VERSIONS / f"{rid}_{message.replace(' ', '_')}.py").write_text(text)


def alembic_head(clone: Path) -> str:
    from ahq_history.config.loading import load

    heads = load(start=clone).graph.heads
    return heads[-1]


def clones(folder: Path, revisions: int, commits: int) -> tuple[Path, Path]:
    """The generated origin cloned for Bob and for Alice, each with their name set."""
    started = time.perf_counter()
    origin = generate(folder / "origin.git", revisions, commits)
    count = git(origin, "rev-list", "--count", "--all").strip()
    print(f"generated {revisions} revisions over {count} commits in {time.perf_counter() - started:.1f} s")
    bob, alice = folder / "bob", folder / "alice"
    git(folder, "clone", "-q", str(origin), str(bob))
    git(folder, "clone", "-q", str(origin), str(alice))
    for clone, name in ((bob, "Bob"), (alice, "Alice")):
        git(clone, "config", "user.name", name)
        git(clone, "config", "user.email", f"{name.lower()}@example.com")
    return bob, alice


def time_provenance(clone: Path) -> None:
    cold, out = timed_python(PROVENANCE, clone)
    inside, found = out.split()
    print(f"full provenance, empty cache: {cold:.2f} s wall ({inside} s inside), {found} revisions")
    warm, out = timed_python(PROVENANCE, clone)
    print(f"full provenance, warm cache:  {warm:.2f} s wall ({out.split()[0]} s inside)")


def push_a_pull(alice: Path, parent: str) -> None:
    """Alice adds a revision on `parent`, then 29 commits of application work, and pushes them all."""
    add_local_revision(alice, parent, "a1ice0000001", "alice audit log")
    git(alice, "add", "-A")
    git(alice, "commit", "-qm", "audit log")
    for number in range(29):
        (alice / "app" / f"pull_{number}.py").parent.mkdir(exist_ok=True)
        (alice / "app" / f"pull_{number}.py").write_text(f"VALUE = {number}\n")
        git(alice, "add", "-A")
        git(alice, "commit", "-qm", f"app work {number}")
    git(alice, "push", "-q", "origin", "main")


def repeatable_pull(bob: Path, folder: Path) -> Callable[[], None]:
    """Fill Bob's history cache (as `hooks install` or the previous hook leaves it), and return the pull
    that undoes the last one first (HEAD, origin/main and the cache as they were)."""
    timed_python(WARM, bob)
    cache = bob / ".git" / "ahq-history"
    kept = folder / "warm-cache"
    shutil.copytree(cache, kept)
    before_pull = git(bob, "rev-parse", "HEAD").strip()
    remote_before = git(bob, "rev-parse", "origin/main").strip()

    def pull() -> None:
        git(bob, "reset", "-q", "--hard", before_pull)
        git(bob, "update-ref", "refs/remotes/origin/main", remote_before)
        shutil.rmtree(cache)
        shutil.copytree(kept, cache)
        git(bob, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")

    return pull


def time_hook(bob: Path, pull: Callable[[], None], repeat: int) -> None:
    functions, commands = [], []
    for _ in range(repeat):
        pull()
        elapsed, said = timed_python(HOOK, bob)
        functions.append(elapsed)
        pull()
        started = time.perf_counter()
        done = subprocess.run([str(BIN / "ahq-history"), "check", "--hook", "post-merge", "0"], cwd=bob,
                              capture_output=True, text=True)
        commands.append(time.perf_counter() - started)
        if not done.stdout.strip():
            raise SystemExit(f"the hook said nothing:\n{done.stderr}")
    brought = git(bob, "rev-list", "--count", "ORIG_HEAD..HEAD").strip()
    print(f"post-merge hook after a pull of {brought} commits: hook_warning "
          f"{statistics.median(functions):.2f} s, `ahq-history check --hook post-merge` "
          f"{statistics.median(commands):.2f} s (median of {repeat})")
    print("  " + said.strip().replace("\n", "\n  "))


def bench(revisions: int, commits: int, folder: Path, repeat: int = 5) -> None:
    bob, alice = clones(folder, revisions, commits)
    time_provenance(bob)
    parent = alembic_head(alice)
    push_a_pull(alice, parent)
    add_local_revision(bob, parent, "b0b000000001", "bob workflows")
    git(bob, "add", "-A")
    git(bob, "commit", "-qm", "workflows")
    time_hook(bob, repeatable_pull(bob, folder), repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--revisions", type=int, default=2000)
    parser.add_argument("--commits", type=int, default=3200)
    parser.add_argument("--repeat", type=int, default=5, help="timed hook runs (median shown)")
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: a temporary folder)")
    args = parser.parse_args()
    os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    if args.keep:
        shutil.rmtree(args.keep, ignore_errors=True)
        args.keep.mkdir(parents=True)
        bench(args.revisions, args.commits, args.keep, args.repeat)
        return
    with tempfile.TemporaryDirectory() as folder:
        bench(args.revisions, args.commits, Path(folder), args.repeat)


if __name__ == "__main__":
    main()

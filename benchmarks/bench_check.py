"""Time whole commands side by side: `ahq-history check --no-cache`, warm `ahq-history check`, and
`alembic heads`, on generated projects of several sizes, in the same run.

    python benchmarks/bench_check.py --sizes 2000 10000 --repeat 5
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

BIN = Path(sys.executable).parent


def timed(command: list[str], cwd: Path, repeat: int) -> float:
    """Median wall time of `repeat` runs, in seconds (one untimed run first warms the OS cache)."""
    times = []
    for attempt in range(repeat + 1):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
        if attempt:
            times.append(elapsed)
    return statistics.median(times)


def bench(size: int, repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        generate(root, size)
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)  # the cache lives under .git/
        tool = [str(BIN / "ahq-history")]
        results = {
            "alembic heads": timed([str(BIN / "alembic"), "heads"], root, repeat),
            "ahq-history check --no-cache": timed([*tool, "check", "--no-cache"], root, repeat),
        }
        subprocess.run([*tool, "check"], cwd=root, capture_output=True)  # fill the cache
        results["ahq-history check (warm cache)"] = timed([*tool, "check"], root, repeat)
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not shutil.which("alembic", path=str(BIN)):
        raise SystemExit("install the project first: pip install -e '.[test]'")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, median of {args.repeat} runs")
    for size in args.sizes:
        results = bench(size, args.repeat)
        base = results["alembic heads"]
        print(f"\n{size} revisions")
        for name, seconds in results.items():
            print(f"  {name:<32} {seconds:7.3f} s   {base / seconds:5.1f}x")


if __name__ == "__main__":
    main()

"""The real renderers of our pictures: Mermaid's own parser (npm `mermaid` under `jsdom`, in node) and
Graphviz's `dot`. Missing tools skip the test with the reason, except under `CI=true`, where .ci/run
installs them and their absence fails.

The npm packages (pinned in tests/support/mermaid/package.json) are installed once into a cache folder:
`$AHQ_NODE_CACHE`, else `.cache/node` at the top of the repository (git-ignored); .ci/run fills the same
folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent / "mermaid"
TOP = Path(__file__).resolve().parents[2]


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (.ci/run installs it)")
    pytest.skip(reason)


def node_modules() -> Path:
    """The folder holding mermaid and jsdom, installed there by npm when it is not yet."""
    cache = Path(os.environ.get("AHQ_NODE_CACHE") or TOP / ".cache" / "node")
    modules = cache / "node_modules"
    wanted = json.loads((HERE / "package.json").read_text())["dependencies"]
    if all(_installed(modules, name) == version for name, version in wanted.items()):
        return modules
    if shutil.which("node") is None or shutil.which("npm") is None:
        unavailable("node and npm are needed to run Mermaid's parser")
    cache.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(HERE / "package.json", cache / "package.json")
    done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=cache,
                          capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        unavailable(f"npm install of mermaid and jsdom failed: {done.stderr.strip()[-300:]}")
    return modules


def _installed(modules: Path, name: str) -> str | None:
    try:
        return str(json.loads((modules / name / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def mermaid_parse(modules: Path, text: str) -> dict[str, Any]:
    """What Mermaid's parser says of `text`: `ok`, and for a flowchart its node `labels` and subgraph
    `titles` as Mermaid shows them, or the parse `error`."""
    done = subprocess.run(["node", str(HERE / "parse.mjs")], input=text, capture_output=True, text=True,
                          timeout=120, check=False, env={**os.environ, "NODE_PATH": str(modules)})
    assert done.stdout, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def dot_texts(text: str) -> list[str]:
    """Graphviz's SVG rendering of DOT `text` (`dot -Tsvg`), as the lines of text it draws."""
    if shutil.which("dot") is None:
        unavailable("Graphviz's dot is not installed (apt-get install graphviz)")
    done = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True, timeout=60,
                          check=False)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    svg = ET.fromstring(done.stdout)
    return [element.text or "" for element in svg.iter("{http://www.w3.org/2000/svg}text")]

"""The ready-made CI: the composite GitHub Action (`action.yml`) and the GitLab CI job of docs/ci.md, read
from their YAML and their `run:` / `script:` lines run as the runners run them (bash, errexit), in a clone
of a bare origin checked out at a pull request's branch. The install steps are read, not run (they would
build this package from the network); `ahq-history` comes from this test's environment instead."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import yaml  # type: ignore[import-untyped]

from tests.support.gitcli import commit_all, git
from tests.support.gitstory import (
    ALICE_FILE,
    ALICE_REV,
    BASE_REV,
    BOB_FILE,
    BOB_REV,
    alice_pushes,
    make_story,
)
from tests.support.projects import add_revision

TOP = Path(__file__).parents[2]
ACTION = yaml.safe_load((TOP / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")
TOOLS = Path(sys.executable).parent  # where this environment's `ahq-history` is


def pull_request(tmp_path: Path, *, second_head: bool) -> Path:
    """Bob's pull request branch `feature`, pushed to the bare origin, checked out shallow as
    actions/checkout does. With `second_head` Alice pushed a revision to main after Bob branched, so the
    merge would leave two heads; without, Bob's revision sits on main's head."""
    story = make_story(tmp_path)
    git(story.bob, "switch", "-q", "-c", "feature")
    add_revision(story.bob, "add workflows", BOB_REV, head=BASE_REV)
    commit_all(story.bob, "workflows")
    git(story.bob, "push", "-q", "origin", "feature")
    if second_head:
        alice_pushes(story)
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{story.origin}",
        str(checkout))
    return checkout


def expressions(base_ref: str, runner_temp: Path) -> dict[str, str]:
    values = {"github.action_path": str(TOP), "github.base_ref": base_ref, "runner.temp": str(runner_temp)}
    for name, spec in ACTION["inputs"].items():
        values[f"inputs.{name}"] = substitute(str(spec.get("default", "")), values)
    return values


def substitute(text: str, values: dict[str, str]) -> str:
    return EXPRESSION.sub(lambda found: values[found[1]], text)


def runs(step: dict[str, Any], values: dict[str, str]) -> bool:
    """A step's `if:`: the Action uses only `inputs.NAME != ''`."""
    condition = step.get("if")
    if condition is None:
        return True
    found = re.fullmatch(r"(inputs\.[\w-]+) != ''", condition)
    assert found, f"an `if:` this test cannot read: {condition}"
    return values[found[1]] != ""


def bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """As a runner runs `shell: bash` (`bash --noprofile --norc -eo pipefail {0}`)."""
    path = cwd / ".." / f"step-{abs(hash(script))}.sh"
    path.write_text(script)
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)], cwd=cwd,
                          env={**os.environ, "PATH": f"{TOOLS}{os.pathsep}{os.environ['PATH']}", **env},
                          capture_output=True, text=True)


def run_action(checkout: Path, base_ref: str) -> tuple[int, list[str]]:
    """Every step of the Action but the install: the last exit code and the annotations printed."""
    values = expressions(base_ref, checkout.parent)
    code, printed = 0, []
    for step in ACTION["runs"]["steps"]:
        if step["name"] == "Install ahq-history":
            continue
        assert step["shell"] == "bash" and "${{" not in step["run"]  # expressions reach scripts as env only
        if not runs(step, values):
            continue
        env = {key: substitute(str(value), values) for key, value in step.get("env", {}).items()}
        cwd = checkout / substitute(step.get("working-directory", "."), values)
        done = bash(step["run"], cwd, env)
        assert "Traceback" not in done.stderr, done.stderr
        code = done.returncode
        printed.extend(done.stdout.splitlines())
        if code:
            break
    return code, printed


def test_the_action_installs_itself_from_its_own_folder() -> None:
    assert ACTION["runs"]["using"] == "composite"
    install = ACTION["runs"]["steps"][0]
    assert install["name"] == "Install ahq-history"
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert '-m pip install --quiet --disable-pip-version-check "$ACTION_PATH"' in install["run"]
    assert ACTION["inputs"]["base-ref"]["default"] == "${{ github.base_ref }}"


def test_the_action_fails_a_pull_request_whose_merge_adds_a_second_head(tmp_path: Path) -> None:
    checkout = pull_request(tmp_path, second_head=True)
    code, printed = run_action(checkout, "main")
    assert code == 1
    [annotation] = printed  # the branch alone has one head; the merge with main has two
    # on a head's revision file; in CI both sides are pushed, so not necessarily the pull request's own
    assert re.match(rf"::error file=({BOB_FILE}|{ALICE_FILE}),line=\d+,", annotation)
    assert "title=ahq-history%3A divergent Alembic heads::" in annotation
    assert ALICE_REV in annotation and BOB_REV in annotation
    assert git(checkout, "rev-parse", "--is-shallow-repository").strip() == "false"


def test_the_action_passes_a_pull_request_on_top_of_the_base(tmp_path: Path) -> None:
    checkout = pull_request(tmp_path, second_head=False)
    assert run_action(checkout, "main") == (0, [])


def test_on_a_push_the_action_runs_check_only(tmp_path: Path) -> None:
    checkout = pull_request(tmp_path, second_head=True)
    assert run_action(checkout, "") == (0, [])


# -- GitLab ----------------------------------------------------------------------------------------------

def gitlab_job() -> dict[str, Any]:
    text = (TOP / "docs" / "ci.md").read_text()
    section = text.split("## Ready-made: GitLab CI", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    job: dict[str, Any] = yaml.safe_load(block)["ahq-history"]
    return job


def test_the_gitlab_job_fails_a_merge_request_that_adds_a_second_head(tmp_path: Path) -> None:
    job = gitlab_job()
    assert job["variables"]["GIT_DEPTH"] == "0" and job["artifacts"]["reports"]["junit"] == "ahq-*.xml"
    assert job["before_script"][0].startswith("pip install")
    checkout = pull_request(tmp_path, second_head=True)
    git(checkout, "fetch", "-q", "--unshallow")  # GIT_DEPTH: 0 clones whole
    done = bash("\n".join(job["script"]), checkout, {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"})
    assert done.returncode == 1, done.stderr
    failures = {name: len(list(ElementTree.parse(checkout / f"ahq-{name}.xml").iter("failure")))
                for name in ("check", "against", "lint")}
    assert failures == {"check": 0, "against": 1, "lint": 0}

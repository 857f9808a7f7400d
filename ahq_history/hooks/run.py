"""What `ahq-history check --hook NAME` does: decide from git's facts whether this call of the hook has
something to look at, compute the warning, print it, and return 0 whatever happens.

Git's facts (tests/test_hook_stories.py checks each with real git):
- a pull that merges or fast-forwards (with or without `--rebase`) fires `post-merge`;
- a pull that really rebases fires `post-checkout` (flag 1) in the middle, while `rebase-merge/` or
  `rebase-apply/` exists, then `post-commit` per picked commit, and `post-rewrite rebase` at its end;
- `commit --amend` fires `post-rewrite amend`;
- a pull that stops on a conflict fires nothing; the commit that concludes the merge fires `post-commit`.

So: `post-merge` acts on ORIG_HEAD..HEAD; `post-rewrite` acts on `rebase` only; `post-commit` acts on merge
commits outside a rebase; `post-checkout` acts on branch switches (flag 1) outside a rebase. Each also
looks at the database (hooks/database.py), and may run the upgrade after a pull, outside the budget. The
hooks are an edge like cli.py: this module prints, and never lets an error out.
Each call runs within a time budget (hooks/budget.py); past it the hook says it gave up and exits 0.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ahq_history.core.display import clean, clean_lines
from ahq_history.hooks.budget import BUDGET_KEY, BUDGET_VARIABLE, Outcome, hook_budget, run_within
from ahq_history.hooks.database import Upgrade, database_warning, run_upgrade

if TYPE_CHECKING:
    from ahq_history.config.project import Project

NULL_SHA = "0" * 40
DEBUG_VARIABLE = "AHQ_HISTORY_HOOK_DEBUG"  # set to 1: say on stderr why a hook acted or stayed quiet
HOOKS = ("post-merge", "post-rewrite", "post-commit", "post-checkout")

# Under the pre-commit framework the hook's arguments arrive as environment variables.
_PRE_COMMIT_ARGS: dict[str, tuple[str, ...]] = {
    "post-merge": ("PRE_COMMIT_IS_SQUASH_MERGE",),
    "post-rewrite": ("PRE_COMMIT_REWRITE_COMMAND",),
    "post-checkout": ("PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF", "PRE_COMMIT_CHECKOUT_TYPE"),
    "post-commit": (),
}


@dataclass(frozen=True)
class HookCall:
    """One call of a hook as git made it."""

    name: str
    args: tuple[str, ...] = ()
    rewritten: tuple[tuple[str, str], ...] = ()  # post-rewrite's stdin: (old, new) commit pairs


@dataclass(frozen=True)
class RepoState:
    """The few facts about the repository that decide whether a hook call acts."""

    top: Path
    head: str | None
    head_parents: tuple[str, ...]
    orig_head: str | None
    rebase_in_progress: bool


@dataclass(frozen=True)
class Act:
    """Look at what moved from `old` to `new` (`new` None: the work tree, after `merge --squash`)."""

    event: str  # "pull", "rebase", "merge commit", "branch switch"
    old: str
    new: str | None
    divergence: bool = True  # look for heads the change brought
    database: bool = True  # compare the database with the checkout (behind: say so)


@dataclass(frozen=True)
class Skip:
    reason: str


def decide(call: HookCall, state: RepoState) -> Act | Skip:
    """Whether this hook call has something to look at (pure: the rules of the module docstring)."""
    if call.name == "post-merge":
        return _post_merge(call, state)
    if call.name == "post-rewrite":
        return _post_rewrite(call, state)
    if call.name == "post-commit":
        return _post_commit(state)
    if call.name == "post-checkout":
        return _post_checkout(call, state)
    return Skip(f"unknown hook {call.name!r}")


def _post_merge(call: HookCall, state: RepoState) -> Act | Skip:
    if state.head is None:
        return Skip("no HEAD")
    if call.args[:1] == ("1",):  # merge --squash: nothing committed, the work tree holds what came
        return Act("pull", state.head, None)
    if state.orig_head is None or state.orig_head == state.head:
        return Skip("HEAD did not move")
    return Act("pull", state.orig_head, state.head)


def _post_rewrite(call: HookCall, state: RepoState) -> Act | Skip:
    command = call.args[0] if call.args else ""
    if command != "rebase":
        return Skip(f"post-rewrite {command or '(no command)'}: only a rebase brings other commits")
    old = state.orig_head or (call.rewritten[-1][0] if call.rewritten else None)
    if state.head is None or old is None:
        return Skip("no ORIG_HEAD to compare with")
    if old == state.head:
        return Skip("HEAD did not move")
    return Act("rebase", old, state.head)


def _post_commit(state: RepoState) -> Act | Skip:
    if state.rebase_in_progress:
        return Skip("rebase in progress: post-rewrite will look at the result")
    if len(state.head_parents) < 2 or state.head is None:
        return Skip("not a merge commit")
    return Act("merge commit", state.head_parents[0], state.head)


def _post_checkout(call: HookCall, state: RepoState) -> Act | Skip:
    if len(call.args) < 3 or call.args[2] != "1":
        return Skip("file checkout, not a branch switch")
    if state.rebase_in_progress:
        return Skip("rebase in progress: post-rewrite will look at the result")
    old, new = call.args[0], call.args[1]
    if old == NULL_SHA:
        return Skip("new clone or worktree")
    if old == new:
        return Skip("same commit")
    return Act("branch switch", old, new, divergence=False, database=True)


# --- reading the call and the repository ------------------------------------------------------------------


def read_call(name: str, args: Sequence[str], stdin: TextIO | None, environ: Mapping[str, str]) -> HookCall:
    """The hook call from git's arguments (or pre-commit's variables) and post-rewrite's stdin."""
    arguments = tuple(args)
    if not arguments and environ.get("PRE_COMMIT") == "1":
        arguments = tuple(environ[v] for v in _PRE_COMMIT_ARGS.get(name, ()) if environ.get(v))
    pairs: list[tuple[str, str]] = []
    if name == "post-rewrite" and stdin is not None and not stdin.isatty():
        for line in stdin.read().splitlines():
            words = line.split()
            if len(words) >= 2:
                pairs.append((words[0], words[1]))
    return HookCall(name, arguments, tuple(pairs))


def _git(top: Path, *args: str) -> str | None:
    """git's answer, or None when git says no (or there is no git at all: then the hooks stay quiet)."""
    try:
        done = subprocess.run(["git", *args], cwd=top, capture_output=True, text=True, check=False)
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def read_state(start: Path) -> RepoState | None:
    """HEAD, its parents, ORIG_HEAD and whether a rebase is under way; None outside a work tree."""
    paths = _git(start, "rev-parse", "--show-toplevel", "--git-path", "rebase-merge",
                 "--git-path", "rebase-apply")
    if paths is None or len(paths.splitlines()) != 3:
        return None
    top, merge_dir, apply_dir = paths.splitlines()
    rebasing = (start / merge_dir).is_dir() or (start / apply_dir).is_dir()
    commits = (_git(start, "rev-list", "--parents", "-n", "1", "HEAD") or "").split()
    head, parents = (commits[0], commits[1:]) if commits else (None, [])
    orig = _git(start, "rev-parse", "--verify", "--quiet", "ORIG_HEAD^{commit}")
    return RepoState(Path(top), head, tuple(parents), orig or None, rebasing)


# --- the warning ----------------------------------------------------------------------------------------


def warning_for(act: Act, top: Path, config: str | None, upgrades: list[Upgrade] | None = None) -> str | None:
    """What to tell the person after this change, or None when there is nothing to say. With several
    projects, each one's warning in turn, its lines naming its configuration."""
    parts = []
    for shown, project in _projects(top, config):
        text = _project_warning(act, top, project, upgrades)
        if text and shown is not None:
            text = named(text, shown)
        parts.append(text)
    return "\n".join(p for p in parts if p) or None


def _project_warning(act: Act, top: Path, project: Project, upgrades: list[Upgrade] | None) -> str | None:
    if not _revision_files_changed(act, top, project):
        return None
    parts = []
    if act.divergence:
        parts.append(_divergence_warning(act, project))
    if act.database:
        parts.append(database_warning(project, act.event, upgrades))
    return "\n".join(p for p in parts if p) or None


def _projects(top: Path, config: str | None) -> list[tuple[str | None, Project]]:
    """The projects the hooks look after: the one found (named None), none when this checkout has
    none, and when there are several, those `[tool.ahq-history] projects` lists, else every one git lists
    (named by their configuration, relative to the top). A configuration that cannot be read is left to
    `ahq-history check --all`, which names it."""
    from ahq_history.config.covered import every_project, listed_projects
    from ahq_history.config.discover import SeveralProjects
    from ahq_history.config.project import find_project
    from ahq_history.core.errors import ConfigError

    try:
        return [(None, find_project(start=top, config=Path(config) if config else None))]
    except SeveralProjects:
        if config is not None:
            raise
        covered = listed_projects(top) or every_project(top)
        return [(shown, project) for shown, project in covered.projects]
    except ConfigError as error:
        if config is None and error.message.startswith("no Alembic project found"):
            return []
        raise


def named(text: str, config: str) -> str:
    """A project's warning among several: each `ahq-history:` line names its configuration, and each
    `run: ahq-history ...` command takes `-c CONFIG` (the hook runs at the top, as the person does)."""
    from ahq_history.core.shell import command_line

    option = command_line(("-c", config))
    lines = []
    for line in text.splitlines():
        if line.startswith("ahq-history: "):
            line = f"ahq-history: {clean(config)}: {line.removeprefix('ahq-history: ')}"
        lines.append(line.replace("run: ahq-history ", f"run: ahq-history {option} ", 1))
    return "\n".join(lines)


def _revision_files_changed(act: Act, top: Path, project: Project) -> bool:
    """Did the change touch a revision file? One tree comparison, so a pull without one costs nothing."""
    paths = [os.path.relpath(location, top) for location in project.version_locations]
    span = [act.old] if act.new is None else [act.old, act.new]
    changed = _git(top, "diff", "--name-only", "--no-renames", *span, "--", *paths)
    return changed is None or bool(changed)  # when git cannot tell, look


def _divergence_warning(act: Act, project: Project) -> str | None:
    """Each divergent head, who brought it and from where, and the command (gitfacts.hook_warning)."""
    if act.new is None:  # merge --squash: what came is in the work tree, not in a commit
        return _work_tree_warning(str(project.config_path))
    from ahq_history.core.errors import AhqError
    from ahq_history.git.hook import hook_warning

    try:
        return hook_warning(project, act.old, act.new)
    except AhqError:  # a repository git cannot read: `ahq-history check` will say why
        return None


def _work_tree_warning(config: str | None) -> str | None:
    from ahq_history.report.check import check_report

    report = check_report(config)
    if not report.get("diverged"):
        return None
    heads = report["heads"]
    lines = [f"ahq-history: {len(heads)} migration heads in the work tree:"]
    lines.extend(f"  {h['revision'][:12]}  {h['message']}" for h in heads)
    for divergence in report["divergences"]:  # the advisor's answer, as `check` computed it
        if divergence.get("reason"):
            lines.append(f"  {divergence['reason']}")
    lines.append(f"  run: {report['next']}")
    return clean_lines(lines)


# --- the entry point --------------------------------------------------------------------------------------


def run_hook(
    name: str,
    args: Sequence[str],
    *,
    config: str | None = None,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
    start: Path | None = None,
    exit_if_stuck: bool = False,
) -> int:
    """Run hook `name` with git's `args` within its budget (hooks/budget.py); print the warning, if any, on
    `out`. Always returns 0. Past the budget it says it gave up; with `exit_if_stuck` (the real hook
    process) it then ends the process at once, since the abandoned work may hold a lock that Python's
    normal exit would wait for."""
    out = out or sys.stdout
    err = err or sys.stderr
    env = os.environ if environ is None else environ
    debug = env.get(DEBUG_VARIABLE, "") not in ("", "0")
    outcome: Outcome[str | None] = Outcome()
    upgrades: list[Upgrade] = []  # filled by the work, run after the warning: outside the budget
    try:
        where = start or Path.cwd()  # the folder git ran the hook in may be gone
        budget = hook_budget(env, where, lambda text: print(clean(text), file=err, flush=True))
        outcome = run_within(lambda: _run(name, args, config, stdin if stdin is not None else sys.stdin,
                                          env, where, err, debug, upgrades), budget)
        _say(name, outcome, budget, out, err)
        if outcome.done and upgrades:
            run_upgrade(upgrades[0], err)
    except BaseException as error:  # a hook never fails git, whatever went wrong
        _report_failure(name, error, err)
    if exit_if_stuck and not outcome.done:
        _flush(out, err)
        os._exit(0)
    return 0


def _say(name: str, outcome: Outcome[str | None], budget: float, out: TextIO, err: TextIO) -> None:
    """The warning, the failure, or that the budget ran out."""
    if not outcome.done:
        print(f"ahq-history ({name} hook): gave up after {budget:g} s; run `ahq-history check` for the "
              f"full answer (budget: {BUDGET_VARIABLE} or git config {BUDGET_KEY})", file=err, flush=True)
    elif outcome.error is not None:
        _report_failure(name, outcome.error, err)
    elif outcome.value:  # text from revision files and git, cleaned of escapes once more as it leaves
        print(clean(outcome.value, multiline=True), file=out, flush=True)


def _flush(*streams: TextIO) -> None:
    for stream in streams:
        try:
            stream.flush()
        except Exception:  # a closed stream: nothing more to say
            continue


def _run(name: str, args: Sequence[str], config: str | None, stdin: TextIO, env: Mapping[str, str],
         start: Path | None, err: TextIO, debug: bool, upgrades: list[Upgrade]) -> str | None:
    call = read_call(name, args, stdin, env)
    state = read_state(start or Path.cwd())
    if state is not None:  # an interrupted write: said (on stderr, by run_hook) whatever git just did
        from ahq_history.config.pending import refuse_unfinished

        refuse_unfinished(state.top)
    decision = Skip("not inside a git work tree") if state is None else decide(call, state)
    if debug:
        verdict = (f"acts on {decision.event} {decision.old[:10]}..{(decision.new or 'work tree')[:10]}"
                   if isinstance(decision, Act) else f"skipped ({decision.reason})")
        print(f"ahq-history: {name} hook {verdict}", file=err, flush=True)
    if isinstance(decision, Skip) or state is None:
        return None
    warning = warning_for(decision, state.top, config, upgrades)
    return "\n" + warning if warning and opens_fresh_line(decision) else warning


def opens_fresh_line(act: Act) -> bool:
    """Whether the warning must start with a newline: a rebase leaves its progress line open
    (`Rebasing (1/1)\r`, no newline), and post-rewrite runs right after it."""
    return act.event == "rebase"


def _report_failure(name: str, error: BaseException, err: TextIO) -> None:
    """One line for the person at the terminal; a hook's failure is never git's."""
    from ahq_history.core.errors import AhqError

    if isinstance(error, KeyboardInterrupt | SystemExit):
        return
    try:
        if isinstance(error, AhqError):
            hint = f" ({error.hint})" if error.hint else ""
            print(clean(f"ahq-history ({name} hook): {error.message}{hint}", multiline=True), file=err,
                  flush=True)
        else:
            print(clean(f"ahq-history ({name} hook) failed: {type(error).__name__}: {error}; "
                        "run `ahq-history check` to see the history", multiline=True), file=err, flush=True)
    except Exception:  # stderr itself may be gone
        return

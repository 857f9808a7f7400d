"""The blocking gates, what `check --hook pre-commit` and `check --hook pre-push` do: refuse a commit or a
push that adds a divergent Alembic head or breaks the revision graph (verdict.py), saying how to bypass.

- `pre-commit` judges the staged tree (the index), against HEAD's tree: what the commit would record,
  not what the work tree holds.
- `pre-push` judges, for each ref pushed (git's stdin: `<local ref> <local sha> <remote ref> <remote
  sha>`), the pushed commit's tree, against the remote's current commit when this clone has it. After the
  push the remote ref points at the pushed commit (git refuses a push that is not a fast-forward unless
  it is forced, and a forced push replaces the ref), so that tree is exactly what the remote will hold;
  a fast-forward carries the remote's history in it. A deleted ref is not judged. Under the pre-commit
  framework the push comes as `PRE_COMMIT_FROM_REF`/`PRE_COMMIT_TO_REF` (also set by `pre-commit run
  --from-ref A --to-ref B`), judged the same way.

Exit codes (git stops on anything but 0): 0 passes; 1 adds a divergent head; 3 breaks the graph; 2 could
not judge (a configuration git or the repository cannot answer, or the time budget ran out). A gate never
passes what it did not judge. The budget is `AHQ_GATE_BUDGET`, else `git config ahq-history.gate-budget`,
else 20 seconds (budget.py). A repository with no Alembic project passes quietly: there is nothing to guard.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ahq_history.core.display import clean_lines
from ahq_history.core.errors import EXIT_BROKEN, EXIT_NEGATIVE, EXIT_OK, EXIT_USAGE
from ahq_history.hooks.budget import Outcome, hook_budget, run_within
from ahq_history.hooks.verdict import Verdict, bypass_line, judge

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.config.project import Project
    from ahq_history.git.place import Place

GATE_BUDGET_VARIABLE = "AHQ_GATE_BUDGET"
GATE_BUDGET_KEY = "ahq-history.gate-budget"
DEFAULT_GATE_BUDGET = 20.0  # seconds: longer than a warning hook's, since git waits for the answer anyway
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class Update:
    """One ref a push updates, as git's pre-push hook reads it."""

    local_ref: str
    local_sha: str
    remote_ref: str
    remote_sha: str

    @property
    def deletes(self) -> bool:
        return not self.local_sha.strip("0")

    @property
    def creates(self) -> bool:
        return not self.remote_sha.strip("0")


def pushed_updates(text: str) -> list[Update]:
    """The refs a push updates, from pre-push's stdin (lines of four words; anything else is skipped)."""
    updates = []
    for line in text.splitlines():
        words = line.split()
        if len(words) == 4:
            updates.append(Update(*words))
    return updates


def framework_update(env: Mapping[str, str]) -> Update | None:
    """The push the pre-commit framework describes in its variables, or None (a commit, not a push)."""
    to_ref = env.get("PRE_COMMIT_TO_REF", "")
    if not to_ref:
        return None
    remote = env.get("PRE_COMMIT_REMOTE_BRANCH", "") or "the pushed ref"
    return Update(env.get("PRE_COMMIT_LOCAL_BRANCH", "") or to_ref, to_ref, remote,
                  env.get("PRE_COMMIT_FROM_REF", "") or "0" * 40)


# --- judging -------------------------------------------------------------------------------------------


def _project(start: Path, config: str | None) -> Project | None:
    """The project the gate guards; None when the repository has none (and no `-c` was given)."""
    from ahq_history.config.project import find_project
    from ahq_history.core.errors import ConfigError

    try:
        return find_project(start=start, config=Path(config) if config else None)
    except ConfigError as error:
        if config is None and error.message.startswith("no Alembic project found"):
            return None
        raise


def _judge(name: str, args: Sequence[str], config: str | None, stdin: TextIO, env: Mapping[str, str],
           start: Path) -> Verdict:
    from ahq_history.git.place import open_place

    # pre-push's stdin is read first, whatever happens: git waits for the hook to take it.
    updates = pushed_updates(stdin.read()) if name == "pre-push" else []
    framework = framework_update(env) if name == "pre-commit" else None
    project = _project(start, config)
    if project is None:
        return Verdict(EXIT_OK)
    place = open_place(project)
    try:
        if framework is not None:
            return _judge_push(place, project, [framework], "pre-push", None)
        if name == "pre-push":
            return _judge_push(place, project, updates, name, args[0] if args else None)
        return _judge_commit(place, project)
    finally:
        place.repo.close()


def _judge_commit(place: Place, project: Project) -> Verdict:
    from ahq_history.git.repo import head_commit, resolve_commit
    from ahq_history.git.staged import commit_blobs, index_blobs, loaded_from_blobs

    head = head_commit(place.repo)
    before = loaded_from_blobs(place, project, commit_blobs(place, head)) if head else None
    after = loaded_from_blobs(place, project, index_blobs(place))
    upstream = resolve_commit(place.repo, "@{upstream}")  # what is published, for the advice
    published = _ids(loaded_from_blobs(place, project, commit_blobs(place, upstream))) if upstream else None
    return judge("pre-commit", before, after, "the staged revision files", published)


def _judge_push(place: Place, project: Project, updates: Sequence[Update], gate: str,
                remote: str | None) -> Verdict:
    from ahq_history.git.staged import commit_blobs, has_commit, loaded_from_blobs

    verdicts = []
    for update in updates:
        if update.deletes:
            continue
        known = not update.creates and has_commit(place, update.remote_sha)
        before = loaded_from_blobs(place, project, commit_blobs(place, update.remote_sha)) if known else None
        after = loaded_from_blobs(place, project, commit_blobs(place, update.local_sha))
        branch = update.remote_ref.removeprefix("refs/heads/")
        where = f"{remote} {branch}" if remote else branch
        what = f"the revision files {where} would hold ({update.local_sha[:10]})"
        verdicts.append(judge(gate, before, after, what, _ids(before) if before is not None else None))
    return _worst(verdicts)


def _ids(loaded: Loaded) -> frozenset[str]:
    return frozenset(revision.id for revision in loaded.scan.revisions)


def _worst(verdicts: Sequence[Verdict]) -> Verdict:
    """One verdict for several refs: a broken graph wins over a divergence, which wins over a pass."""
    for code in (EXIT_BROKEN, EXIT_NEGATIVE):
        found = [v for v in verdicts if v.code == code]
        if found:
            return Verdict(code, tuple(line for v in found for line in v.lines))
    return Verdict(EXIT_OK)


# --- the entry point -----------------------------------------------------------------------------------


def run_gate(
    name: str,
    args: Sequence[str],
    *,
    config: str | None = None,
    stdin: TextIO | None = None,
    err: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
    start: Path | None = None,
    exit_if_stuck: bool = False,
) -> int:
    """Run gate `name` ("pre-commit" or "pre-push") with git's `args` within its budget; say why it
    refuses on `err`; return the exit code (module docstring). With `exit_if_stuck` (the real hook
    process) a budget that ran out ends the process at once: the abandoned work may hold a lock."""
    err = err or sys.stderr
    env = os.environ if environ is None else environ
    where = start or Path.cwd()
    outcome: Outcome[Verdict] = Outcome()
    try:
        budget = hook_budget(env, where, lambda text: _print(err, [text]), variable=GATE_BUDGET_VARIABLE,
                             key=GATE_BUDGET_KEY, default=DEFAULT_GATE_BUDGET)
        source = stdin if stdin is not None else sys.stdin
        outcome = run_within(lambda: _judge(name, args, config, source, env, where), budget)
        code = _say(name, outcome, budget, err)
    except BaseException as error:  # a gate says what went wrong in one line, never a traceback
        code = _failed(name, error, err)
    if exit_if_stuck and not outcome.done:
        _flush(err)
        os._exit(code)
    return code


def _say(name: str, outcome: Outcome[Verdict], budget: float, err: TextIO) -> int:
    if not outcome.done:
        _print(err, [f"ahq-history ({name} gate): gave up after {budget:g} s without an answer, so git stops "
                     f"here; run `ahq-history check` (budget: {GATE_BUDGET_VARIABLE} or git config "
                     f"{GATE_BUDGET_KEY})", bypass_line(name)])
        return EXIT_USAGE
    if outcome.error is not None:
        return _failed(name, outcome.error, err)
    verdict = outcome.value or Verdict(EXIT_OK)
    if verdict.lines:
        _print(err, list(verdict.lines))
    return verdict.code


def _failed(name: str, error: BaseException, err: TextIO) -> int:
    """What a gate that could not judge says; it refuses (a gate never passes what it did not judge)."""
    from ahq_history.core.errors import AhqError

    if isinstance(error, KeyboardInterrupt):
        _print(err, [f"ahq-history ({name} gate): interrupted"])
        return EXIT_INTERRUPTED
    if isinstance(error, AhqError):
        hint = f" ({error.hint})" if error.hint else ""
        first = f"ahq-history ({name} gate): {error.message}{hint}"
        code = error.exit_code if error.exit_code != EXIT_OK else EXIT_USAGE
    else:
        first = (f"ahq-history ({name} gate) failed: {type(error).__name__}: {error}; run `ahq-history "
                 "check` to see the history")
        code = EXIT_USAGE
    _print(err, [first, "  nothing was judged, so git stops here", bypass_line(name)])
    return code


def _print(err: TextIO, lines: list[str]) -> None:
    try:
        print(clean_lines(lines), file=err, flush=True)
    except Exception:  # stderr itself may be gone
        return


def _flush(stream: TextIO) -> None:
    try:
        stream.flush()
    except Exception:  # a closed stream: nothing more to say
        return

"""Which hook call acts (the pure rules of hookrun.decide), and `check --hook` always exiting 0."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ahq_history.core.errors import ConfigError
from ahq_history.hooks import run as hookrun
from ahq_history.hooks.run import NULL_SHA, Act, HookCall, RepoState, Skip, decide, read_call, run_hook

OLD, NEW, OTHER = "1" * 40, "2" * 40, "3" * 40


def _state(*, head: str | None = NEW, parents: tuple[str, ...] = (OLD,), orig: str | None = OLD,
           rebasing: bool = False) -> RepoState:
    return RepoState(top=Path("/repo"), head=head, head_parents=parents, orig_head=orig,
                     rebase_in_progress=rebasing)


def test_post_merge_acts_on_orig_head_to_head() -> None:
    assert decide(HookCall("post-merge", ("0",)), _state()) == Act("pull", OLD, NEW)


def test_post_merge_squash_looks_at_the_work_tree() -> None:
    assert decide(HookCall("post-merge", ("1",)), _state()) == Act("pull", NEW, None)


def test_post_merge_without_orig_head_stays_quiet() -> None:
    assert decide(HookCall("post-merge", ("0",)), _state(orig=None)) == Skip("HEAD did not move")


def test_post_rewrite_rebase_acts_from_orig_head() -> None:
    call = HookCall("post-rewrite", ("rebase",), ((OTHER, NEW),))
    assert decide(call, _state()) == Act("rebase", OLD, NEW)


def test_post_rewrite_rebase_without_orig_head_uses_the_last_rewritten_commit() -> None:
    call = HookCall("post-rewrite", ("rebase",), ((OLD, "4" * 40), (OTHER, NEW)))
    assert decide(call, _state(orig=None)) == Act("rebase", OTHER, NEW)


def test_post_rewrite_amend_is_ignored() -> None:
    assert decide(HookCall("post-rewrite", ("amend",)), _state()) == Skip(
        "post-rewrite amend: only a rebase brings other commits")


def test_post_commit_acts_on_a_merge_commit() -> None:
    assert decide(HookCall("post-commit"), _state(parents=(OLD, OTHER))) == Act("merge commit", OLD, NEW)


def test_post_commit_ignores_an_ordinary_commit() -> None:
    assert decide(HookCall("post-commit"), _state()) == Skip("not a merge commit")


def test_post_commit_ignores_a_merge_commit_made_by_a_rebase() -> None:
    assert isinstance(decide(HookCall("post-commit"), _state(parents=(OLD, OTHER), rebasing=True)), Skip)


def test_post_checkout_acts_on_a_branch_switch_with_the_database() -> None:
    assert decide(HookCall("post-checkout", (OLD, NEW, "1")), _state()) == Act(
        "branch switch", OLD, NEW, divergence=False, database=True)


def test_post_checkout_ignores_a_file_checkout() -> None:
    assert decide(HookCall("post-checkout", (OLD, NEW, "0")), _state()) == Skip(
        "file checkout, not a branch switch")


def test_post_checkout_ignores_the_checkout_inside_a_rebase() -> None:
    assert decide(HookCall("post-checkout", (OLD, NEW, "1")), _state(rebasing=True)) == Skip(
        "rebase in progress: post-rewrite will look at the result")


def test_post_checkout_ignores_a_new_clone_and_a_new_branch_on_the_same_commit() -> None:
    assert decide(HookCall("post-checkout", (NULL_SHA, NEW, "1")), _state()) == Skip("new clone or worktree")
    assert decide(HookCall("post-checkout", (NEW, NEW, "1")), _state()) == Skip("same commit")


def test_read_call_takes_pre_commit_variables_when_git_gave_no_arguments() -> None:
    env = {"PRE_COMMIT": "1", "PRE_COMMIT_FROM_REF": OLD, "PRE_COMMIT_TO_REF": NEW,
           "PRE_COMMIT_CHECKOUT_TYPE": "1"}
    assert read_call("post-checkout", [], None, env) == HookCall("post-checkout", (OLD, NEW, "1"))


def test_read_call_reads_post_rewrite_pairs_from_stdin() -> None:
    stdin = io.StringIO(f"{OLD} {NEW}\n{OTHER} {NEW} extra\n")
    assert read_call("post-rewrite", ["rebase"], stdin, {}).rewritten == ((OLD, NEW), (OTHER, NEW))


def test_run_hook_returns_0_and_says_one_line_when_the_warning_fails(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def broken(*_args: object) -> str:
        raise ValueError("cache damaged")

    monkeypatch.setattr(hookrun, "read_state", lambda _start: _state())
    monkeypatch.setattr(hookrun, "warning_for", broken)
    out, err = io.StringIO(), io.StringIO()
    assert run_hook("post-merge", ["0"], stdin=io.StringIO(), out=out, err=err, environ={}) == 0
    assert out.getvalue() == ""
    assert err.getvalue() == ("ahq-history (post-merge hook) failed: ValueError: cache damaged; "
                              "run `ahq-history check` to see the history\n")


def test_run_hook_says_an_ahq_error_with_its_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_args: object) -> str:
        raise ConfigError("alembic.ini:3: bad value", "fix it")

    monkeypatch.setattr(hookrun, "read_state", lambda _start: _state())
    monkeypatch.setattr(hookrun, "warning_for", refused)
    err = io.StringIO()
    assert run_hook("post-merge", ["0"], stdin=io.StringIO(), out=io.StringIO(), err=err, environ={}) == 0
    assert err.getvalue() == "ahq-history (post-merge hook): alembic.ini:3: bad value (fix it)\n"


def test_run_hook_returns_0_on_keyboard_interrupt(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(_start: Path) -> RepoState:
        raise KeyboardInterrupt

    monkeypatch.setattr(hookrun, "read_state", interrupted)
    assert run_hook("post-merge", ["0"], stdin=io.StringIO(), out=io.StringIO(), err=io.StringIO(),
                    environ={}) == 0


def test_run_hook_without_git_on_path_stays_quiet(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    out, err = io.StringIO(), io.StringIO()
    assert run_hook("post-merge", ["0"], stdin=io.StringIO(), out=out, err=err, environ={},
                    start=tmp_path) == 0
    assert (out.getvalue(), err.getvalue()) == ("", "")


def test_a_rebase_warning_starts_on_a_fresh_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hookrun, "read_state", lambda _start: _state())
    monkeypatch.setattr(hookrun, "warning_for", lambda *_args: "ahq-history: 2 migration heads")
    out = io.StringIO()
    assert run_hook("post-rewrite", ["rebase"], stdin=io.StringIO(""), out=out, err=io.StringIO(),
                    environ={}) == 0
    assert out.getvalue() == "\nahq-history: 2 migration heads\n"  # git's `Rebasing (1/1)\r` is still open


def test_a_pull_warning_starts_where_git_left_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hookrun, "read_state", lambda _start: _state())
    monkeypatch.setattr(hookrun, "warning_for", lambda *_args: "ahq-history: 2 migration heads")
    out = io.StringIO()
    assert run_hook("post-merge", ["0"], stdin=io.StringIO(), out=out, err=io.StringIO(), environ={}) == 0
    assert out.getvalue() == "ahq-history: 2 migration heads\n"  # a merge ends its lines: no blank line

"""The one advisor, tried the way a user takes its word: in every state of the story matrix (diverged or
not, Bob's revision local or pushed, applied or not or applied where the tool cannot see, the sides
conflicting or not), every command that `check`, `status` and the post-merge hook print is run, in order,
in a fresh copy of Bob's clone, and none is refused: `ahq-history` exits 0, Alembic upgrades."""

from __future__ import annotations

import builtins
import shlex
import shutil
from pathlib import Path

import pytest

from ahq_history.cli.commands import merge_heads
from tests.support.advicestory import State, build, point_at_own_database, states
from tests.support.clirun import run_main
from tests.support.dbstory import alembic_cli
from tests.support.mergeproject import alembic_init, new_revision, set_option

Cap = pytest.CaptureFixture[str]
PHONE = "the sides conflict: both sides add column users.phone"


def advised(text: str) -> list[tuple[tuple[str, ...], ...]]:
    """Each command sequence a face printed: `run: A` then its `then: B`; `Next: A ; B` (or `A && B`)."""
    found: list[list[tuple[str, ...]]] = []
    for line in (raw.strip() for raw in text.splitlines()):
        kind, _, rest = line.partition(": ")
        if kind == "run":
            found.append([tuple(shlex.split(rest))])
        elif kind == "then" and found:
            found[-1].append(tuple(shlex.split(rest)))
        elif kind == "Next":
            found.append([tuple(shlex.split(part)) for part in rest.replace(" && ", " ; ").split(" ; ")])
    return [tuple(sequence) for sequence in found]


def _faces(bob: Path, state: State, capsys: Cap, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """What check and status print in Bob's clone (status only where it can name the database)."""
    monkeypatch.chdir(bob)
    said = {"check": run_main(capsys, "check")[1]}
    code, out, err = run_main(capsys, "status")
    if state.applied == "unknown":
        assert code == 2 and "cannot tell which database the migrations run against" in err
    else:
        said["status"] = out
    return said


def _run(sequence: tuple[tuple[str, ...], ...], source: Path, copy: Path, state: State, capsys: Cap,
         monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(source, copy, symlinks=True)
    point_at_own_database(copy)
    url = state.database_url(copy)
    if url:
        monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(copy)
    for argv in sequence:
        if argv[0] == "ahq-history":
            code, out, err = run_main(capsys, *argv[1:])
            assert code == 0, f"{shlex.join(argv)} was refused ({code}):\n{out}{err}"
        elif argv[0] == "alembic":
            alembic_cli(copy, *argv[1:])  # fails the test when Alembic refuses
        else:
            pytest.fail(f"unexpected advice: {shlex.join(argv)}")


@pytest.mark.parametrize("state", states(), ids=lambda s: s.name)
def test_every_advised_command_runs_without_refusal(state: State, tmp_path: Path, capsys: Cap,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    bob, hook = build(tmp_path / "story", state)
    url = state.database_url(bob)
    if url:
        monkeypatch.setenv("DATABASE_URL", url)
    said = {**_faces(bob, state, capsys, monkeypatch), "hook": hook}
    monkeypatch.setattr(merge_heads, "interactive", lambda: True)  # the advice is run as typed: it asks
    monkeypatch.setattr(builtins, "input", lambda _prompt="": "y")
    sequences = list(dict.fromkeys(seq for text in said.values() for seq in advised(text)))
    assert sequences, said
    if state.conflict:
        assert all(PHONE in text for text in said.values()), said
    if state.applied != "not" or state.published or state.conflict:
        assert not any("--rebase" in argv for seq in sequences for argv in seq), sequences
    elif state.diverged:  # the one state where a re-parent is safe: status, which read the database, says so
        assert ("ahq-history", "merge-heads", "--rebase") in advised(said["status"])[0]
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for number, sequence in enumerate(sequences):
        with monkeypatch.context() as scoped:
            _run(sequence, bob, tmp_path / f"copy{number}" / "bob", state, capsys, scoped)


def test_labelled_heads_are_upgraded_with_heads_which_alembic_accepts(
        tmp_path: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch) -> None:
    root = alembic_init(tmp_path / "proj")
    new_revision(root, "core base", "c0de00000001", table="core")
    new_revision(root, "audit base", "a0d100000001", head="base", branch_label="audit", table="audit")
    set_option(root, f"sqlalchemy.url = sqlite:///{root / 'app.db'}")
    monkeypatch.chdir(root)
    sequences = advised(run_main(capsys, "check")[1]) + advised(run_main(capsys, "status")[1])
    assert set(sequences) == {(("alembic", "upgrade", "heads"),)}  # never `upgrade head`: Alembic refuses it
    alembic_cli(root, "upgrade", "heads")
    assert run_main(capsys, "status")[0] == 0

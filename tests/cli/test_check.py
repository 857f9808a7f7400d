"""`ahq-history check` and `heads` on real projects made by `alembic init` and `alembic revision`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ahq_history.cli.main import main
from tests.support.clirun import check_json, run_main
from tests.support.projects import add_revision, alembic_project, forked_revisions, linear_revisions


def check(root: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code, out, _err = run_main(capsys, "-c", str(root / "alembic.ini"), "check", *args)
    return code, out


@pytest.fixture
def linear(tmp_path: Path) -> Path:
    root = alembic_project(tmp_path / "proj")
    return linear_revisions(root)


@pytest.fixture
def forked(linear: Path) -> Path:
    return forked_revisions(linear)


def test_linear_history_is_fine(linear: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = check_json(linear, capsys)
    assert code == 0
    assert report["revisions"] == 2
    assert [h["revision"] for h in report["heads"]] == ["aaaa00000002"]
    assert report["heads"][0]["message"] == "add users phone"
    assert report["heads"][0]["path"] == "migrations/versions/aaaa00000002_add_users_phone.py"
    assert (report["bases"], report["diverged"], report["divergences"]) == (["aaaa00000001"], False, [])
    assert report["next"] == "alembic upgrade head"


def test_divergence_exits_1_with_fork_and_sides(forked: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = check_json(forked, capsys)
    assert code == 1
    (divergence,) = report["divergences"]
    assert divergence["forks"] == ["aaaa00000002"]
    assert {s["head"]: s["revisions"] for s in divergence["sides"]} == {
        "bbbb00000001": ["bbbb00000001"], "cccc00000002": ["cccc00000002", "cccc00000001"]}
    assert report["branchpoints"] == ["aaaa00000002"]


def test_divergence_text_names_heads_fork_and_next_step(forked: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(forked, capsys=capsys)
    assert code == 1
    assert "  head bbbb00000001  add audit log" in out
    assert "Divergence 1: 2 heads since aaaa00000002" in out
    assert "  side cccc00000002 (2 revisions): add workflow runs" in out
    assert out.rstrip().endswith("Next: ahq-history merge-heads")


def test_dangling_parent_exits_3_naming_file_and_missing_id(linear: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = add_revision(linear, "orphan", "dddd00000001")
    path.write_text(path.read_text().replace("'aaaa00000002'", "'ffff99999999'"))
    code, report = check_json(linear, capsys)
    assert code == 3
    (problem,) = report["problems"]
    assert problem["kind"] == "dangling-parent"
    assert problem["path"] == "migrations/versions/dddd00000001_orphan.py"
    assert problem["message"] == (
        "revision dddd00000001 names down_revision ffff99999999, which no file defines")


def test_broken_graph_wins_over_divergence(forked: Path, capsys: pytest.CaptureFixture[str]) -> None:
    duplicate = forked / "migrations" / "versions" / "copy_of_users.py"
    duplicate.write_text((forked / "migrations/versions/aaaa00000001_create_users.py").read_text())
    code, report = check_json(forked, capsys)
    assert code == 3
    assert [p["kind"] for p in report["problems"]] == ["duplicate-id"]


def test_conflict_markers_are_reported_with_file_and_line(linear: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = linear / "migrations/versions/aaaa00000002_add_users_phone.py"
    lines = path.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("down_revision"))
    lines[at:at + 1] = ["<<<<<<< HEAD", lines[at], "=======", lines[at], ">>>>>>> origin/main"]
    path.write_text("\n".join(lines) + "\n")
    code, report = check_json(linear, capsys)
    assert code == 3
    marker = next(p for p in report["problems"] if p["kind"] == "conflict-markers")
    assert (marker["path"], marker["line"]) == ("migrations/versions/aaaa00000002_add_users_phone.py", at + 1)


def test_no_project_exits_2_naming_where_it_looked(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ahq-history: ")
    assert "looked for alembic.ini, pyproject.toml with [tool.alembic] and migrations/alembic.ini" in err
    assert f" in {tmp_path}, " in err
    assert "Traceback" not in err


def test_warm_cache_notices_an_added_revision(linear: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_json(linear, capsys)
    add_revision(linear, "add workspaces", "aaaa00000003")
    _, report = check_json(linear, capsys)
    assert [h["revision"] for h in report["heads"]] == ["aaaa00000003"]


def test_warm_cache_notices_an_edited_revision(linear: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_json(linear, capsys)
    path = linear / "migrations/versions/aaaa00000002_add_users_phone.py"
    annotated = "down_revision: Union[str, Sequence[str], None] = "
    path.write_text(path.read_text().replace(f"{annotated}'aaaa00000001'", f"{annotated}None"))
    _, report = check_json(linear, capsys)
    assert sorted(report["bases"]) == ["aaaa00000001", "aaaa00000002"]


def test_warm_check_answers_without_networkx(linear: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=linear, check=True)
    probe = ("import sys; from ahq_history.cli.main import main; code = main(['check']); "
             "print(code, sorted(m for m in ('networkx', 'git', 'rich', 'alembic', 'sqlalchemy') "
             "if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    cold = subprocess.run([sys.executable, "-c", probe], cwd=linear, env=env, capture_output=True, text=True)
    warm = subprocess.run([sys.executable, "-c", probe], cwd=linear, env=env, capture_output=True, text=True)
    assert "'networkx'" in cold.stdout.splitlines()[-1]
    assert warm.stdout.splitlines()[-1] == "0 []"
    assert (linear / ".git" / "ahq-history").is_dir()


def test_heads_lists_each_head_with_its_message(forked: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["-c", str(forked / "alembic.ini"), "heads"])
    assert code == 1
    assert capsys.readouterr().out.splitlines() == [
        "bbbb00000001 (head)  add audit log", "cccc00000002 (head)  add workflow runs"]


def test_divergence_reports_both_sides_adding_users_phone(linear: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    for rev_id, who in (("a11ce0000001", "alice"), ("b0b000000001", "bob")):
        path = add_revision(linear, f"{who} adds phone", rev_id, head="aaaa00000002", splice=True)
        path.write_text(path.read_text().replace(
            "def upgrade() -> None:\n    \"\"\"Upgrade schema.\"\"\"\n    pass",
            "def upgrade() -> None:\n    \"\"\"Upgrade schema.\"\"\"\n"
            "    op.add_column('users', sa.Column('phone', sa.String(32)))"))
    code, report = check_json(linear, capsys)
    assert code == 1
    (conflict,) = report["divergences"][0]["conflicts"]
    assert (conflict["kind"], conflict["table"], conflict["column"]) == ("both-add-column", "users", "phone")
    assert sorted(r["revision"] for r in conflict["revisions"]) == ["a11ce0000001", "b0b000000001"]
    assert all(isinstance(r["line"], int) for r in conflict["revisions"])
    _, text = check(linear, capsys=capsys)
    assert "  conflict: both sides add column users.phone" in text


def test_an_unexpected_error_is_one_line_not_a_traceback(linear: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import ahq_history.cli.commands.check as check_command

    def explode(*_args: object, **_kwargs: object) -> None:
        raise ValueError("something we did not foresee")

    monkeypatch.setattr(check_command, "check_report", explode)
    assert main(["-c", str(linear / "alembic.ini"), "check"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "ahq-history: internal error: ValueError: something we did not foresee",
        "  hint: run again with --debug to see the traceback, and report it"]


@pytest.mark.parametrize("name", ["aaaa00000002_add_users_phone.py", "aaaa00000001_create_users.py"])
def test_a_body_that_does_not_parse_breaks_the_graph_head_or_not(linear: Path, name: str,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = linear / "migrations/versions" / name
    text = path.read_text()
    path.write_text(text.replace("def upgrade() -> None:", "def upgrade(:"))
    line = text[:text.index("def upgrade() -> None:")].count("\n") + 1
    code, report = check_json(linear, capsys)
    assert code == 3  # Alembic cannot compile the file, so `upgrade` fails
    (problem,) = report["problems"]
    assert (problem["kind"], problem["severity"], problem["path"], problem["line"]) == (
        "syntax", "error", f"migrations/versions/{name}", line)
    assert name[:12] in problem["message"]


def test_a_head_saved_with_a_utf8_bom_is_not_called_invalid_python(
        linear: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = linear / "migrations/versions/aaaa00000002_add_users_phone.py"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # as some Windows editors save
    code, report = check_json(linear, capsys)
    assert (code, report["problems"]) == (0, [])


def test_conflict_markers_in_a_header_do_not_blame_the_child(linear: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    add_revision(linear, "add workspaces", "aaaa00000003")
    path = linear / "migrations/versions/aaaa00000002_add_users_phone.py"
    text = path.read_text()
    line = next(x for x in text.splitlines() if x.startswith("revision"))
    path.write_text(text.replace(line, f"<<<<<<< HEAD\n{line}\n=======\n{line}\n>>>>>>> origin/main"))
    code, report = check_json(linear, capsys)
    assert code == 3
    assert [p["kind"] for p in report["problems"]] == ["conflict-markers"]


def test_json_error_kind_is_a_documented_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from ahq_history.git.repo import NotARepository

    monkeypatch.chdir(tmp_path)
    assert main(["check", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["kind"] == "ConfigError"
    from ahq_history.cli.main import error_kind

    assert error_kind(NotARepository("x")) == "UnreachableError"


def test_a_config_path_named_like_a_command_is_not_taken_for_one(linear: Path,
                                                                  capsys: pytest.CaptureFixture[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (linear / "lint").write_text((linear / "alembic.ini").read_text())
    monkeypatch.chdir(linear)
    assert main(["-c", "lint", "heads"]) == 0
    assert capsys.readouterr().out.startswith("aaaa00000002 (head)")

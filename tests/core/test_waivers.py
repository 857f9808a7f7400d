"""waivers.py and lint.py's `lint_file`: `# ahq: ignore[CHECK] reason` silences a finding; a waiver without
a reason, or naming no check, is an AHQ006 finding and silences nothing."""

from __future__ import annotations

from ahq_history.core.lint import CHECKS, LintConfig, lint_file
from ahq_history.core.model import Revision
from ahq_history.core.waivers import Waiver, read_waivers

REV = Revision(id="abcd1234ef56", parents=("0123456789ab",), path="migrations/versions/abcd1234ef56_x.py")

DROP = '''"""drop the legacy phone column
{docline}
Revision ID: abcd1234ef56
"""
from alembic import op


def upgrade():
    op.drop_column('users', 'phone'){comment}


def downgrade():
    op.add_column('users', op.f('phone'))
'''


def drop(comment: str = "", docline: str = "") -> str:
    return DROP.format(comment=comment, docline=docline)


def test_a_waiver_on_the_line_silences_that_finding_and_keeps_its_reason() -> None:
    left, waived = lint_file(REV, drop("  # ahq: ignore[AHQ002] phone moved to profiles in 3f2a"))
    assert left == []
    [(finding, reason)] = waived
    assert (finding.check, finding.line, reason) == ("AHQ002", 9, "phone moved to profiles in 3f2a")


def test_a_waiver_may_name_the_check_by_name_and_several_checks() -> None:
    left, waived = lint_file(REV, drop("  # ahq: ignore[AHQ003, destructive-upgrade]: deliberate"))
    assert left == [] and [f.check for f, _ in waived] == ["AHQ002"]


def test_a_waiver_on_another_line_or_of_another_check_silences_nothing() -> None:
    text = drop("  # ahq: ignore[AHQ003] not this one").replace(
        "def upgrade():", "def upgrade():  # ahq: ignore[AHQ002] wrong line")
    left, waived = lint_file(REV, text)
    assert [f.check for f in left] == ["AHQ002"] and waived == []


def test_a_docstring_waiver_covers_the_whole_file() -> None:
    left, waived = lint_file(REV, drop(docline="ahq: ignore[AHQ002] the column is dead since 2024"))
    assert left == [] and [(f.check, r) for f, r in waived] == [("AHQ002", "the column is dead since 2024")]


def test_a_waiver_without_a_reason_is_an_error_and_waives_nothing() -> None:
    left, waived = lint_file(REV, drop("  # ahq: ignore[AHQ002]"))
    assert waived == []
    assert [(f.check, f.name, f.severity, f.line) for f in left] == [
        ("AHQ002", "destructive-upgrade", "warning", 9), ("AHQ006", "bad-waiver", "error", 9)]
    assert left[1].message == "the waiver of AHQ002 gives no reason, so it waives nothing"
    assert left[1].hint == CHECKS["AHQ006"].hint


def test_a_waiver_naming_an_unknown_check_is_an_error() -> None:
    left, _ = lint_file(REV, drop("  # ahq: ignore[AHQ999] typo"))
    assert [f.message for f in left if f.check == "AHQ006"] == ["the waiver names no known check: AHQ999"]


def test_bad_waivers_can_be_disabled_like_any_check() -> None:
    left, _ = lint_file(REV, drop("  # ahq: ignore[AHQ002]"), LintConfig(disabled=frozenset({"AHQ006"})))
    assert [f.check for f in left] == ["AHQ002"]


def test_waiver_words_inside_a_string_are_not_a_waiver() -> None:
    text = drop().replace("op.drop_column('users', 'phone')",
                          "op.drop_column('users', 'phone')\n    op.execute('-- # ahq: ignore[AHQ002] x')")
    assert read_waivers(text) == []


def test_a_file_that_does_not_tokenize_has_no_waivers() -> None:
    assert read_waivers("def upgrade(:\n    '''unterminated  # ahq: ignore[AHQ002] x\n") == []


def test_read_waivers_gives_line_checks_reason_and_reach() -> None:
    text = drop("  # ahq: ignore[AHQ002,AHQ003] - why", docline="# ahq: ignore[AHQ005] big")
    assert read_waivers(text) == [
        Waiver(line=2, checks=("AHQ005",), reason="big", whole_file=True),
        Waiver(line=9, checks=("AHQ002", "AHQ003"), reason="why", whole_file=False),
    ]

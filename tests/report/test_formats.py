"""formats.py: GitHub workflow commands escaped as the runner reads them, SARIF valid against the OASIS
2.1.0 schema, JUnit XML that parses, whatever the text holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import jsonschema

from ahq_history.core.lint import CHECKS
from ahq_history.report.annotations import Item, check_items, lint_items
from ahq_history.report.formats import escape_data, escape_property, render_github, render_junit, render_sarif

SCHEMA = json.loads((Path(__file__).parents[1] / "support" / "sarif" / "sarif-schema-2.1.0.json").read_text())
HOSTILE = "100% sure\r\n::add-mask::secret\n::error::forged, a: b \x1b[31mred\u202e"


def assert_valid_sarif(text: str) -> dict[str, Any]:
    log = json.loads(text)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    return log  # type: ignore[no-any-return]


def item(**changed: Any) -> Item:
    values: dict[str, Any] = {"level": "error", "rule": "AHQ001", "rule_name": "empty-downgrade",
                              "path": "migrations/versions/a_b.py", "line": 7,
                              "title": "AHQ001 empty-downgrade", "message": "downgrade() is empty",
                              "hint": "write one"}
    return Item(**{**values, **changed})


def test_data_escapes_percent_cr_and_lf_only() -> None:
    assert escape_data("50%\r\na:b,c") == "50%25%0D%0Aa:b,c"


def test_properties_also_escape_colon_and_comma() -> None:
    assert escape_property("50%\r\na:b,c") == "50%25%0D%0Aa%3Ab%2Cc"


def test_github_line_is_the_workflow_command_form() -> None:
    assert render_github([item(), item(level="warning", line=3, title="x", message="m", hint="")]) == (
        "::error file=migrations/versions/a_b.py,line=7,title=AHQ001 empty-downgrade::downgrade() is empty"
        "%0Awrite one\n"
        "::warning file=migrations/versions/a_b.py,line=3,title=x::m")


def test_a_hostile_message_and_path_stay_one_annotation() -> None:
    out = render_github([item(message=HOSTILE, title=HOSTILE, path="a,b:c%.py", hint="")])
    assert "\n" not in out and "\r" not in out
    assert out == ("::error file=a%2Cb%3Ac%25.py,line=7,"
                   "title=100%25 sure\\x0d%0A%3A%3Aadd-mask%3A%3Asecret%0A"
                   "%3A%3Aerror%3A%3Aforged%2C a%3A b \\x1b[31mred\\u202e"
                   "::100%25 sure\\x0d%0A::add-mask::secret"
                   "%0A::error::forged, a: b \\x1b[31mred\\u202e")


def test_nothing_to_show_prints_nothing() -> None:
    assert render_github([]) == ""


def test_sarif_validates_with_every_lint_check_as_a_rule() -> None:
    hostile = item(message=HOSTILE, path="migrations/versions/x y#1.py")
    log = assert_valid_sarif(render_sarif([hostile], "lint"))
    run = log["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == list(CHECKS)
    [result] = run["results"]
    assert result["ruleId"] == "AHQ001" and result["level"] == "error"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "AHQ001"
    assert result["message"]["text"] == HOSTILE + "\nwrite one"
    location = result["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "migrations/versions/x%20y%231.py"},
                        "region": {"startLine": 7}}


def test_sarif_of_check_lists_only_the_rules_it_uses() -> None:
    log = assert_valid_sarif(render_sarif([item(rule="divergence", rule_name="divergence", hint="run: x")],
                                          "check"))
    [rule] = log["runs"][0]["tool"]["driver"]["rules"]
    assert rule["id"] == "divergence" and "run: x" not in json.dumps(rule)


def test_empty_sarif_is_valid() -> None:
    assert assert_valid_sarif(render_sarif([], "check"))["runs"][0]["results"] == []


def test_junit_has_one_case_per_item_errors_failing() -> None:
    out = render_junit([item(message=HOSTILE + "\x00"), item(level="warning", rule="AHQ002")], "lint",
                       {"revisions": 2})
    suite = ElementTree.fromstring(out.encode()).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    first, second = suite.findall("testcase")
    failure = first.find("failure")
    assert failure is not None and failure.get("type") == "AHQ001"
    assert "\\x1b[31m" in (failure.get("message") or "") and "\\x00" in (failure.text or "")
    assert second.find("failure") is None and (second.findtext("system-out") or "").startswith("warning: ")


def test_junit_with_nothing_to_show_has_one_passing_case() -> None:
    suite = ElementTree.fromstring(render_junit([], "check", {"revisions": 3})).find("testsuite")
    assert suite is not None
    [case] = suite.findall("testcase")
    assert case.get("name") == "3 revisions, nothing to report" and case.find("failure") is None


def test_paths_become_relative_to_the_git_top(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    api = tmp_path / "services" / "api"
    project = {"root": str(api), "config": str(api / "alembic.ini")}
    report = {"project": project, "problems": [
        {"kind": "cycle", "severity": "error", "message": "m", "path": None, "line": None, "revisions": []}],
        "findings": [{"check": "AHQ002", "name": "destructive-upgrade", "severity": "warning",
                      "path": "migrations/versions/a.py", "line": None, "message": "m", "hint": "h"}]}
    problem, finding = lint_items(report)
    assert (problem.path, problem.line) == ("services/api/alembic.ini", 1)
    assert (finding.path, finding.line) == ("services/api/migrations/versions/a.py", 1)
    assert finding.level == "warning"


def test_a_divergence_is_one_item_on_the_local_head() -> None:
    report = {"project": {"root": "/nowhere/p", "config": "/nowhere/p/alembic.ini"}, "problems": [],
              "heads": [{"revision": "a" * 12, "path": "v/a.py", "line": 14},
                        {"revision": "b" * 12, "path": "v/b.py", "line": 15}],
              "divergences": [{"heads": ["a" * 12, "b" * 12], "forks": ["f" * 12],
                               "command": "ahq-history merge-heads",
                               "sides": [{"head": "a" * 12, "message": "x", "published": True},
                                         {"head": "b" * 12, "message": HOSTILE, "published": False}],
                               "conflicts": []}]}
    [divergence] = check_items(report)
    assert (divergence.path, divergence.line, divergence.rule) == ("v/b.py", 15, "divergence")
    assert HOSTILE in divergence.message and divergence.hint == "run: ahq-history merge-heads"

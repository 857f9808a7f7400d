"""CI renderings of a `check` or `lint` report (`--format github|sarif|junit`), from the items of
`report/annotations.py`. Standard library only.

- github: one workflow command per item, `::error file=PATH,line=N,title=TITLE::MESSAGE`, escaped as the
  runner reads them (data: `%`, CR, LF; properties also `:` and `,`), so text from a revision file stays
  one annotation and can never start a command of its own.
- sarif: SARIF 2.1.0 for code-scanning uploads: relative `artifactLocation.uri`, `startLine` of 1 or more,
  one rule per lint check and per kind of `check` finding.
- junit: JUnit XML, one test case per item (an error fails it; a warning passes, its text in
  `system-out`), or one passing case when there is nothing to show.

Text from outside passes `core/display.clean` (multi-line) first: a CI log is a terminal too.
"""

from __future__ import annotations

import json
from typing import Any, Literal
from urllib.parse import quote
from xml.etree import ElementTree

from ahq_history import __version__
from ahq_history.core.display import clean
from ahq_history.core.lint import CHECKS
from ahq_history.report.annotations import CHECK_RULES, Item, check_items, lint_items

CI_FORMATS = ("github", "sarif", "junit")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render(report: dict[str, Any], command: Literal["check", "lint"], fmt: str) -> str:
    """The report of `command` in the CI format `fmt` (one of CI_FORMATS)."""
    items = check_items(report) if command == "check" else lint_items(report)
    if fmt == "github":
        return render_github(items)
    if fmt == "sarif":
        return render_sarif(items, command)
    return render_junit(items, command, report)


# -- GitHub workflow commands ------------------------------------------------------------------------


def escape_data(text: str) -> str:
    """A workflow command's message, as the runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (`file=`, `title=`), as the runner unescapes it."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(items: list[Item]) -> str:
    """One `::error` or `::warning` line per item; nothing at all when there is nothing to show."""
    lines = []
    for item in items:
        message = item.message + (f"\n{item.hint}" if item.hint else "")
        properties = ",".join(f"{key}={escape_property(clean(value, multiline=True))}" for key, value in (
            ("file", item.path), ("line", str(item.line)), ("title", item.title)))
        lines.append(f"::{item.level} {properties}::{escape_data(clean(message, multiline=True))}")
    return "\n".join(lines)


# -- SARIF 2.1.0 ------------------------------------------------------------------------------------


def render_sarif(items: list[Item], command: str) -> str:
    """One SARIF log with one run; every lint check is a rule of `lint`'s run."""
    rules: dict[str, dict[str, Any]] = {}
    if command == "lint":
        for check in CHECKS.values():
            rules[check.id] = _rule(check.id, check.name, check.hint, check.severity)
    for item in items:  # a lint check's help is its hint; another rule's is what it means
        rules.setdefault(item.rule, _rule(item.rule, item.rule_name, item.hint if item.rule in CHECKS else "",
                                          item.level))
    order = list(rules)
    results = [{
        "ruleId": item.rule,
        "ruleIndex": order.index(item.rule),
        "level": item.level,
        "message": {"text": item.message + (f"\n{item.hint}" if item.hint else "")},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": quote(item.path, safe="/")},
            "region": {"startLine": item.line},
        }}],
    } for item in items]
    driver = {"name": "ahq-history", "version": __version__, "rules": list(rules.values())}
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{"tool": {"driver": driver},
                                                                  "results": results}]}
    return json.dumps(log, indent=2)


def _rule(rule_id: str, name: str, help_text: str, level: str) -> dict[str, Any]:
    described = CHECK_RULES.get(rule_id) or (
        f"{CHECKS[rule_id].name}" if rule_id in CHECKS else f"the revision graph: {rule_id}")
    return {"id": rule_id, "name": name, "shortDescription": {"text": described},
            "help": {"text": help_text or described}, "defaultConfiguration": {"level": level}}


# -- JUnit XML --------------------------------------------------------------------------------------


def render_junit(items: list[Item], command: str, report: dict[str, Any]) -> str:
    """A `testsuites` document with one suite for the command."""
    failures = sum(1 for item in items if item.level == "error")
    suite = ElementTree.Element("testsuite", name=f"ahq-history {command}", tests=str(max(len(items), 1)),
                                failures=str(failures), errors="0", skipped="0")
    for item in items:
        case = ElementTree.SubElement(suite, "testcase", classname=_text(item.path),
                                      name=_text(f"{item.title} (line {item.line})"),
                                      file=_text(item.path), line=str(item.line))
        body = _text(f"{item.path}:{item.line}: {item.message}" + (f"\n{item.hint}" if item.hint else ""))
        if item.level == "error":
            failure = ElementTree.SubElement(case, "failure", message=_text(item.message), type=item.rule)
            failure.text = body
        else:
            ElementTree.SubElement(case, "system-out").text = f"warning: {body}"
    if not items:
        ElementTree.SubElement(suite, "testcase", classname=f"ahq-history.{command}", name=_summary(report))
    root = ElementTree.Element("testsuites", name="ahq-history", tests=suite.get("tests", "0"),
                               failures=str(failures))
    root.append(suite)
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True)


def _text(value: str) -> str:
    """XML 1.0 cannot hold most control characters at all: they become visible escapes first."""
    return clean(value, multiline=True)


def _summary(report: dict[str, Any]) -> str:
    count = report.get("revisions", 0)
    return f"{count} revision{'' if count == 1 else 's'}, nothing to report"

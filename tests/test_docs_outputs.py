"""Every command output README.md and docs/*.md show is what the tool prints today, from a real story.

A shown output is a fenced block (no language, `text` or `console`) holding a `$ ahq-history ...` or
`$ flask ... ahq ...` line, or a line the tool prints (`ahq-history: ...`). The line before it (blank lines
aside) names its story: `<!-- output: NAME -->`, a transcript of tests/support/docstory.py's rehearsal.
A block that looks like an output and has no marker fails, so a new one must be covered.

Compared as shown, except what differs from run to run, on both sides: commit ids (7 to 40 hex digits
with a digit, other than the story's revision ids) read as `<sha>`, and dates and times as `<date>`.
The story's folder is shown as /tmp/story and the tests' Python as /home/alice/automatehq/.venv/bin/python.
`AHQ_UPDATE_DOCS=1 python -m pytest tests/test_docs_outputs.py` writes today's outputs into the docs.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.docstory import STORY_IDS, rehearsal

ROOT = Path(__file__).resolve().parents[1]
DOCS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
MARKER = re.compile(r"^<!-- output: (?P<name>[\w-]+) -->$")
OUTPUT_LINE = re.compile(r"^(\$ (ahq-history|flask( --app \S+)? ahq)\b|ahq-history[: (])")
SHA = re.compile(r"(?<![0-9A-Za-z])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}(?![0-9A-Za-z])")
DATE = re.compile(r"\d{4}-\d\d-\d\d( \d\d:\d\d:\d\d(\.\d+)?)?")


@dataclass(frozen=True)
class Block:
    """A fenced block of a doc: where its text starts (0-based line), its story (if marked), its text."""

    doc: Path
    start: int
    story: str | None
    text: str
    indent: str

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.start}"


def blocks(doc: Path) -> list[Block]:
    """The fenced blocks of `doc` that look like a command's output."""
    lines = doc.read_text(encoding="utf-8").split("\n")
    found, index = [], 0
    while index < len(lines):
        fence = lines[index].strip()
        if not fence.startswith("```"):
            index += 1
            continue
        indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
        end = next(i for i in range(index + 1, len(lines)) if lines[i].strip() == "```")
        body = [line.removeprefix(indent) for line in lines[index + 1:end]]
        if fence[3:] in ("", "text", "console") and any(OUTPUT_LINE.match(line) for line in body):
            found.append(Block(doc, index + 1, _marker(lines, index), "\n".join(body) + "\n", indent))
        index = end + 1
    return found


def _marker(lines: list[str], fence: int) -> str | None:
    above = fence - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    match = MARKER.match(lines[above].strip()) if above >= 0 else None
    return match["name"] if match else None


def normalized(text: str) -> str:
    text = DATE.sub("<date>", text)
    return SHA.sub(lambda m: m[0] if m[0] in STORY_IDS else "<sha>", text).rstrip("\n") + "\n"


ALL_BLOCKS = [block for doc in DOCS for block in blocks(doc)]


@pytest.fixture(scope="module")
def transcripts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return rehearsal(tmp_path_factory.mktemp("story"))


def test_every_shown_output_names_its_story() -> None:
    unmarked = [block.where for block in ALL_BLOCKS if block.story is None]
    assert unmarked == [], "add <!-- output: NAME --> above these blocks (tests/support/docstory.py)"


def test_the_docs_show_outputs() -> None:
    """The detector finds the guide's outputs (a broken pattern would make every other test pass)."""
    assert len([b for b in ALL_BLOCKS if b.doc.name == "MIGRATIONS.md"]) >= 20


@pytest.mark.parametrize("block", [b for b in ALL_BLOCKS if b.story], ids=lambda b: f"{b.where}-{b.story}")
def test_shown_output_is_what_the_tool_prints(block: Block, transcripts: dict[str, str]) -> None:
    assert block.story in transcripts, f"{block.where}: no story named {block.story}"
    printed = transcripts[block.story]
    if os.environ.get("AHQ_UPDATE_DOCS") == "1" and normalized(block.text) != normalized(printed):
        _rewrite(block, printed)
    assert normalized(block.text) == normalized(printed)


def _rewrite(block: Block, printed: str) -> None:
    """Put `printed` in place of the block's text in the doc as it is now on disk (same indent)."""
    def indented(text: str) -> str:
        return "\n".join(block.indent + line if line else line for line in text.rstrip("\n").split("\n"))

    fence = f"{block.indent}```\n"
    doc = block.doc.read_text(encoding="utf-8")
    assert doc.count(fence + indented(block.text)) == 1, f"{block.where}: the block changed"
    block.doc.write_text(doc.replace(fence + indented(block.text), fence + indented(printed)),
                         encoding="utf-8")

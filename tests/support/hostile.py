"""Hostile input for the tests: names that run commands when pasted, and a paste of a printed command into a
real `sh`; text holding terminal escapes, and a finder of raw control characters in output.

The commands the tool prints name revision ids, branches and paths that other people chose. Alembic takes
any string as a revision id (`alembic revision --rev-id 'x$(touch pwned)'`), and git takes `$`, backticks
and `;` in branch names. `Paste.run` feeds a printed line to `sh -c` in a scratch folder where `ahq-history`,
`git`, `flask`, `alembic` and `pip` are fakes that exit 0, so that only the shell itself can act on the line:
a `pwned` file appearing there means the line ran more than it said.
"""

from __future__ import annotations

import os
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from tests.support.hookgit import write_hook

# Revision ids (Alembic accepts each) that run `touch pwned` when pasted unquoted.
HOSTILE_IDS = {
    "dollar-paren": "x$(touch pwned)",
    "backticks": "y`touch pwned`",
    "semicolon": "z;touch pwned",
}
# Branch names git accepts (no spaces: `${IFS}` stands for one) that do the same.
HOSTILE_BRANCHES = {
    "dollar-paren": "f$(touch${IFS}pwned)",
    "backticks": "f`touch${IFS}pwned`",
    "semicolon": "f;touch${IFS}pwned",
}
FAKES = ("ahq-history", "git", "flask", "alembic", "pip")
# Each fake writes the words it was given, one per line, to `ran` in the folder it runs in.
_FAKE = 'printf \'%s\\n\' "$@" >> "$PWD/ran"\nexit 0\n'
# What each kind of line the tool prints starts with, before its command.
COMMAND_MARKS = ("Next: ", "run: ", "then: ", "advice: merge: ", "advice: rebase: ")


@dataclass(frozen=True)
class Pasted:
    pwned: bool  # the paste created `pwned`
    words: list[str]  # the arguments the fake commands received, in order


class Paste:
    """A scratch folder and a PATH whose first folder holds fake commands."""

    def __init__(self, tmp: Path) -> None:
        self.scratch = tmp / "scratch"
        self.scratch.mkdir(parents=True)
        fakes = tmp / "fake-bin"
        for name in FAKES:
            write_hook(fakes / name, _FAKE)
        self.env = {**os.environ, "PATH": f"{fakes}{os.pathsep}{os.environ['PATH']}"}

    def run(self, line: str) -> Pasted:
        """Paste `line` into `sh -c` for real; what it did (the scratch folder is emptied afterwards)."""
        syntax = subprocess.run(["sh", "-n", "-c", line], capture_output=True, check=False)
        assert syntax.returncode == 0, f"not a shell line: {line!r}"  # else nothing runs, and proves nothing
        subprocess.run(["sh", "-c", line], cwd=self.scratch, env=self.env, capture_output=True, check=False)
        pwned, ran = self.scratch / "pwned", self.scratch / "ran"
        pasted = Pasted(pwned.exists(), ran.read_text().splitlines() if ran.exists() else [])
        pwned.unlink(missing_ok=True)
        ran.unlink(missing_ok=True)
        return pasted


def printed_commands(text: str) -> list[str]:
    """Every command line in `text`: what follows a `Next:`, `run:`, `then:` or `advice: ...:` mark."""
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        for mark in COMMAND_MARKS:
            if stripped.startswith(mark):
                found.append(stripped[len(mark):])
    return found


# Text that rewrites a terminal when printed raw.
ANSI_RED = "\x1b[31mred\x1b[0m"  # CSI colour
OSC_TITLE = "\x1b]0;pwned-title\x07"  # OSC 0: sets the window title
OSC8_LINK = "\x1b]8;;evil.example\x07click\x1b]8;;\x07"  # OSC 8: a hyperlink showing other text
BIDI = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: the rest of the line shows reversed
C1_CSI = "\x9b31m"  # the 8-bit CSI


def raw_controls(text: str) -> list[str]:
    """Characters in `text` that a terminal acts on or hides (everything the sanitizer escapes), except
    newline: controls, format characters such as bidirectional overrides, separators, lone surrogates."""
    hidden = {"Cc", "Cf", "Cs", "Zl", "Zp"}
    return [c for c in text if c != "\n" and c != "\u200d" and unicodedata.category(c) in hidden]

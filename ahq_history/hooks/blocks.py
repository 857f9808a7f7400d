"""What we add to another tool's file, between `# >>> ahq-history >>>` and `# <<< ahq-history <<<`: a call
in a husky hook file (`.husky/post-merge`), commands in lefthook's config. Text in, text out: removing
the blocks gives back the file byte for byte, so uninstall takes away exactly what install added.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ahq_history.hooks.script import BLOCK_END, BLOCK_START, MARKER, SCRIPT_VERSION, path_run

# Words after the opening line that say how to undo what the block needed besides itself.
_ADDED_NEWLINE = "added-final-newline"  # the file did not end with a newline: we added one before the block
CREATED = "created-file"  # the file did not exist: uninstall deletes it when nothing else is left


def has_block(text: str) -> bool:
    return any(line.strip().startswith(BLOCK_START) for line in text.splitlines())


def append_block(text: str | None, lines: Sequence[str]) -> str:
    """`text` (None: no file yet) with the block of `lines` added at its end."""
    flags = [CREATED] if text is None else []
    text = text or ""
    if text and not text.endswith("\n"):
        flags.append(_ADDED_NEWLINE)
        text += "\n"
    return text + "\n".join([" ".join([BLOCK_START, *flags]), *lines, BLOCK_END]) + "\n"


def insert_block(text: str, after: int, lines: Sequence[str], indent: str) -> str:
    """`text` with the block (each line indented by `indent`) inserted after its line number `after`."""
    rows = text.splitlines(keepends=True)
    block = [f"{indent}{line}\n" for line in (BLOCK_START, *lines, BLOCK_END)]
    return "".join(rows[: after + 1] + block + rows[after + 1:])


def remove_blocks(text: str) -> tuple[str, bool]:
    """`text` without our blocks, and whether the file was ours alone (created by install, nothing else
    added since)."""
    kept: list[str] = []
    inside, created, trim = False, False, False
    for row in text.splitlines(keepends=True):
        stripped = row.strip()
        if not inside and stripped.startswith(BLOCK_START):
            inside = True
            flags = stripped[len(BLOCK_START):].split()
            created = created or CREATED in flags
            trim = trim or _ADDED_NEWLINE in flags
        elif inside and stripped == BLOCK_END:
            inside = False
        elif not inside:
            kept.append(row)
    left = "".join(kept)
    if trim and left.endswith("\n"):
        left = left[:-1]
    return left, created and not left


# --- husky: a call at the end of the tracked `.husky/<hook>` file ------------------------------------------


def husky_lines(name: str, config: str | None) -> list[str]:
    """The block for `.husky/<name>`, which husky runs with `sh -e`: a call from PATH that never fails."""
    return [f"{MARKER} {SCRIPT_VERSION}: {name}, added by `ahq-history hooks install` "
            "(`ahq-history hooks uninstall` removes this block)",
            path_run(name, config)]


# --- lefthook: commands in its config -----------------------------------------------------------------------


def lefthook_command(name: str, config: str | None, indent: str = "  ") -> list[str]:
    """The `ahq-history:` command of hook `name` in lefthook's YAML, one indent per level."""
    run = path_run(name, config, "{0}").replace("'", "''")  # YAML single quotes
    lines = ["ahq-history:", f"{indent}run: '{run}'"]
    if name == "post-rewrite":
        lines.append(f"{indent}use_stdin: true")  # the rewritten commits
    return lines


def _top_key(text: str, name: str) -> int | None:
    """The line number of top-level key `name:` in YAML `text`, None when absent. A key written in flow
    style (`post-merge: {...}`) raises ValueError: we do not rewrite YAML we cannot read line by line."""
    for number, row in enumerate(text.splitlines()):
        if re.match(rf"{re.escape(name)}\s*:", row):
            if re.fullmatch(rf"{re.escape(name)}\s*:\s*(#.*)?", row.rstrip()):
                return number
            raise ValueError(f"its `{name}:` is written on one line")
    return None


def _children(rows: list[str], start: int) -> tuple[int, str, int | None]:
    """Below the key on line `start`: where its children end, their indent, and the line of `commands:`."""
    end, indent, commands = start + 1, "", None
    while end < len(rows):
        row = rows[end]
        if row.strip() and not row.lstrip().startswith("#"):
            spaces = row[: len(row) - len(row.lstrip())]
            if not spaces:
                break
            indent = indent or spaces
            if spaces == indent and re.fullmatch(r"commands\s*:\s*(#.*)?", row.strip()):
                commands = end
        end += 1
    return end, indent or "  ", commands


def lefthook_with_blocks(text: str, names: Sequence[str], config: str | None) -> str:
    """lefthook's YAML config with an `ahq-history` command for each hook in `names`: inside the hook's
    `commands:` when the hook is there, in one block of new hooks at the end otherwise."""
    new_hooks: list[str] = []
    for name in names:
        rows = text.splitlines()
        start = _top_key(text, name)
        if start is None:
            command = lefthook_command(name, config)
            new_hooks += [f"{name}:", "  commands:", *("    " + line for line in command)]
            continue
        _end, indent, commands = _children(rows, start)
        if commands is None:
            lines = ["commands:", *(indent + line for line in lefthook_command(name, config, indent))]
            text = insert_block(text, start, lines, indent)
        else:
            text = insert_block(text, commands, lefthook_command(name, config, indent), indent * 2)
    return append_block(text, new_hooks) if new_hooks else text

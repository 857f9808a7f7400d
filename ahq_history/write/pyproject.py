"""One setting of `[tool.ahq-history]` written into a pyproject.toml as a small edit of its text: the key's
own line replaced, or a line added under the table's header, or the table appended. Every other byte is
kept. The edit is kept only when tomllib reads back exactly the old document plus that one value;
otherwise (a dotted key, an inline table) the caller prints the line to add instead.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from ahq_history.config.settings import SECTION, TABLE, setting_line

_HEADER = re.compile(r"""^\s*\[\s*tool\s*\.\s*(?:ahq-history|"ahq-history"|'ahq-history')\s*\]\s*(?:#.*)?$""")


def set_setting(text: str, key: str, value: str) -> str | None:
    """`text` with `key = "value"` in `[tool.ahq-history]`; None when that cannot be done as a safe edit."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    newline = "\r\n" if "\r\n" in text else "\n"
    line = f"{key} = {json.dumps(value, ensure_ascii=False)}"  # a JSON string is a TOML basic string
    edited = _edit(text, key, line, newline)
    if edited is None:
        return None
    try:
        if tomllib.loads(edited) != _with(document, key, value):
            return None
    except tomllib.TOMLDecodeError:
        return None
    return edited


def setting_text(key: str, value: str) -> str:
    """The lines to add by hand."""
    return f"{SECTION}\n{key} = {json.dumps(value, ensure_ascii=False)}"


def _edit(text: str, key: str, line: str, newline: str) -> str | None:
    lines = text.splitlines(keepends=True)
    at = setting_line(text, (*TABLE, key))
    if at is not None:  # the key's own line: replaced when it is a plain `key = "..."`
        found = re.match(rf"""^(\s*){re.escape(key)}\s*=\s*(?:"[^"\\]*"|'[^']*')(\s*(?:#.*)?\r?\n?)$""",
                         lines[at - 1])
        if found is None:
            return None
        lines[at - 1] = found[1] + line + found[2]  # its indent and its comment kept
        return "".join(lines)
    header = setting_line(text, TABLE)
    if header is not None:
        if not _HEADER.match(lines[header - 1]):
            return None
        lines.insert(header, line + newline)
        if not lines[header - 1].endswith(("\n", "\r")):
            lines[header - 1] += newline
        return "".join(lines)
    gap = "" if not text else newline if text.endswith(("\n", "\r")) else newline * 2
    return f"{text}{gap}{SECTION}{newline}{line}{newline}"


def _with(document: dict[str, Any], key: str, value: str) -> dict[str, Any]:
    tool = dict(document.get("tool", {}))
    tool[TABLE[1]] = {**tool.get(TABLE[1], {}), key: value}
    return {**document, "tool": tool}


def nearest_pyproject(root: Path, top: Path | None) -> Path | None:
    """The nearest pyproject.toml from `root` up to `top` (the git work tree's top; `root` only without)."""
    folders = [root, *root.parents]
    folders = folders[: folders.index(top) + 1] if top is not None and top in folders else [root]
    return next((f / "pyproject.toml" for f in folders if (f / "pyproject.toml").is_file()), None)

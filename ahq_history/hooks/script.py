"""Our hook script: the POSIX sh text that chains the hook it replaced and runs `check --hook NAME`, and
what a script on disk says (is it ours, which Python and configuration it records, its version). A script
for a folder every clone shares (a tracked hooks folder, husky's files, lefthook's config) starts
ahq-history from PATH (`path_run`), never from this machine's interpreter.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from ahq_history.hooks.reinstall import REINSTALL

MARKER = "# ahq-history-hook"  # the line that says a hook file is ours (any version)
SCRIPT_VERSION = 1
LEGACY_SUFFIX = ".ahq-legacy"
_PYTHON_LINE = "AHQ_PYTHON="
_CONFIG_LINE = "AHQ_CONFIG="
_REINSTALL_LINE = "AHQ_REINSTALL="
FROM_PATH = "AHQ_RUN=path"  # the line of a script that starts ahq-history from PATH
BLOCK_START = "# >>> ahq-history >>>"  # the lines around what we add to another tool's file
BLOCK_END = "# <<< ahq-history <<<"
MISSING = "ahq-history is not installed here (no ahq-history on PATH, no python3 -m ahq_history)"


@dataclass(frozen=True)
class Recorded:
    """What one of our scripts records: the Python that installed it, the configuration it passes to
    `check`, its version, and the line it prints when that Python is gone."""

    python: str | None
    config: str | None
    version: int | None
    reinstall: str
    from_path: bool = False  # starts ahq-history from PATH (a folder every clone shares)


def path_run(name: str, config: str | None, args: str = '"$@"') -> str:
    """One sh line that runs `check --hook NAME ARGS` with the ahq-history on PATH (else `python3 -m
    ahq_history`), or says it is missing; it always succeeds. `args` is how the caller passes git's
    arguments (`"$@"` in a script, `{0}` in lefthook's config)."""
    tail = " ".join(["check", *(["-c", shlex.quote(config)] if config else []), "--hook", name, args])
    return (f"if command -v ahq-history >/dev/null 2>&1; then ahq-history {tail} || true; "
            "elif python3 -c 'import ahq_history' >/dev/null 2>&1; then "
            f"python3 -m ahq_history {tail} || true; "
            f"else echo \"{MISSING}: the {name} check was skipped; pip install ahq-history\" >&2; fi")


def _run_lines(name: str, python: str | None, config: str | None) -> str:
    if python is None:  # a folder every clone shares: no machine's path
        return f"ahq_feed | {{ {path_run(name, config)}; }}\n"
    config_args = ' -c "$AHQ_CONFIG"' if config else ""
    return f"""if [ -x "$AHQ_PYTHON" ]; then
    ahq_feed | "$AHQ_PYTHON" -P -m ahq_history check{config_args} --hook "$AHQ_HOOK" "$@" ||
        echo "ahq-history: $AHQ_PYTHON cannot run ahq-history; reinstall: $AHQ_REINSTALL" >&2
else
    echo "ahq-history: the $AHQ_HOOK hook's Python ($AHQ_PYTHON) is gone; reinstall: $AHQ_REINSTALL" >&2
fi
"""


def render_script(name: str, python: str | None, config: str | None = None,
                  reinstall: str = REINSTALL) -> str:
    """The POSIX sh hook that runs the legacy hook (if any), then `check --hook NAME`; git never fails.
    `reinstall` is the line it prints when `python` is gone or cannot run ahq-history; `python` None
    starts ahq-history from PATH (a hooks folder that is committed)."""
    # post-rewrite gets its rewritten commits on stdin: read it once, give it to both.
    recorded = FROM_PATH if python is None else f"{_PYTHON_LINE}{shlex.quote(python)}"
    return f"""#!/bin/sh
{MARKER} {SCRIPT_VERSION}: {name}, installed by `ahq-history hooks install` (`hooks uninstall` removes it).
# Warns when what git just brought leaves divergent Alembic heads. Runs the hook that was here before
# ({name}{LEGACY_SUFFIX}) first, and never makes git fail.
{recorded}
{_CONFIG_LINE}{shlex.quote(config or "")}
AHQ_HOOK={name}
AHQ_LEGACY="$(dirname -- "$0")/$AHQ_HOOK{LEGACY_SUFFIX}"
{_REINSTALL_LINE}{shlex.quote(reinstall)}

# Started as its own legacy hook (a copy of this script): the outer run does the work.
if [ -n "${{AHQ_HISTORY_IN_LEGACY:-}}" ]; then
    exit 0
fi

ahq_input=''
if [ "$AHQ_HOOK" = post-rewrite ]; then
    ahq_input=$(cat)
fi
ahq_feed() {{
    if [ -n "$ahq_input" ]; then printf '%s\\n' "$ahq_input"; fi
}}

ahq_status=0
if [ -f "$AHQ_LEGACY" ] && [ -x "$AHQ_LEGACY" ]; then
    if [ "$AHQ_HOOK" = post-rewrite ]; then
        ahq_feed | AHQ_HISTORY_IN_LEGACY=1 "$AHQ_LEGACY" "$@"
    else
        AHQ_HISTORY_IN_LEGACY=1 "$AHQ_LEGACY" "$@"
    fi
    ahq_status=$?
fi

{_run_lines(name, python, config)}
# Only post-checkout's status reaches the user (it becomes git checkout's): keep the legacy hook's.
if [ "$AHQ_HOOK" = post-checkout ]; then
    exit "$ahq_status"
fi
exit 0
"""


def _head(path: Path, size: int = 4096) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(size).decode("utf-8", "replace")
    except OSError:
        return ""


def is_ours(path: Path) -> bool:
    """True when `path` is a hook file that ahq-history wrote (any version)."""
    return path.is_file() and any(line.startswith(MARKER) for line in _head(path).splitlines()[:3])


def read_recorded(hook: Path) -> Recorded:
    """The values our script at `hook` records (None where a line is missing or broken by hand)."""
    text = _head(hook, 16384)
    return Recorded(_recorded(text, _PYTHON_LINE), _recorded(text, _CONFIG_LINE), _version(text),
                    _recorded(text, _REINSTALL_LINE) or REINSTALL, FROM_PATH in text.splitlines())


def _recorded(text: str, prefix: str) -> str | None:
    for line in text.splitlines():
        if line.startswith(prefix):
            try:
                words = shlex.split(line[len(prefix):])
            except ValueError:  # a hook edited by hand into broken quoting: the value is unknown
                return None
            return words[0] if words and words[0] else None
    return None


def _version(text: str) -> int | None:
    for line in text.splitlines()[:3]:
        if line.startswith(MARKER):
            number = line[len(MARKER):].strip().split(":", 1)[0]
            return int(number) if number.isdigit() else None
    return None

"""The gates' hook script (`hooks install --pre-commit`, `--pre-push`): POSIX sh that runs the hook it
replaced, then `check --hook NAME`, and exits with the gate's code, so git stops when the gate refuses.

It carries script.py's marker and recorded lines, so `hooks status` and `hooks uninstall` treat it as ours.
Unlike the warning hooks it blocks: a legacy hook that refuses stops it, and a Python that is gone refuses
too (a gate never passes what it did not judge), each time naming the bypass.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from ahq_history.hooks.reinstall import REINSTALL
from ahq_history.hooks.script import FROM_PATH, LEGACY_SUFFIX, MARKER, MISSING, SCRIPT_VERSION, is_ours

GATE_BYPASS = {"pre-commit": "git commit --no-verify", "pre-push": "git push --no-verify"}
GATE_NAMES: tuple[str, ...] = tuple(GATE_BYPASS)  # opt-in: `hooks install --pre-commit`, `--pre-push`


def render_gate_script(name: str, python: str | None, config: str | None = None,
                       reinstall: str = REINSTALL) -> str:
    """The sh gate `name` ("pre-commit" or "pre-push"); `reinstall` is the line it prints when `python` is
    gone; `python` None starts ahq-history from PATH (a hooks folder every clone shares). pre-push's stdin
    (the pushed refs) is read once and given to both the legacy hook and ours."""
    recorded = FROM_PATH if python is None else f"AHQ_PYTHON={shlex.quote(python)}"
    return f"""#!/bin/sh
{MARKER} {SCRIPT_VERSION}: {name} gate, installed by `ahq-history hooks install --{name}`;
# `hooks uninstall` removes it.
# Refuses what adds a second Alembic head or breaks the revision graph; `{GATE_BYPASS[name]}` skips it.
# Runs the hook that was here before ({name}{LEGACY_SUFFIX}) first; when that one refuses, so does this.
{recorded}
AHQ_CONFIG={shlex.quote(config or "")}
AHQ_HOOK={name}
AHQ_LEGACY="$(dirname -- "$0")/$AHQ_HOOK{LEGACY_SUFFIX}"
AHQ_REINSTALL={shlex.quote(reinstall)}
AHQ_BYPASS={shlex.quote(GATE_BYPASS[name])}

# Started as its own legacy hook (a copy of this script): the outer run does the work.
if [ -n "${{AHQ_HISTORY_IN_LEGACY:-}}" ]; then
    exit 0
fi

ahq_input=''
if [ "$AHQ_HOOK" = pre-push ]; then
    ahq_input=$(cat)
fi
ahq_feed() {{
    if [ -n "$ahq_input" ]; then printf '%s\\n' "$ahq_input"; fi
}}

if [ -f "$AHQ_LEGACY" ] && [ -x "$AHQ_LEGACY" ]; then
    ahq_feed | AHQ_HISTORY_IN_LEGACY=1 "$AHQ_LEGACY" "$@" || exit $?
fi

{_run_lines(config, python is None)}"""


def _run_lines(config: str | None, from_path: bool) -> str:
    """Run the gate and exit with its code; a missing ahq-history refuses, naming the bypass."""
    config_args = ' -c "$AHQ_CONFIG"' if config else ""
    if from_path:
        return f"""if command -v ahq-history >/dev/null 2>&1; then
    ahq_feed | ahq-history check{config_args} --hook "$AHQ_HOOK" "$@"
    exit $?
elif python3 -c 'import ahq_history' >/dev/null 2>&1; then
    ahq_feed | python3 -m ahq_history check{config_args} --hook "$AHQ_HOOK" "$@"
    exit $?
fi
echo "ahq-history: {MISSING}, so the $AHQ_HOOK gate judged nothing and git stops here;" \\
    "pip install ahq-history, or go ahead anyway: $AHQ_BYPASS" >&2
exit 2
"""
    return f"""if [ ! -x "$AHQ_PYTHON" ]; then
    echo "ahq-history: the $AHQ_HOOK gate's Python ($AHQ_PYTHON) is gone, so nothing was judged and git" \\
        "stops here; reinstall: $AHQ_REINSTALL; to go ahead anyway: $AHQ_BYPASS" >&2
    exit 2
fi
ahq_feed | "$AHQ_PYTHON" -P -m ahq_history check{config_args} --hook "$AHQ_HOOK" "$@"
exit $?
"""


def installed_gates(folder: Path) -> tuple[str, ...]:
    """The gates of ours in hooks folder `folder` (as the hook, or beside pre-commit's hook as the file it
    runs first), so that `hooks uninstall` and `hooks status` name them only when they are there."""
    return tuple(name for name in GATE_NAMES
                 if is_ours(folder / name) or is_ours(folder / f"{name}.legacy"))

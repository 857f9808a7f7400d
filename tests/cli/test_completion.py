"""`ahq-history completion bash|zsh|fish`: scripts generated from the parser, loaded by the real shells."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.clirun import run_main

# The installed command (the venv's script), so the shells run what a user runs.
COMMAND = str(Path(sys.executable).with_name("ahq-history"))


def shell(argv: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env, check=False)


def need(program: str) -> None:
    if shutil.which(program) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{program} is not installed (.ci/run installs it)")
        pytest.skip(f"{program} is not installed")


def test_bash_script_sources_cleanly_and_registers_the_command() -> None:
    done = shell(["bash", "-c", f"source <({COMMAND} completion bash) && complete -p ahq-history"])
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "complete -F _ahq_history ahq-history\n"


@pytest.mark.parametrize(("line", "expected"), [
    ("ahq-history sh", "show"),
    ("ahq-history hooks ins", "install"),
    ("ahq-history completion z", "zsh"),
    ("ahq-history history --for", "--format"),
    ("ahq-history history --format m", "mermaid"),
])
def test_bash_completes_commands_options_and_their_values(line: str, expected: str) -> None:
    words = line.split(" ")
    script = (f"source <({COMMAND} completion bash); COMP_WORDS=({' '.join(words)}); "
              f"COMP_CWORD={len(words) - 1}; _ahq_history; echo \"${{COMPREPLY[@]}}\"")
    done = shell(["bash", "-c", script])
    assert done.stdout.split() == [expected]


def test_zsh_script_loads_after_compinit(tmp_path: Path) -> None:
    need("zsh")
    done = shell(["zsh", "-c", f"autoload -U compinit && compinit -u -d {tmp_path}/dump && "
                  f"source <({COMMAND} completion zsh) && print ${{_comps[ahq-history]}}"])
    assert (done.returncode, done.stdout, done.stderr) == (0, "_ahq_history\n", "")


def test_fish_completes_a_subcommand_and_its_words() -> None:
    need("fish")
    done = shell(["fish", "-c", f"{COMMAND} completion fish | source; complete -C'ahq-history hooks ins'"])
    assert (done.returncode, done.stdout.split("\t")[0].strip(), done.stderr) == (0, "install", "")


def test_an_unknown_shell_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        run_main(capsys, "completion", "tcsh")
    assert raised.value.code == 2
    assert "invalid choice: 'tcsh' (choose from 'bash', 'zsh', 'fish')" in capsys.readouterr().err

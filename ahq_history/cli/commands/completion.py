"""`ahq-history completion bash|zsh|fish`: a completion script generated from the argument parser itself,
so it names every command and option the installed version has (no extra dependency).

bash: `source <(ahq-history completion bash)`; zsh: `source <(ahq-history completion zsh)` (after
`compinit`); fish: `ahq-history completion fish > ~/.config/fish/completions/ahq-history.fish`.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass

from ahq_history.core.errors import EXIT_OK

SHELLS = ("bash", "zsh", "fish")
PROG = "ahq-history"


@dataclass(frozen=True)
class Option:
    strings: tuple[str, ...]
    help: str
    takes_value: bool
    choices: tuple[str, ...]
    is_file: bool


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    options: tuple[Option, ...]
    words: tuple[str, ...]  # the choices of its positional arguments (`hooks install`, ...)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete for")


def run(args: argparse.Namespace) -> int:
    commands = commands_of(args.parser)
    print({"bash": bash_script, "zsh": zsh_script, "fish": fish_script}[args.shell](commands), end="")
    return EXIT_OK


def commands_of(parser: argparse.ArgumentParser) -> list[Command]:
    """Each command of the parser with its options, read from argparse's own actions; `""` is the top."""
    found = [Command("", "", _options(parser), ())]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: _short_help(choice.help) for choice in action._choices_actions}
            for name, sub in action.choices.items():
                words = tuple(str(c) for a in sub._actions if not a.option_strings for c in (a.choices or ()))
                found.append(Command(name, helps.get(name, ""), _options(sub), words))
    return found


def _options(parser: argparse.ArgumentParser) -> tuple[Option, ...]:
    return tuple(
        Option(tuple(a.option_strings), _short_help(a.help), a.nargs != 0,
               tuple(str(c) for c in a.choices or ()), a.metavar in ("PATH", "FILE"))
        for a in parser._actions
        if a.option_strings and a.help != argparse.SUPPRESS
    )


def _short_help(text: str | None) -> str:
    """The help's first clause, without characters that a shell's quoting would have to carry."""
    first = re.split(r"[;(]", text or "")[0].strip()
    return re.sub(r"[^\w ,./@+=-]", "", first)[:70].strip()


def bash_script(commands: list[Command]) -> str:
    words = {c.name: " ".join([*(c.words or ()), *(s for o in c.options for s in o.strings)])
             for c in commands}
    words[""] = " ".join([*(c.name for c in commands if c.name), words[""]])
    cases = "".join(f'        "{name}") opts="{text}" ;;\n' for name, text in words.items())
    values = "".join(
        f'        "{c.name}:{s}") COMPREPLY=($(compgen -W "{" ".join(o.choices)}" -- "$cur")); return ;;\n'
        for c in commands for o in c.options if o.choices for s in o.strings)
    files = "|".join(dict.fromkeys(s for c in commands for o in c.options if o.is_file for s in o.strings))
    return f"""# bash completion for {PROG}: source <({PROG} completion bash)
_ahq_history() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}" cmd="" i opts
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${{COMP_WORDS[i]}}" in
            -c|--config) ((i++)) ;;
            -*) ;;
            *) cmd="${{COMP_WORDS[i]}}"; break ;;
        esac
    done
    case "$prev" in
        {files}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    esac
    case "$cmd:$prev" in
{values}    esac
    case "$cmd" in
{cases}        *) opts="" ;;
    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}}
complete -F _ahq_history {PROG}
"""


def zsh_script(commands: list[Command]) -> str:
    described = " ".join(f"'{c.name}:{c.help}'" for c in commands if c.name)
    cases = "".join(f"        {c.name}) _arguments {_zsh_specs(c)} ;;\n" for c in commands if c.name)
    return f"""#compdef {PROG}
# zsh completion for {PROG}: source <({PROG} completion zsh), after compinit
_ahq_history() {{
    local -a commands
    commands=({described})
    if (( CURRENT == 2 )); then
        _describe 'command' commands
        return
    fi
    case ${{words[2]}} in
{cases}    esac
}}
compdef _ahq_history {PROG}
"""


def _zsh_specs(command: Command) -> str:
    specs = [f"'1:word:({' '.join(command.words)})'"] if command.words else []
    for option in command.options:
        for string in option.strings:
            value = ""
            if option.takes_value:
                value = f":value:({' '.join(option.choices)})" if option.choices else (
                    ":path:_files" if option.is_file else ":value:")
            specs.append(f"'{string}[{option.help}]{value}'")
    return " ".join(specs)


def fish_script(commands: list[Command]) -> str:
    lines = [f"# fish completion for {PROG}: {PROG} completion fish > ~/.config/fish/completions/{PROG}.fish",
             f"complete -c {PROG} -f"]
    for command in commands:
        when = f"__fish_seen_subcommand_from {command.name}" if command.name else "__fish_use_subcommand"
        if command.name:
            lines.append(f"complete -c {PROG} -n __fish_use_subcommand -a {command.name} -d '{command.help}'")
        if command.words:
            lines.append(f"complete -c {PROG} -n '{when}' -x -a '{' '.join(command.words)}'")
        lines.extend(f"complete -c {PROG} -n '{when}' {_fish_option(option)}" for option in command.options)
    return "\n".join(lines) + "\n"


def _fish_option(option: Option) -> str:
    names = " ".join(f"-l {s[2:]}" if s.startswith("--") else f"-s {s[1:]}" for s in option.strings)
    value = ""
    if option.takes_value:
        value = f" -x -a '{' '.join(option.choices)}'" if option.choices else (
            " -r -F" if option.is_file else " -r")
    return f"{names}{value} -d '{option.help}'"

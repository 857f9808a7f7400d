"""Commands are argument lists, rendered once with every word quoted for a POSIX shell."""

from __future__ import annotations

import pytest

from ahq_history.core.shell import (
    command_chain,
    command_line,
    split_configured,
)


def test_plain_words_stay_unquoted() -> None:
    assert command_line(["ahq-history", "merge-heads", "--rebase", "a1b2c3d4e5f6"]) == (
        "ahq-history merge-heads --rebase a1b2c3d4e5f6")


@pytest.mark.parametrize("word", ["x$(touch pwned)", "y`touch pwned`", "z;touch pwned", "it's", "a b", ""],
                         ids=["dollar-paren", "backticks", "semicolon", "quote", "space", "empty"])
def test_each_hostile_word_round_trips_through_the_shell_split(word: str) -> None:
    assert split_configured(command_line(["git", "checkout", word])) == ["git", "checkout", word]


def test_a_chain_runs_the_second_command_only_after_the_first() -> None:
    assert command_chain(["pip", "install", "-e", "/a b"], ["ahq-history", "hooks", "install"]) == (
        "pip install -e '/a b' && ahq-history hooks install")


def test_a_configured_command_is_split_as_a_shell_would_and_its_operators_become_words() -> None:
    assert split_configured("flask --app 'backend.run' db upgrade && curl x") == [
        "flask", "--app", "backend.run", "db", "upgrade", "&&", "curl", "x"]


def test_a_configured_command_with_an_open_quote_does_not_split() -> None:
    with pytest.raises(ValueError, match="quotation"):
        split_configured("flask db upgrade 'x")

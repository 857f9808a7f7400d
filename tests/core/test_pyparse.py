"""Parsing other people's Python text warns nothing: Python's warning would quote their bytes raw."""

from __future__ import annotations

import warnings

import pytest

from ahq_history.core.envsource import env_connection
from ahq_history.core.opread import read_operations
from ahq_history.core.pyparse import parse_quietly
from ahq_history.report.detail import function_source

# A backslash before an ESC in a docstring: an invalid escape sequence, which Python's parser warns about
# (a SyntaxWarning, printed by default, from Python 3.12), quoting the ESC raw.
ESCAPE_IN_DOCSTRING = '"""add \\\x1b]0;pwned\x07 table"""\n\n\ndef upgrade():\n    op.drop_table("t")\n'


@pytest.fixture(autouse=True)
def warnings_fail() -> None:
    warnings.simplefilter("error")  # pytest restores the filters after each test


def test_invalid_escape_before_an_esc_warns_nothing_when_parsed() -> None:
    assert parse_quietly(ESCAPE_IN_DOCSTRING).body


def test_invalid_escape_before_an_esc_warns_nothing_when_its_operations_are_read() -> None:
    assert read_operations(ESCAPE_IN_DOCSTRING).error is None


def test_invalid_escape_before_an_esc_warns_nothing_when_a_function_is_shown() -> None:
    assert function_source(ESCAPE_IN_DOCSTRING, "upgrade") == (4, 'def upgrade():\n    op.drop_table("t")')


def test_invalid_escape_before_an_esc_in_env_py_warns_nothing() -> None:
    assert env_connection(ESCAPE_IN_DOCSTRING, {}).detail.startswith("env.py does not read sqlalchemy.url")

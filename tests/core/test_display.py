"""The one sanitizer for text from outside: what a terminal would act on or hide is shown as an escape."""

from __future__ import annotations

import pytest

from ahq_history.core.display import clean, clean_lines


@pytest.mark.parametrize(("raw", "shown"), [
    ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),  # CSI colour
    ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),  # OSC 0 window title
    ("\x1b]8;;evil.example\x07click\x1b]8;;\x07", "\\x1b]8;;evil.example\\x07click\\x1b]8;;\\x07"),  # OSC 8
    ("\x9b31m", "\\x9b31m"),  # 8-bit CSI (C1)
    ("a\x7fb", "a\\x7fb"),  # DEL
    ("\u202egnp.exe", "\\u202egnp.exe"),  # right-to-left override
    ("\u2066x\u2069", "\\u2066x\\u2069"),  # left-to-right isolate ... pop directional isolate
    ("a\u200bb", "a\\u200bb"),  # zero-width space hides a difference between two names
    ("a\u2028b", "a\\u2028b"),  # line separator
    ("bad\udcffname", "bad\\udcffname"),  # a non-UTF-8 file name decoded with surrogateescape
    ("over\rwrite", "over\\x0dwrite"),  # carriage return
], ids=["csi", "osc-title", "osc8-link", "c1-csi", "del", "rlo", "isolates", "zwsp", "line-separator",
        "surrogate", "carriage-return"])
def test_attack_is_shown_as_a_visible_escape(raw: str, shown: str) -> None:
    assert clean(raw) == shown


def test_plain_and_non_ascii_text_is_unchanged() -> None:
    assert clean("add users.phone — Zoë 日本 👩‍💻") == "add users.phone — Zoë 日本 👩‍💻"


def test_single_line_value_escapes_newline_and_tab() -> None:
    assert clean("a\nNext: rm -rf ~\tb") == "a\\x0aNext: rm -rf ~\\x09b"


def test_multiline_text_keeps_newline_and_tab_but_not_carriage_return() -> None:
    assert clean("one\n\ttwo\r", multiline=True) == "one\n\ttwo\\x0d"


def test_clean_lines_cleans_each_line_as_one_line() -> None:
    assert clean_lines(["head x\nforged", "\x1b[2J"]) == "head x\\x0aforged\n\\x1b[2J"


def test_a_value_that_is_not_text_is_shown_as_its_str() -> None:
    assert clean(3) == "3"

"""safe_text: no control character from data ever reaches the terminal."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ddtui.terminal_text import is_terminal_safe, safe_text

CONTROLS = [chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))]


def test_escape_sequences_become_visible_glyphs() -> None:
    hostile = "a\x1b[2J\x1b]0;TITLE\x07\x1b]52;c;aGk=\x07\x9b31mb\nc"
    shown = safe_text(hostile)
    assert shown == "a␛[2J␛]0;TITLE␇␛]52;c;aGk=␇\\x9b31mb⏎c"
    assert not any(char in shown for char in CONTROLS)


def test_long_text_is_cut_with_an_ellipsis() -> None:
    assert safe_text("x" * 1_000_000, 10) == "x" * 9 + "…"
    assert safe_text("short", 10) == "short"


def test_markup_and_wide_characters_stay_as_written() -> None:
    assert safe_text("[bold red]x[/] 表 🙂") == "[bold red]x[/] 表 🙂"


@given(st.text(), st.integers(0, 30))
def test_a_cut_equals_cutting_the_whole_safe_text(text: str, limit: int) -> None:
    whole = safe_text(text)
    expected = whole if len(whole) <= limit else whole[: max(limit - 1, 0)] + "…"
    assert safe_text(text, limit) == expected


@given(st.text())
def test_any_text_is_safe_after(text: str) -> None:
    shown = safe_text(text)
    assert is_terminal_safe(shown)
    assert not any(char in shown for char in CONTROLS)

"""The one way text from a database reaches a terminal: `safe_text`.

DAG ids, task ids, tags, table and column names, cell values, XComs and error messages that
quote them are written by other people than the one running ddtui. A control character in
them (ESC starting a CSI or OSC sequence, BEL, the C1 introducer U+009B, ...) would let
that text clear the screen, set the window title, write the user's clipboard (OSC 52) or
plant links (OSC 8). `safe_text` shows every such character as a visible glyph instead, so
nothing from data is ever emitted as a control sequence, and cuts very long text.

No Textual, Rich or plotext here: the CLI, the renderers and the TUI all call this.
"""

from __future__ import annotations

from typing import Final

ELLIPSIS: Final = "…"
NEWLINE_GLYPH: Final = "⏎"


def _visible_controls() -> dict[int, str]:
    table: dict[int, str] = {}
    # C0 controls as Unicode's control pictures: ESC -> ␛, BEL -> ␇, NUL -> ␀, TAB -> ␉.
    for code in range(0x20):
        table[code] = chr(0x2400 + code)
    table[0x0A] = NEWLINE_GLYPH
    table[0x7F] = "␡"  # DEL
    # C1 controls (0x9B is a one-byte CSI on terminals that honour 8-bit controls).
    for code in range(0x80, 0xA0):
        table[code] = f"\\x{code:02x}"
    # Line and paragraph separators break lines in some terminals.
    table[0x2028] = NEWLINE_GLYPH
    table[0x2029] = NEWLINE_GLYPH
    # Bidirectional overrides and isolates reorder what is shown ("Trojan Source").
    for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C):
        table[code] = f"<U+{code:04X}>"
    return table


_VISIBLE: Final = _visible_controls()


def safe_text(text: object, limit: int | None = None) -> str:
    """`text` as a string safe to write to a terminal: controls shown, cut to `limit` chars.

    Any object is accepted (its `str()` is shown). `limit` counts characters after the
    controls were made visible, the ellipsis included.
    """
    raw = text if isinstance(text, str) else str(text)
    if limit is not None and len(raw) > limit:
        # Each character shows as one or more: what lies past limit + 1 would be cut anyway,
        # and a 1 MB cell costs ~0.1 s to translate whole.
        raw = raw[: limit + 1]
    shown = raw.translate(_VISIBLE)
    if limit is not None and len(shown) > limit:
        return shown[: max(limit - 1, 0)] + ELLIPSIS
    return shown


def is_terminal_safe(text: str) -> bool:
    """True when `text` holds none of the characters `safe_text` replaces."""
    return not any(ord(char) in _VISIBLE for char in text)

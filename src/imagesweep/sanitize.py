"""Device output is untrusted: bound it, strip terminal control, keep it out of formulas
and out of file paths."""

from __future__ import annotations

import re

# CSI / OSC / other ESC sequences, then any remaining C0/C1 control except tab, CR, LF.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]{0,32}[ -/]{0,8}[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]{0,4096}(?:\x07|\x1b\\)?"  # OSC ... BEL/ST
    r"|\x1b[PX^_][^\x1b]{0,4096}(?:\x1b\\)?"  # DCS/SOS/PM/APC
    r"|\x1b[@-Z\\-_]?"  # two-byte escapes, or a lone ESC
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def clean_output(text: str, limit: int) -> tuple[str, bool]:
    """Terminal escapes and control characters removed, cut to ``limit`` characters.

    Returns the text and whether it was cut. Backspace-overwrites a pager leaves behind are
    removed with the rest of the control characters.
    """
    truncated = len(text) > limit
    if truncated:
        text = text[:limit]
    text = _ESCAPES.sub("", text)
    text = text.replace("\r\n", "\n")
    text = _CONTROL.sub("", text)
    return text.replace("\r", "\n"), truncated


def terminal(text: str) -> str:
    """Safe to print to a terminal: no escapes, no control characters but newline and tab."""
    return _CONTROL.sub("", _ESCAPES.sub("", text)).replace("\r", "")


def csv_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not evaluate (OWASP CSV injection rule)."""
    text = "" if value is None else str(value)
    text = terminal(text)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def safe_name(name: str, *, limit: int = 120) -> str:
    """A single path component made from untrusted text: no separators, no dot-dot."""
    cleaned = _UNSAFE_NAME.sub("_", name).strip("._") or "_"
    return cleaned[:limit]

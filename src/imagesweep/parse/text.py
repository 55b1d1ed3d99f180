"""Text helpers the platform parsers share: how engineers abbreviate keywords, and output
with a pasted ``prompt command`` echo or a trailing bare prompt around it."""

from __future__ import annotations

import re
from collections.abc import Callable

# A step's parser: ``(text, target) -> record(s)``; ParseError when not understood.
StepParser = Callable[[str, str], object]


def keyword(word: str, least: int) -> str:
    """Regex for a keyword typed with at least ``least`` letters: ``sh``, ``sho``, ``show``."""
    tail = "".join(f"(?:{c}" for c in word[least:]) + ")?" * (len(word) - least)
    return re.escape(word[:least]) + tail


def body(
    text: str, *, echo: re.Pattern[str], prompt_ends: str, edge: re.Pattern[str] | None = None
) -> list[str]:
    """Output lines without blank (or ``edge``) lines at either end, a pasted echo line
    matching ``echo`` first, and a bare prompt (``echo`` ending in one of ``prompt_ends``)
    last."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    def at_edge(line: str) -> bool:
        stripped = line.strip()
        return not stripped or bool(edge and edge.match(stripped))

    while lines and at_edge(lines[0]):
        lines.pop(0)
    if lines and echo.match(lines[0].strip()):
        lines.pop(0)
    while lines and at_edge(lines[-1]):
        lines.pop()
    if lines and echo.match(lines[-1].strip()) and lines[-1].strip()[-1] in prompt_ends:
        lines.pop()
    return lines

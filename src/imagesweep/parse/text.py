"""Text helpers the platform parsers share: how engineers abbreviate keywords, and output
with a pasted ``prompt command`` echo or a trailing bare prompt around it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

# A step's parser: ``(text, target) -> record(s)``; ParseError when not understood.
StepParser = Callable[[str, str], object]


def keyword(word: str, least: int) -> str:
    """Regex for a keyword typed with at least ``least`` letters: ``sh``, ``sho``, ``show``."""
    tail = "".join(f"(?:{c}" for c in word[least:]) + ")?" * (len(word) - least)
    return re.escape(word[:least]) + tail


def is_command(line: str, commands: Iterable[tuple[str, str]]) -> bool:
    """Whether ``line`` is, as a whole, a command of a family's ``COMMANDS`` table: the echo
    of a command saved without its prompt (``show boot``, ``dir disk0:``)."""
    line = " ".join(line.split())
    return any(re.fullmatch(pattern, line, re.IGNORECASE) for pattern, _ in commands)


def body(
    text: str,
    *,
    echo: re.Pattern[str],
    prompt_ends: str,
    edge: re.Pattern[str] | None = None,
    commands: Iterable[tuple[str, str]] = (),
) -> list[str]:
    """Output lines without blank (or ``edge``) lines at either end, a pasted echo line
    first (matching ``echo``, or a bare command of ``commands``), and a bare prompt
    (``echo`` ending in one of ``prompt_ends``) last."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    def at_edge(line: str) -> bool:
        stripped = line.strip()
        return not stripped or bool(edge and edge.match(stripped))

    while lines and at_edge(lines[0]):
        lines.pop(0)
    if lines and (echo.match(lines[0].strip()) or is_command(lines[0], commands)):
        lines.pop(0)
    while lines and at_edge(lines[-1]):
        lines.pop()
    if lines and echo.match(lines[-1].strip()) and lines[-1].strip()[-1] in prompt_ends:
        lines.pop()
    return lines


_UNIT = {
    "year": 365 * 86400,
    "week": 7 * 86400,
    "day": 86400,
    "hour": 3600,
    "minute": 60,
    "second": 1,
}
_PART = re.compile(r"(\d+)\s*(year|week|day|hour|minute|second)s?", re.IGNORECASE)
_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})(?::(\d{2}))?\b")


def uptime_seconds(text: str) -> int | None:
    """Seconds of an uptime as devices print it (``12 weeks, 3 days, 4 hours, 10 minutes``,
    ``4 day(s), 3 hour(s)``, ``3 days, 04:10:22``); ``None`` when it is not one."""
    text = text.replace("(s)", "s").strip()
    parts = _PART.findall(text)
    clock = _CLOCK.search(text)
    if not parts and not clock:
        return None
    total = sum(int(n) * _UNIT[unit.lower()] for n, unit in parts)
    if clock:
        hours, minutes, seconds = (int(g) if g else 0 for g in clock.groups())
        total += hours * 3600 + minutes * 60 + seconds
    return total

"""Parse stage: raw device text -> typed records. Pure functions, no I/O beyond templates.

Each platform family has one module here exposing ``STEPS``: a mapping from plan step name to
a function ``(text, target) -> record`` (``target`` is the filesystem or path the command was
about, "" when none), and ``COMMANDS``: ordered ``(regex, step)`` pairs that map a command as
an engineer types it (abbreviations included) to its step, for ``imagesweep parse``.
A parser that does not understand its input raises :class:`ParseError`; it never guesses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from types import ModuleType

from imagesweep.errors import ParseError

StepParser = Callable[[str, str], object]


def _family(platform: str) -> ModuleType:
    # Imported lazily: a sweep of one platform should not pay for every other's templates.
    from imagesweep.platforms import profile

    family = profile(platform).parser
    module = __import__(f"imagesweep.parse.{family}", fromlist=["STEPS"])
    return module


def steps(platform: str) -> Mapping[str, StepParser]:
    steps_: Mapping[str, StepParser] = _family(platform).STEPS
    return steps_


def parse_step(platform: str, step: str, text: str, target: str = "") -> object:
    """Parse the output of one plan step; ParseError when it is not understood."""
    parser = steps(platform).get(step)
    if parser is None:
        raise ParseError(f"no parser for step {step!r} on {platform}")
    return parser(text, target)


def command_step(platform: str, command: str) -> str:
    """The plan step a typed command belongs to (``sh fla`` -> ``listing``)."""
    table: tuple[tuple[str, str], ...] = _family(platform).COMMANDS
    typed = " ".join(command.split())
    for pattern, step in table:
        if re.fullmatch(pattern, typed, flags=re.IGNORECASE):
            return step
    raise ParseError(f"no parser for command {command!r} on {platform}")

"""Parse stage: raw device text -> typed records. Pure functions, no I/O beyond templates.

Each platform family has one module here exposing ``STEPS``: a mapping from plan step name to
a function ``(text, target) -> record`` (``target`` is the filesystem or path the command was
about, "" when none), and ``COMMANDS``: ordered ``(regex, step)`` pairs that map a command as
an engineer types it (abbreviations included) to its step, for ``imagesweep parse``.
A parser that does not understand its input raises :class:`ParseError`; it never guesses.
:data:`FAMILIES` is the explicit registry: canonical platform key -> its family's module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import ModuleType

from imagesweep.errors import ParseError
from imagesweep.parse import cisco_ios, cisco_nxos, cisco_xr, juniper_junos, paloalto_panos
from imagesweep.parse.text import StepParser
from imagesweep.platforms import canonical

FAMILIES: Mapping[str, ModuleType] = {
    "cisco_ios": cisco_ios,
    "cisco_xe": cisco_ios,  # IOS-XE prints IOS's layouts; one module and one template set
    "cisco_nxos": cisco_nxos,
    "cisco_xr": cisco_xr,
    "juniper_junos": juniper_junos,
    "paloalto_panos": paloalto_panos,
}


def steps(platform: str) -> Mapping[str, StepParser]:
    steps_: Mapping[str, StepParser] = FAMILIES[canonical(platform)].STEPS
    return steps_


def parse_step(platform: str, step: str, text: str, target: str = "") -> object:
    """Parse the output of one plan step; ParseError when it is not understood."""
    parser = steps(platform).get(step)
    if parser is None:
        raise ParseError(f"no parser for step {step!r} on {platform}")
    return parser(text, target)


def command_step(platform: str, command: str) -> str:
    """The plan step a typed command belongs to (``sh fla`` -> ``listing``)."""
    table: tuple[tuple[str, str], ...] = FAMILIES[canonical(platform)].COMMANDS
    typed = " ".join(command.split())
    for pattern, step in table:
        if re.fullmatch(pattern, typed, flags=re.IGNORECASE):
            return step
    raise ParseError(f"no parser for command {command!r} on {platform}")


__all__ = ["FAMILIES", "StepParser", "command_step", "parse_step", "steps"]

"""``imagesweep parse``: the parsed record of one saved output, as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

import click

from imagesweep.parse import command_step, parse_step
from imagesweep.platforms import canonical


@click.command()
@click.argument("platform")
@click.argument("command")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--target", default="", help="Filesystem or path the command was about.")
def parse(platform: str, command: str, file: Path, target: str) -> None:
    """Print the parsed record of one saved output as JSON."""
    platform = canonical(platform)
    step = command_step(platform, command)
    text = file.read_text(encoding="utf-8", errors="replace")
    record = parse_step(platform, step, text, target or _target_of(command))
    click.echo(
        json.dumps(
            {"platform": platform, "command": command, "step": step, "record": _jsonable(record)},
            indent=2,
        )
    )


def _target_of(command: str) -> str:
    """The filesystem or path a typed command names; ``sh fla`` means ``flash:``."""
    words = command.split("|")[0].split()
    if len(words) > 1 and ":" in words[-1]:
        return words[-1]
    if len(words) == 2 and "flash".startswith(words[1].lower()) and len(words[1]) >= 3:
        return "flash:"
    return ""


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {"type": type(value).__name__, **asdict(value)}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value

"""TextFSM through ntc-templates' index and through the project's own ``templates/`` index.

The indexes only say which template parses a command; a sweep asks the same few questions
thousands of times, so the answer is cached (bounded: commands carry file names), and each
template is compiled once per parse running at the same time, kept in a pool and reset
before each use: a few copies, not one per session thread. (CliTable would, on every parse,
match the command against every row of the index and compile the template anew, under one
process-wide lock.)
A template that hits an ``Error`` state, or an index with no template for the command, is a
ParseError; an empty result is returned as an empty list for the caller to judge.
"""

from __future__ import annotations

import functools
import io
import threading
from pathlib import Path
from typing import Any

import textfsm
from textfsm import clitable

from imagesweep.errors import ParseError

_LOCK = threading.Lock()
_CHOSEN: dict[tuple[str, str, str], tuple[str, ...]] = {}
_CHOSEN_MAX = 4096
_IDLE: dict[str, list[textfsm.TextFSM]] = {}  # template path -> compiled, not in use


@functools.cache
def own_template_dir() -> Path:
    """The project's own templates, shipped inside this package."""
    return Path(__file__).resolve().parent / "templates"


@functools.cache
def ntc_template_dir() -> Path:
    import ntc_templates

    return Path(ntc_templates.__file__).resolve().parent / "templates"


@functools.cache
def index_table(template_dir: str) -> clitable.CliTable:
    """The CliTable of a template directory's ``index`` (read once)."""
    return clitable.CliTable("index", template_dir)


@functools.cache
def _source(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def _templates(template_dir: str, platform: str, command: str) -> tuple[str, ...]:
    """The template files the index names for ``command`` on ``platform`` (may be empty)."""
    key = (template_dir, platform, command)
    with _LOCK:
        if key not in _CHOSEN:
            table = index_table(template_dir)
            row = table.index.GetRowMatch({"Command": command, "Platform": platform})
            names = table.index.index[row]["Template"].split(":") if row else []
            if len(_CHOSEN) >= _CHOSEN_MAX:
                _CHOSEN.clear()
            _CHOSEN[key] = tuple(str(Path(template_dir) / name) for name in names)
        return _CHOSEN[key]


def _parse(path: str, text: str) -> tuple[list[str], list[list[Any]]]:
    """(header, rows) of ``text`` through the template at ``path``, on a pooled copy."""
    with _LOCK:
        idle = _IDLE.setdefault(path, [])
        fsm = idle.pop() if idle else None
    if fsm is None:
        fsm = textfsm.TextFSM(io.StringIO(_source(path)))
    try:
        fsm.Reset()
        rows: list[list[Any]] = fsm.ParseText(text)
        return list(fsm.header), rows
    finally:
        with _LOCK:
            _IDLE[path].append(fsm)


def _run(template_dir: Path, platform: str, command: str, text: str) -> list[dict[str, Any]]:
    try:
        paths = _templates(str(template_dir), platform, command)
        if not paths:
            raise ParseError(f"{platform} {command!r}: no template in {template_dir.name}/index")
        if len(paths) > 1:  # merged tables: CliTable's own logic, on a table of this call's
            table = clitable.CliTable("index", str(template_dir))
            table.ParseCmd(text, templates=":".join(Path(p).name for p in paths))
            header, rows = list(table.header), [list(row) for row in table]
        else:
            header, rows = _parse(paths[0], text)
    except (clitable.CliTableError, textfsm.TextFSMError, OSError) as exc:
        raise ParseError(f"{platform} {command!r}: {exc}") from exc
    names = [h.lower() for h in header]
    return [dict(zip(names, row, strict=True)) for row in rows]


def ntc(platform: str, command: str, text: str) -> list[dict[str, Any]]:
    """Records from ntc-templates' template for ``command`` on ``platform``."""
    return _run(ntc_template_dir(), platform, command, text)


def own(platform: str, command: str, text: str) -> list[dict[str, Any]]:
    """Records from the project's own template (``templates/index``) for ``command``."""
    return _run(own_template_dir(), platform, command, text)

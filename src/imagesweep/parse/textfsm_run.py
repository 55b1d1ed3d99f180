"""TextFSM through ntc-templates' index and through the project's own ``templates/`` index.

CliTable objects are built once per template directory and reused: loading the index is the
expensive part (~90 ms); parsing a small output afterwards takes well under a millisecond.
A template that hits an ``Error`` state, or an index with no template for the command, is a
ParseError; an empty result is returned as an empty list for the caller to judge.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import textfsm
from textfsm import clitable

from imagesweep.errors import ParseError

_TABLES = threading.local()


def own_template_dir() -> Path:
    """The project's own templates, shipped inside this package."""
    return Path(__file__).resolve().parent / "templates"


def ntc_template_dir() -> Path:
    import ntc_templates

    return Path(ntc_templates.__file__).resolve().parent / "templates"


def _table(template_dir: str) -> clitable.CliTable:
    # CliTable keeps parse state on the object, so each thread keeps its own.
    tables: dict[str, clitable.CliTable] = _TABLES.__dict__.setdefault("tables", {})
    if template_dir not in tables:
        tables[template_dir] = clitable.CliTable("index", template_dir)
    return tables[template_dir]


def _run(template_dir: Path, platform: str, command: str, text: str) -> list[dict[str, Any]]:
    table = _table(str(template_dir))
    try:
        table.ParseCmd(text, {"Command": command, "Platform": platform})
    except (clitable.CliTableError, textfsm.TextFSMError) as exc:
        raise ParseError(f"{platform} {command!r}: {exc}") from exc
    header = [h.lower() for h in table.header]
    return [dict(zip(header, row, strict=True)) for row in table]


def ntc(platform: str, command: str, text: str) -> list[dict[str, Any]]:
    """Records from ntc-templates' template for ``command`` on ``platform``."""
    return _run(ntc_template_dir(), platform, command, text)


def own(platform: str, command: str, text: str) -> list[dict[str, Any]]:
    """Records from the project's own template (``templates/index``) for ``command``."""
    return _run(own_template_dir(), platform, command, text)

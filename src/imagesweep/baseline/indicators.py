"""Published implant indicators (``implant_markers.yaml``, plus ``--implant-markers FILE``).

Data, not code: each indicator is a literal string with the publication it comes from, so a
finding can say where the indicator was published. Strict loading: unknown keys, empty text,
a missing source or a repeated id are a :class:`ConfigError` naming the file."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from imagesweep.errors import ConfigError
from imagesweep.files import load_yaml

_KEYS = {"id", "text", "source", "note"}


@dataclass(frozen=True)
class Indicator:
    id: str
    text: str  # matched literally, case-sensitive
    source: str  # the publication, so the finding can cite it
    note: str = ""


def packaged_path() -> Path:
    return Path(str(files("imagesweep.baseline").joinpath("implant_markers.yaml")))


def load(path: Path) -> tuple[Indicator, ...]:
    data: Any = load_yaml(path) or {}
    if not isinstance(data, dict) or set(data) - {"indicators"}:
        raise ConfigError(f"{path}: expected a mapping with one key, indicators")
    raw = data.get("indicators") or []
    if not isinstance(raw, list):
        raise ConfigError(f"{path}: indicators must be a list")
    found: list[Indicator] = []
    for number, entry in enumerate(raw, 1):
        if not isinstance(entry, dict) or set(entry) - _KEYS:
            raise ConfigError(f"{path}: indicator {number}: keys are {', '.join(sorted(_KEYS))}")
        values = {k: str(entry.get(k) or "") for k in _KEYS}
        if not values["id"] or not values["text"] or not values["source"]:
            raise ConfigError(f"{path}: indicator {number}: id, text and source are required")
        found.append(Indicator(values["id"], values["text"], values["source"], values["note"]))
    ids = [i.id for i in found]
    if len(ids) != len(set(ids)):
        raise ConfigError(f"{path}: indicator ids must be unique")
    return tuple(found)


def load_all(extra: Path | None = None) -> tuple[Indicator, ...]:
    """The packaged indicators and, with ``extra``, the user's."""
    return load(packaged_path()) + (load(extra) if extra else ())

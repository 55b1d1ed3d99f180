"""The hunt's detection as data: indicator classes and field extractors from indicators.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from imagesweep import files
from imagesweep.errors import ConfigError
from imagesweep.hunt.match import Matcher, terms

# The rule's projected columns, in the rule's order (the contract of hunt.csv).
EXTRACTED_FIELDS = ("ExtractedUser", "ExtractedCommand", "SourceTransferIP", "SyslogFacility")
CLASS_COLUMNS = ("IsImageTransfer", "IsBootManipulation", "IsIntegrityAlert", "IsFlashWrite")


@dataclass(frozen=True)
class Indicator:
    text: str  # as written in the data file
    confidence: str = "normal"  # "low": found in no vendor document
    origin: str = "seed"  # "seed" or "imagesweep"
    note: str = ""


@dataclass(frozen=True)
class IndicatorClass:
    name: str  # "image_transfer"
    column: str  # "IsImageTransfer"
    label: str  # short name for the terminal summary
    require: tuple[tuple[Indicator, ...], ...]  # every group must have one match (has_any each)


@dataclass(frozen=True)
class Indicators:
    classes: tuple[IndicatorClass, ...]
    extractors: dict[str, tuple[str, ...]]  # field -> regexes, first match wins
    source: str  # where they were loaded from

    def cls(self, name: str) -> IndicatorClass:
        for c in self.classes:
            if c.name == name:
                return c
        raise KeyError(name)


def default_path() -> Path:
    return Path(str(resources.files("imagesweep.hunt").joinpath("indicators.yaml")))


def load(path: Path | None = None) -> Indicators:
    """Read and check an indicators file (the packaged one by default)."""
    where = path or default_path()
    return parse(files.load_yaml(where), source=str(where))


def _known(data: dict[Any, Any], allowed: tuple[str, ...], where: str) -> None:
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(allowed)})"
        )


def parse(data: object, *, source: str = "<data>") -> Indicators:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level")
    _known(data, ("version", "classes", "extract"), source)
    raw_classes = data.get("classes")
    if not isinstance(raw_classes, list) or not raw_classes:
        raise ConfigError(f"{source}: 'classes' must be a non-empty list")
    classes = tuple(_parse_class(item, source) for item in raw_classes)
    columns = sorted(c.column for c in classes)
    if columns != sorted(CLASS_COLUMNS):
        raise ConfigError(
            f"{source}: the classes must fill each of {', '.join(CLASS_COLUMNS)} exactly once"
        )
    extractors = _parse_extractors(data.get("extract"), source)
    return Indicators(classes=classes, extractors=extractors, source=source)


def _parse_class(item: object, source: str) -> IndicatorClass:
    if not isinstance(item, dict):
        raise ConfigError(f"{source}: each class must be a mapping")
    _known(item, ("name", "column", "label", "require"), f"{source}: class {item.get('name')}")
    name, column = item.get("name"), item.get("column")
    if not isinstance(name, str) or not isinstance(column, str):
        raise ConfigError(f"{source}: a class needs 'name' and 'column' strings")
    groups = item.get("require")
    if not isinstance(groups, list) or not groups:
        raise ConfigError(f"{source}: class {name}: 'require' must be a non-empty list of lists")
    parsed: list[tuple[Indicator, ...]] = []
    for group in groups:
        if not isinstance(group, list) or not group:
            raise ConfigError(f"{source}: class {name}: each 'require' entry must be a list")
        parsed.append(tuple(_parse_indicator(entry, f"{source}: class {name}") for entry in group))
    label = item.get("label", name)
    return IndicatorClass(name=name, column=column, label=str(label), require=tuple(parsed))


def _parse_indicator(entry: object, where: str) -> Indicator:
    fields: dict[str, Any] = {"term": entry} if isinstance(entry, str) else entry  # type: ignore[assignment]
    if not isinstance(fields, dict) or not isinstance(fields.get("term"), str):
        raise ConfigError(f"{where}: an indicator must be a string or have a 'term' string")
    _known(fields, ("term", "confidence", "origin", "note"), f"{where}: {fields['term']!r}")
    text: str = fields["term"]
    if not terms(text):
        raise ConfigError(f"{where}: indicator {text!r} has no letters or digits to match")
    confidence = str(fields.get("confidence", "normal"))
    if confidence not in ("normal", "low"):
        raise ConfigError(f"{where}: indicator {text!r}: confidence must be 'normal' or 'low'")
    return Indicator(
        text=text,
        confidence=confidence,
        origin=str(fields.get("origin", "seed")),
        note=str(fields.get("note", "")),
    )


def _parse_extractors(raw: object, source: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: 'extract' must be a mapping of field -> list of regexes")
    _known(raw, EXTRACTED_FIELDS, f"{source}: extract")
    out: dict[str, tuple[str, ...]] = {}
    for field in EXTRACTED_FIELDS:
        patterns = raw.get(field)
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise ConfigError(f"{source}: extract.{field} must be a list of regex strings")
        for pattern in patterns:
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                raise ConfigError(
                    f"{source}: extract.{field}: bad regex {pattern!r}: {exc}"
                ) from exc
            if compiled.groups < 1:
                raise ConfigError(f"{source}: extract.{field}: {pattern!r} has no group")
        out[field] = tuple(patterns)
    return out


def matcher_for(indicators: Indicators) -> Matcher:
    """The compiled matcher for these classes, in the file's order."""
    return Matcher([(c.name, [[i.text for i in g] for g in c.require]) for c in indicators.classes])

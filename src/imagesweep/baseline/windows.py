"""Maintenance windows and approved changes (``--windows FILE``).

```yaml
windows:
  - name: CHG-4711             # named in every finding it approves
    hosts: [r1-core]           # and/or groups: [branch]  (at least one of them)
    start: 2026-12-01T22:00:00Z
    end: 2026-12-02T04:00:00Z
    expect_version: "17.9.4a"  # optional: approve only if the device now runs this
    expect_image: cat9k_iosxe.17.09.04a.SPA.bin   # optional: running or boot image
    rules: [VERSION_CHANGED, BOOT_CHANGED]         # optional: default every drift rule
                                                   # but IMAGE_CHANGED and MEMORY_TEXT_CHANGED
```

Drift a window matches (host or group, overlapping the time between the two sweeps, the
expectation met) is reported as ``info`` naming the window, never hidden. Unknown keys,
rules or unreadable times are a :class:`ConfigError` naming the file.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from imagesweep.baseline.prior import Window
from imagesweep.errors import ConfigError
from imagesweep.files import load_yaml

_KEYS = ("name", "hosts", "groups", "start", "end", "expect_version", "expect_image", "rules")


def _time(path: Path, where: str, value: object) -> datetime:
    if isinstance(value, datetime):
        stamp = value
    elif isinstance(value, date):
        stamp = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            stamp = datetime.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"{path}: {where}: not an ISO 8601 time: {value!r}") from None
    else:
        raise ConfigError(f"{path}: {where}: expected a time, got {value!r}")
    # YAML timestamps without an offset are UTC (YAML 1.1); PyYAML returns them naive.
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def _names(path: Path, where: str, value: object) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: {where}: expected a list of names")
    return frozenset(value)


def load(path: Path, *, rule_ids: Collection[str]) -> tuple[Window, ...]:
    """The windows in ``path``; ``rule_ids`` are the drift rules a window may name."""
    data: Any = load_yaml(path) or {}
    if not isinstance(data, dict) or set(data) - {"windows"}:
        raise ConfigError(f"{path}: expected a mapping with one key, windows")
    entries = data.get("windows") or []
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: windows: expected a list")
    windows = []
    for n, entry in enumerate(entries, 1):
        where = f"windows[{n}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: {where}: expected a mapping")
        unknown = sorted(set(entry) - set(_KEYS))
        if unknown:
            raise ConfigError(
                f"{path}: {where}: unknown key(s) {', '.join(map(str, unknown))} "
                f"(known: {', '.join(_KEYS)})"
            )
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{path}: {where}: name is required")
        where = f"{where} ({name})"
        for key in ("start", "end"):
            if key not in entry:
                raise ConfigError(f"{path}: {where}: {key} is required")
        start, end = (
            _time(path, f"{where}.start", entry["start"]),
            _time(path, f"{where}.end", entry["end"]),
        )
        if end <= start:
            raise ConfigError(f"{path}: {where}: end is not after start")
        hosts = _names(path, f"{where}.hosts", entry.get("hosts"))
        groups = _names(path, f"{where}.groups", entry.get("groups"))
        if not hosts and not groups:
            raise ConfigError(f"{path}: {where}: name hosts or groups")
        rules = _names(path, f"{where}.rules", entry.get("rules"))
        bad = sorted(rules - set(rule_ids))
        if bad:
            raise ConfigError(f"{path}: {where}: not a drift rule: {', '.join(bad)}")
        expect = {}
        for key in ("expect_version", "expect_image"):
            value = entry.get(key, "")
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise ConfigError(f"{path}: {where}.{key}: expected text")
            expect[key] = str(value)
        windows.append(
            Window(
                name=name.strip(),
                start=start,
                end=end,
                hosts=hosts,
                groups=groups,
                rules=rules,
                expect_version=expect["expect_version"],
                expect_image=expect["expect_image"],
            )
        )
    return tuple(windows)

"""A device's filesystems as a read-only tree, built once from its fleet entry.

Cisco paths are ``<fs>:<path>``; Junos paths are absolute Unix paths whose volume is the
longest listed directory that holds them (``/var/tmp``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from imagesweep.lab.fleet import Device, LabFile
from imagesweep.lab.hardware import FsSpec

_TYPED = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):(.*)$")


@dataclass(frozen=True)
class Entry:
    rel: str  # path inside the filesystem, "" for its root: "sub/x.bin"
    is_dir: bool
    size: int
    modified: datetime
    file: LabFile | None = None  # None for directories implied by their files

    @property
    def name(self) -> str:
        return self.rel.rsplit("/", 1)[-1]


@dataclass
class Volume:
    spec: FsSpec
    entries: dict[str, Entry] = field(default_factory=dict)  # rel -> entry, in listing order
    children: dict[str, list[str]] = field(default_factory=dict)  # dir rel -> child rels

    @property
    def used(self) -> int:
        return sum(e.size for e in self.entries.values() if not e.is_dir) + 4096 * sum(
            1 for e in self.entries.values() if e.is_dir
        )

    @property
    def free(self) -> int:
        return max(self.spec.size - self.used, 0)

    def add(self, rel: str, entry: Entry) -> None:
        parent = rel.rsplit("/", 1)[0] if "/" in rel else ""
        if parent and parent not in self.entries:
            self.add(parent, Entry(rel=parent, is_dir=True, size=0, modified=entry.modified))
        if rel not in self.entries:
            self.children.setdefault(parent, []).append(rel)
        self.entries[rel] = entry
        if entry.is_dir:
            self.children.setdefault(rel, [])

    def walk(self, rel: str = "") -> list[str]:
        """Directories under ``rel`` (itself first), depth first in listing order."""
        result = [rel]
        for child in self.children.get(rel, []):
            if self.entries[child].is_dir:
                result.extend(self.walk(child))
        return result

    def all_entries(self, rel: str = "") -> list[Entry]:
        """Every entry, each directory followed by its contents (``show flash:`` order)."""
        ordered: list[Entry] = []
        for child in self.children.get(rel, []):
            ordered.append(self.entries[child])
            if self.entries[child].is_dir:
                ordered.extend(self.all_entries(child))
        return ordered


@dataclass(frozen=True)
class Resolved:
    """A path as typed in a command, resolved against the device's filesystems."""

    volume: Volume
    rel: str  # normalised path inside the volume
    typed_fs: str  # the filesystem name as typed ("flash1:"), or the default one
    rest: str  # what followed the colon, as typed

    @property
    def shown(self) -> str:
        """How ``verify`` echoes the path: the primary filesystem name, the rest as typed."""
        return f"{self.volume.spec.name}{self.rest}"

    @property
    def canonical(self) -> str:
        return join(self.volume.spec.name, self.rel)


def join(volume: str, rel: str) -> str:
    """A volume name and a relative path as one path: ``flash:x.bin``, ``/var/tmp/x.tgz``."""
    if volume.startswith("/"):
        return f"{volume.rstrip('/')}/{rel}" if rel else volume
    return f"{volume}{rel}"


class Storage:
    def __init__(self, device: Device) -> None:
        self.default_fs = device.spec.default_fs
        self.volumes: dict[str, Volume] = {}
        self._names: dict[str, str] = {}
        for spec in device.spec.filesystems(device.members):
            self.volumes[spec.name] = Volume(spec)
            for alias in (spec.name, *spec.shown_aliases, *spec.hidden_aliases):
                self._names[alias] = spec.name
        for lab_file in device.files:
            fs, rel = self._split(lab_file.path)
            entry = Entry(
                rel=rel,
                is_dir=lab_file.is_dir,
                size=0 if lab_file.is_dir else lab_file.size,
                modified=lab_file.modified,
                file=lab_file,
            )
            self.volumes[fs].add(rel, entry)

    def _split(self, path: str) -> tuple[str, str]:
        """(volume name, path inside it) of a stored canonical path."""
        if path.startswith("/"):
            for name in sorted(self.volumes, key=len, reverse=True):
                if name.startswith("/") and (path + "/").startswith(name.rstrip("/") + "/"):
                    return name, path[len(name.rstrip("/")) :].strip("/")
            raise KeyError(path)
        fs, _, rel = path.partition(":")
        return f"{fs}:", rel

    def names(self) -> list[str]:
        """Every filesystem name a command may use."""
        return list(self._names)

    def volume(self, name: str) -> Volume | None:
        primary = self._names.get(name.lower())
        return self.volumes[primary] if primary else None

    def resolve(self, typed: str) -> Resolved | None:
        """None when the filesystem is not one of this device's."""
        if typed.startswith("/") and any(n.startswith("/") for n in self.volumes):
            clean = re.sub(r"/{2,}", "/", typed)
            try:
                name, rel = self._split(clean.rstrip("/") or "/")
            except KeyError:
                return None
            found = self.volumes[name]
            return Resolved(volume=found, rel=rel, typed_fs=name, rest=clean[len(name) :])
        match = _TYPED.match(typed)
        fs, rest = (f"{match.group(1).lower()}:", match.group(2)) if match else ("", typed)
        volume = self.volume(fs or self.default_fs)
        if volume is None:
            return None
        rel = re.sub(r"/{2,}", "/", rest).strip("/")
        return Resolved(volume=volume, rel=rel, typed_fs=fs or self.default_fs, rest=rest)

    def lookup(self, resolved: Resolved) -> Entry | None:
        if resolved.rel == "":
            return Entry(rel="", is_dir=True, size=0, modified=datetime(2023, 1, 2))
        return resolved.volume.entries.get(resolved.rel)

    def file_at(self, canonical_path: str) -> LabFile | None:
        try:
            fs, rel = self._split(canonical_path)
        except KeyError:
            return None
        volume = self.volumes.get(fs)
        entry = volume.entries.get(rel) if volume else None
        return entry.file if entry and not entry.is_dir else None

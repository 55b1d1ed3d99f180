"""The known-good digest catalogue (CSV ``filename,md5,sha512,platform,version,source``).

Loading is all or nothing: a malformed row is a :class:`ConfigError` with the line number.
Several rows may name the same file (several sources) but their digests must agree.
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from imagesweep import files
from imagesweep.errors import ConfigError
from imagesweep.platforms import canonical, profiles
from imagesweep.records import KnownGood
from imagesweep.releases import image_version

HEADER = ("filename", "md5", "sha512", "platform", "version", "source")
_HEX = {"md5": re.compile(r"[0-9a-f]{32}"), "sha512": re.compile(r"[0-9a-f]{128}")}


@dataclass(frozen=True)
class Catalogue:
    entries: tuple[KnownGood, ...] = ()
    path: str = ""
    _by_name: dict[str, KnownGood] = field(default_factory=dict, compare=False, repr=False)
    _by_digest: dict[str, tuple[KnownGood, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def of(cls, entries: Iterable[KnownGood], path: str = "") -> Catalogue:
        merged: dict[str, KnownGood] = {}
        by_digest: dict[str, list[KnownGood]] = {}
        for entry in entries:
            key = entry.filename.lower()
            prior = merged.get(key)
            merged[key] = _merge(prior, entry) if prior else entry
            for digest in (entry.md5, entry.sha512):
                if digest:
                    by_digest.setdefault(digest, []).append(entry)
        return cls(tuple(entries), path, merged, {k: tuple(v) for k, v in by_digest.items()})

    def get(self, filename: str) -> KnownGood | None:
        """The entry for a file's base name (case-insensitive, as Cisco filesystems are)."""
        return self._by_name.get(filename.lower())

    def by_digest(self, digest: str) -> tuple[KnownGood, ...]:
        """Entries whose md5 or sha512 is ``digest`` (any file name)."""
        return self._by_digest.get(digest.lower(), ())

    def algorithms_needed(self) -> dict[str, tuple[str, ...]]:
        """File name -> digests to ask for beyond md5: files known only by sha512."""
        return {e.filename: ("sha512",) for e in self._by_name.values() if e.sha512 and not e.md5}

    def __len__(self) -> int:
        return len(self._by_name)


def _merge(a: KnownGood, b: KnownGood) -> KnownGood:
    # Agreement was checked while loading; fill what one row leaves empty from the other.
    return replace(
        a,
        md5=a.md5 or b.md5,
        sha512=a.sha512 or b.sha512,
        platform=a.platform or b.platform,
        version=a.version or b.version,
        source=";".join(s for s in dict.fromkeys((a.source, b.source)) if s),
    )


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the catalogue: {exc.strerror or exc}") from exc
    with io.StringIO(files.decode_text(path, data, "catalogue"), newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise ConfigError(f"{path}:1: {exc}") from exc
        if header is None:
            raise ConfigError(f"{path}:1: empty catalogue; expected the header {','.join(HEADER)}")
        names = [h.strip().lower() for h in header]
        missing = [h for h in HEADER if h not in names]
        if missing:
            raise ConfigError(
                f"{path}:1: header lacks {', '.join(missing)} (expected {','.join(HEADER)})"
            )
        try:
            for row in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(names):
                    raise ConfigError(f"{path}:{line}: {len(row)} fields, expected {len(names)}")
                yield line, {n: c.strip() for n, c in zip(names, row, strict=True)}
        except csv.Error as exc:
            raise ConfigError(f"{path}:{reader.line_num}: {exc}") from exc


def load(path: Path) -> Catalogue:
    entries: list[KnownGood] = []
    seen: dict[str, tuple[int, KnownGood]] = {}
    for line, row in _rows(path):
        name = row["filename"]
        if not name or "/" in name or ":" in name:
            raise ConfigError(f"{path}:{line}: filename must be a bare file name, got {name!r}")
        md5, sha512 = row["md5"].lower(), row["sha512"].lower()
        if not md5 and not sha512:
            raise ConfigError(f"{path}:{line}: {name}: needs an md5 or a sha512")
        for algorithm, value in (("md5", md5), ("sha512", sha512)):
            if value and not _HEX[algorithm].fullmatch(value):
                raise ConfigError(f"{path}:{line}: {name}: {algorithm} is not a hex digest")
        entry = KnownGood(name, md5, sha512, row["platform"], row["version"], row["source"])
        prior = seen.get(name.lower())
        if prior:
            first_line, first = prior
            for algorithm in ("md5", "sha512"):
                a, b = getattr(first, algorithm), getattr(entry, algorithm)
                if a and b and a != b:
                    raise ConfigError(
                        f"{path}:{line}: {name}: {algorithm} disagrees with line {first_line}"
                    )
        else:
            seen[name.lower()] = (line, entry)
        entries.append(entry)
    return Catalogue.of(entries, str(path))


def digest_file(path: Path) -> KnownGood:
    """md5 and sha512 of a local image file, read in chunks."""
    md5, sha512 = hashlib.md5(usedforsecurity=False), hashlib.sha512()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                md5.update(chunk)
                sha512.update(chunk)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return KnownGood(path.name, md5.hexdigest(), sha512.hexdigest())


def write(path: Path, entries: Iterable[KnownGood]) -> None:
    """Write the catalogue atomically (temp file + rename), mode 0600, as every output is."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for e in entries:
        writer.writerow((e.filename, e.md5, e.sha512, e.platform, e.version, e.source))
    files.write_atomic(path, buffer.getvalue())


# A name matched by several profiles' image patterns (``*.bin``) is told apart by the release
# encoding it carries: IOS-XE's dotted ``17.09.04a`` or IOS's ``124-24.T4``.
_XE_HINT = re.compile(r"iosxe|[._]\d{2}\.\d{2}\.\d{2,3}[a-z]?[._]", re.IGNORECASE)
_IOS_HINT = re.compile(r"-mz\b|[._-]\d{3}-\d", re.IGNORECASE)


def guess_platform(filename: str) -> str:
    """The platform an image file name belongs to, or "" when the name does not say."""
    matching = [name for name, prof in profiles().items() if prof.is_image(filename)]
    if len(matching) == 1:
        return matching[0]
    # A pattern that names the file's start (``nxos*.bin``) says more than ``*.bin``.
    specific = [
        name
        for name in matching
        if any(
            not p.startswith("*") and fnmatch.fnmatchcase(filename.lower(), p.lower())
            for p in profiles()[name].image_patterns
        )
    ]
    if len(specific) == 1:
        return specific[0]
    if {"cisco_ios", "cisco_xe"} <= set(matching):
        if _XE_HINT.search(filename):
            return "cisco_xe"
        if _IOS_HINT.search(filename):
            return "cisco_ios"
    return ""


def add(
    catalogue_path: Path,
    images: Iterable[Path],
    *,
    platform: str = "",
    version: str = "",
    source: str = "local",
) -> tuple[list[KnownGood], list[KnownGood]]:
    """Digest ``images`` into the catalogue (created if absent).

    Returns (rows added, rows already listed with the same digests and left as they were).
    ``platform`` goes through the alias table; platform and version left empty are read from
    the image's name where it encodes them. The catalogue's directory must exist: a typo in
    the path should not grow a tree of directories.
    """
    if not catalogue_path.parent.is_dir():
        raise ConfigError(f"{catalogue_path.parent}: no such directory for the catalogue")
    wanted = canonical(platform) if platform else ""
    existing = load(catalogue_path).entries if catalogue_path.exists() else ()
    added: list[KnownGood] = []
    kept: list[KnownGood] = []
    for image in images:
        digests = digest_file(image)
        entry = replace(
            digests,
            platform=wanted or guess_platform(image.name),
            version=version or (image_version(image.name) or ""),
            source=source,
        )
        same = False
        for old in (*existing, *added):
            if old.filename.lower() != entry.filename.lower():
                continue
            if (old.md5 and old.md5 != entry.md5) or (old.sha512 and old.sha512 != entry.sha512):
                raise ConfigError(
                    f"{catalogue_path}: {entry.filename} is already listed with "
                    f"other digests (source {old.source or 'unknown'})"
                )
            same = True
        (kept if same else added).append(entry)
    if added or not catalogue_path.exists():
        write(catalogue_path, [*existing, *added])
    return added, kept


def add_entries(catalogue_path: Path, added: list[KnownGood]) -> list[KnownGood]:
    """Add catalogue rows (created if absent); a name listed with other digests is an error.
    Rows already listed with the same digests are not added twice; returns the rows added."""
    existing = load(catalogue_path).entries if catalogue_path.exists() else ()
    fresh: list[KnownGood] = []
    for entry in added:
        if any(
            old.filename.lower() == entry.filename.lower()
            and old.md5 == entry.md5
            and old.sha512 == entry.sha512
            for old in (*existing, *fresh)
        ):
            continue
        fresh.append(entry)
    for entry in fresh:
        for old in existing:
            if old.filename.lower() == entry.filename.lower() and (
                (old.md5 and old.md5 != entry.md5) or (old.sha512 and old.sha512 != entry.sha512)
            ):
                raise ConfigError(
                    f"{catalogue_path}: {entry.filename} is already listed with "
                    f"other digests (source {old.source or 'unknown'})"
                )
    write(catalogue_path, [*existing, *fresh])
    return fresh

"""Juniper Junos (``juniper_junos``): MX, EX, QFX, SRX, including Virtual Chassis and clusters.

Steps: ``version`` (show version), ``boot`` (show system snapshot media internal, or show
system snapshot), ``listing`` (file list /var/tmp detail), ``digest`` (file checksum
md5|sha-256 <path>).

Junos runs an installed release, not an image file: ``VersionInfo.running_image`` is "" and
nothing on storage can be digested as "the running image". What storage holds are staged
install packages (``jinstall*``, ``junos-install*``) in /var/tmp. Boot state comes from the
primary and backup root slices (or the recovery snapshot on newer releases): the primary's
release is ``BootInfo.next_version``; a backup that differs from the primary is a Pending.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from imagesweep.errors import ParseError
from imagesweep.parse.text import StepParser, body, keyword
from imagesweep.parse.textfsm_run import own
from imagesweep.records import (
    BootInfo,
    DigestResult,
    Pending,
    StorageFile,
    StorageListing,
    VersionInfo,
)

PLATFORM = "juniper_junos"

# "user@host> cmd", "root@host% cmd", "% cmd" (shell), "{master:0}": pasted session text.
_ECHO = re.compile(r"^(?:[\w.\-]{1,80}@[\w.\-]{1,80}(?::[\w/~.\-]{0,80})?[>%#]|%)(?:\s.*)?$")
_BANNER = re.compile(r"^\{[\w:\-]{1,40}\}$")
# A release inside a package version: "ex-12.3R12-S15" -> "12.3R12-S15",
# "21.4R3-S5.4-domestic" -> "21.4R3-S5.4".
_RELEASE = re.compile(r"\d{1,2}\.\d{1,2}[A-Z][\w.\-]*")
_EDITION = re.compile(r"-(?:domestic|export|limited|signed|secure)(?:-\w+)*$")
_CHECKSUM = re.compile(
    r"^(MD5|SHA1|SHA256|SHA384|SHA512)\s*\((.{1,1000})\)\s*=\s*([0-9a-fA-F]{1,128})\s*$"
)
_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "sha384": 96, "sha512": 128}
# Where the release is printed before "Junos:" existed (12.x and older), in order.
_RELEASE_PACKAGES = ("JUNOS Software Release", "JUNOS Base OS boot", "JUNOS EX Software Suite")


def _body(text: str) -> list[str]:
    return body(text, echo=_ECHO, prompt_ends=">%#", edge=_BANNER, commands=COMMANDS)


def release(text: str) -> str:
    """The Junos release inside a version string as printed, or "" when there is none."""
    match = _RELEASE.search(text)
    return _EDITION.sub("", match.group(0)) if match else ""


def parse_version(text: str, target: str = "") -> VersionInfo:
    """``show version``, single device or per member/RE/node.

    ``package_versions`` holds every ``<package> [<version>]`` line as printed, and the
    ``Junos:`` line of every section; with several sections each name is prefixed with its
    section (``fpc1: JUNOS Base OS boot``). The first section describes the device.
    """
    lines = _body(text)
    rows = own(PLATFORM, "show version", "\n".join(lines) + "\n")
    sections = list(dict.fromkeys(row["section"] for row in rows))
    first = sections[0] if sections else ""
    multi = len(sections) > 1

    def named(section: str, name: str) -> str:
        return f"{section}: {name}" if multi and section else name

    packages: list[tuple[str, str]] = []
    junos: dict[str, str] = {}
    hostname = model = ""
    for row in rows:
        if row["section"] == first:
            hostname = hostname or row["hostname"]
            model = model or row["model"]
        if row["junos"]:
            junos.setdefault(row["section"], row["junos"])
            if row["section"] != first:
                packages.append((named(row["section"], "Junos"), row["junos"]))
        if row["package"]:
            name = " ".join(row["package"].split())
            packages.append((named(row["section"], name), row["pkg_version"]))
    version = junos.get(first, "")
    if not version:
        for wanted in _RELEASE_PACKAGES:
            version = next((v for n, v in packages if n.removeprefix(f"{first}: ") == wanted), "")
            if version:
                break
    if not version:
        raise ParseError(
            "Junos show version: no 'Junos:' line and no release package "
            "(JUNOS Software Release / Base OS boot / EX Software Suite)"
        )
    evidence = tuple(
        line.strip()
        for line in lines
        if re.match(
            r"(?:\S+:\s*$|Hostname:|Model:|Junos:|JUNOS (?:Software Release|Base OS boot))", line
        )
    )
    return VersionInfo(
        version=version,
        hostname=hostname,
        model=model,
        package_versions=tuple(packages),
        evidence=evidence,
    )


@dataclass
class _Snapshot:
    section: str
    label: str  # "primary", "backup", "" (unlabelled slice), "snapshot", "recovery"
    where: str  # device or snapshot name
    packages: list[tuple[str, str]] = field(default_factory=list)
    junos: str = ""

    @property
    def release(self) -> str:
        if self.junos:
            return release(self.junos)
        by_name = dict(self.packages)
        for name in ("junos", "jbase", "jkernel"):
            if name in by_name:
                return release(by_name[name])
        return release(self.packages[0][1]) if self.packages else ""

    @property
    def content(self) -> tuple[tuple[str, str], ...]:
        return tuple(self.packages) or (("junos", self.junos),)

    def describe(self) -> str:
        place = f"{self.section} " if self.section else ""
        if self.label in ("recovery", "snapshot"):
            kind = f"{self.label} snapshot" if self.label == "recovery" else "snapshot"
        else:
            kind = f"{self.label} slice" if self.label else "slice"
        return f"{place}{kind} {self.where} holds {self.release or 'no readable release'}"


def _snapshots(rows: list[dict[str, str]]) -> list[_Snapshot]:
    snaps: list[_Snapshot] = []
    for row in rows:
        if row["device"]:
            snaps.append(_Snapshot(row["section"], row["role"], row["device"]))
        elif row["snapshot"]:
            label = "recovery" if row["group"] == "Recovery" else "snapshot"
            snaps.append(_Snapshot(row["section"], label, row["snapshot"]))
        elif row["package"] or row["junos"]:
            if not snaps or snaps[-1].section != row["section"]:
                raise ParseError("Junos show system snapshot: a version line outside a snapshot")
            if row["package"]:
                snaps[-1].packages.append((row["package"], row["pkg_version"]))
            else:
                snaps[-1].junos = row["junos"]
    return snaps


def parse_boot(text: str, target: str = "") -> tuple[BootInfo | Pending, ...]:
    """``show system snapshot [media internal]``: BootInfo, then Pending records.

    ``next_version`` is the release on the primary slice of the first section (the device
    boots its primary slice). Pending: a backup slice whose packages differ from its
    primary's; members whose primaries differ; a recovery snapshot whose release differs
    from the newest other snapshot (newer layout, which names no primary).
    """
    lines = _body(text)
    rows = own(PLATFORM, "show system snapshot", "\n".join(lines) + "\n")
    snaps = _snapshots(rows)
    if not snaps:
        raise ParseError("Junos show system snapshot: no snapshot listed")
    empty = [s for s in snaps if not s.packages and not s.junos]
    if empty:
        raise ParseError(f"Junos show system snapshot: no version shown for {empty[0].where}")
    evidence = tuple(line.strip() for line in lines if line.strip())
    primaries = [s for s in snaps if s.label == "primary"]
    pendings: list[Pending] = []
    for snap in snaps:
        if snap.label != "backup":
            continue
        primary = next((p for p in primaries if p.section == snap.section), None)
        if primary is not None and primary.content != snap.content:
            pendings.append(
                Pending(
                    description=f"{snap.describe()}; {primary.describe()}",
                    evidence=evidence,
                )
            )
    if len({p.release for p in primaries}) > 1:
        pendings.append(
            Pending(
                description="; ".join(p.describe() for p in primaries),
                evidence=evidence,
            )
        )
    recovery = [s for s in snaps if s.label == "recovery"]
    others = [s for s in snaps if s.label == "snapshot"]
    if recovery and others and recovery[0].release != others[-1].release:
        pendings.append(
            Pending(
                description=f"{recovery[0].describe()}; {others[-1].describe()}",
                evidence=evidence,
            )
        )
    boot = BootInfo(
        next_version=primaries[0].release if primaries else "",
        evidence=evidence,
    )
    return (boot, *pendings)


def parse_listing(text: str, target: str = "") -> StorageListing:
    """``file list <dir> detail``: files with absolute Unix paths."""
    lines = _body(text)
    rows = own(PLATFORM, "file list", "\n".join(lines) + "\n")
    header = next((r["directory"] for r in rows if r["directory"]), "")
    base = (target or header).rstrip("/") or "/"
    if not base.startswith("/"):
        raise ParseError("Junos file list: cannot tell which directory was listed")
    files: list[StorageFile] = []
    for row in rows:
        if not row["name"]:
            continue
        directory = (row["directory"] or base).rstrip("/")
        name = row["name"]
        attrs: tuple[str, ...] = ()
        if row["perms"].startswith("l") and " -> " in name:
            name = name.split(" -> ", 1)[0]
            attrs = ("symlink",)
        files.append(
            StorageFile(
                path=f"{directory}/{name.rstrip('/')}",
                size=int(row["size"]),
                is_dir=row["perms"].startswith("d"),
                modified=" ".join(row["date"].split()),
                attrs=attrs,
            )
        )
    return StorageListing(filesystem=base, files=tuple(files))


def parse_digest(text: str, target: str = "") -> DigestResult:
    """``file checksum md5|sha-256 <path>``: ``MD5 (<path>) = <hex>``."""
    lines = [line.strip() for line in _body(text) if line.strip()]
    matches = [m for m in (_CHECKSUM.match(line) for line in lines) if m]
    if len(lines) != 1 or len(matches) != 1:
        shown = lines[0] if lines else "nothing"
        raise ParseError(
            f"Junos file checksum: expected one 'MD5 (<path>) = <hex>' line, got {shown!r}"
        )
    match = matches[0]
    algorithm = match.group(1).lower()
    digest = match.group(3).lower()
    if len(digest) != _LENGTHS[algorithm]:
        raise ParseError(f"Junos file checksum: {algorithm} digest of wrong length: {digest!r}")
    return DigestResult(
        path=target or match.group(2),
        algorithm=algorithm,
        digest=digest,
        evidence=(lines[0],),
    )


STEPS: Mapping[str, StepParser] = {
    "version": parse_version,
    "boot": parse_boot,
    "listing": parse_listing,
    "digest": parse_digest,
}

_SHOW = keyword("show", 2)
_PIPE = r"(?: \|.*)?"
COMMANDS: tuple[tuple[str, str], ...] = (
    (rf"{_SHOW} {keyword('version', 3)}(?: \S+)*?{_PIPE}", "version"),
    (
        rf"{_SHOW} {keyword('system', 3)} {keyword('snapshot', 4)}(?: {keyword('media', 2)} \S+)?"
        rf"(?: {keyword('all-members', 3)}| {keyword('local', 3)}| member \d+)?{_PIPE}",
        "boot",
    ),
    (rf"{keyword('file', 3)} {keyword('list', 2)} \S+ {keyword('detail', 3)}{_PIPE}", "listing"),
    (rf"{keyword('file', 3)} {keyword('checksum', 3)} (?:md5|sha-256|sha256|sha1) \S+", "digest"),
    (r"(?:md5|sha256) \S+", "digest"),  # the FreeBSD shell's tools print the same line
)

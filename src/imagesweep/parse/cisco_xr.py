"""Cisco IOS XR (``cisco_xr``): ASR 9000, NCS, CRS, 8000; 32-bit, 64-bit (eXR) and XR7 (LNT).

Steps: ``version`` (show version), ``running`` (show install active summary -> RunningSet),
``boot`` (show install committed summary -> BootInfo whose ``next_boot`` is the committed
set), ``listing`` (dir harddisk: / disk0:), ``digest`` (show md5 file /harddisk:/<f>).

XR runs a set of packages, not one image file. The running set and the committed set are
package names as printed (``disk0:asr9k-mini-px-5.1.3`` on 32-bit, ``ncs5500-xr-7.3.2`` on
64-bit, ``xr-bgp-7.10.1v1.0.0-1`` on XR7 plus ``software-hash:<hex>``, the install's own
digest of the whole software set). A reload boots the committed set, so active != committed
is a pending change. Neither set names files on storage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from imagesweep.errors import ParseError
from imagesweep.parse.text import StepParser, body, keyword
from imagesweep.parse.textfsm_run import own
from imagesweep.paths import canonical
from imagesweep.records import (
    BootInfo,
    DigestResult,
    RunningSet,
    StorageFile,
    StorageListing,
    VersionInfo,
)

PLATFORM = "cisco_xr"

# "RP/0/RSP0/CPU0:router#cmd": a pasted prompt and echo around the output.
_ECHO = re.compile(r"^(?:RP/\S{1,40}:)?[\w.\-]{1,80}#(?:\s?\S.*)?$")
_TIMESTAMP = re.compile(r"^\s*\w{3}\s+\w{3}\s+\d+\s+\d+:\d+:\d+(?:\.\d+)?\s+\S+\s*$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_ALGORITHMS = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}
# "6.1.4", "6.1.4[Default]", "7.9.2 LNT", "7.3.1.34I" (an interim engineering build).
_VERSION = re.compile(r"^(\d+(?:\.\w+)+?)(\[[^\]]*\])?(?:\s+(\S+))?$")
_INTERIM = re.compile(r"^\d+\.\d+\.\d+\.\d+I$")


def _body(text: str) -> list[str]:
    return body(text, echo=_ECHO, prompt_ends="#", commands=COMMANDS)


def parse_version(text: str, target: str = "") -> VersionInfo:
    """``show version`` (and ``show version brief`` on 32-bit XR)."""
    lines = _body(text)
    rows = own(PLATFORM, "show version", "\n".join(lines) + "\n")
    banner = rows[0]["version"] if rows else ""
    match = _VERSION.match(banner)
    if not match:
        raise ParseError("IOS XR show version: no 'Cisco IOS XR Software, Version' line")
    row = rows[0]
    version = match.group(1)
    markers = (f"interim build {version}",) if _INTERIM.match(version) else ()
    hostname = "" if row["hostname"] == "System" else row["hostname"]
    evidence = tuple(
        line.strip()
        for line in lines
        if re.match(r"\s*(?:Cisco IOS XR Software|System image file|ROM:|\S+ uptime is)", line)
    )
    return VersionInfo(
        version=version,
        running_image=canonical(row["image"]) if row["image"] else "",
        hostname=hostname,
        model=row["model"],
        uptime=row["uptime"],
        rommon=row["rom"],
        release_markers=markers,
        evidence=evidence,
    )


def _package_set(text: str, kind: str) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    """(entries, boot image version, evidence) from ``show install <kind> [summary]``."""
    lines = _body(text)
    rows = own(PLATFORM, "show install", "\n".join(lines) + "\n")
    kinds = {row["kind"] for row in rows if row["kind"]}
    if kinds - {kind}:
        raise ParseError(f"IOS XR show install: expected {kind} packages, got {sorted(kinds)}")
    entries: list[str] = []
    boot_version = ""
    for row in rows:
        if row["package"] and row["pkg_version"]:
            entries.append(f"{row['package']}-{row['pkg_version']}")
        elif row["package"]:
            entries.append(canonical(row["package"]))
        elif row["hash"]:
            entries.append(f"software-hash:{row['hash'].lower()}")
        boot_version = boot_version or row["boot_version"]
    if not entries:
        raise ParseError(f"IOS XR show install: no {kind.lower()} packages listed")
    evidence = tuple(line.strip() for line in lines if line.strip())
    # Per-node outputs repeat the packages of every node: the set is their union.
    return tuple(dict.fromkeys(entries)), boot_version, evidence


def parse_running(text: str, target: str = "") -> RunningSet:
    """``show install active [summary]`` (also ``admin show install active``)."""
    entries, _, evidence = _package_set(text, "Active")
    return RunningSet(paths=entries, evidence=evidence)


def parse_boot(text: str, target: str = "") -> BootInfo:
    """``show install committed [summary]``: what the next reload boots.

    ``next_version`` is set only when the output names the boot image's version
    (``ncs5500-xr-6.3.2 version=6.3.2 [Boot image]``); XR7 labels are free text.
    """
    entries, boot_version, evidence = _package_set(text, "Committed")
    return BootInfo(next_boot=entries, next_version=boot_version, evidence=evidence)


def parse_listing(text: str, target: str = "") -> StorageListing:
    """``dir harddisk:`` / ``dir disk0:`` in the 32-bit and the Linux-style layouts."""
    lines = _body(text)
    rows = own(PLATFORM, "dir", "\n".join(lines) + "\n")
    header = next((r["directory"] for r in rows if r["directory"]), "")
    where = target or header
    if not where:
        raise ParseError("IOS XR dir: cannot tell which filesystem was listed")
    unix = where.startswith("/") and not re.match(r"^/[\w-]+:", where)
    if unix:
        directory = where.rstrip("/") or "/"
        filesystem = directory
    else:
        directory = canonical(where.lstrip("/"))
        filesystem = directory.split(":", 1)[0] + ":"
    files: list[StorageFile] = []
    total = free = None
    for row in rows:
        if row["total"]:
            scale = 1024 if row["unit"] == "kbytes" else 1
            total, free = int(row["total"]) * scale, int(row["free"]) * scale
            continue
        if not row["name"]:
            continue
        if unix:
            path = f"{directory.rstrip('/')}/{row['name']}"
        else:
            joined = directory if directory.endswith(":") else f"{directory}/"
            path = canonical(f"{joined}{row['name']}")
        files.append(
            StorageFile(
                path=path,
                size=int(row["size"]),
                is_dir=row["perms"].startswith("d"),
                modified=" ".join(row["date"].split()),
                attrs=("symlink",) if row["perms"].startswith("l") else (),
            )
        )
    return StorageListing(
        filesystem=filesystem, files=tuple(files), total_bytes=total, free_bytes=free
    )


def parse_digest(text: str, target: str = "") -> DigestResult:
    """``show md5 file /harddisk:/<f>``: a timestamp line, then the bare hex digest."""
    lines = [line.strip() for line in _body(text) if line.strip()]
    lines = [line for line in lines if not _TIMESTAMP.match(line)]
    if len(lines) != 1 or not _HEX.match(lines[0]) or len(lines[0]) not in _ALGORITHMS:
        shown = lines[0] if lines else "nothing"
        raise ParseError(f"IOS XR show md5 file: expected one hex digest line, got {shown!r}")
    digest = lines[0].lower()
    return DigestResult(
        path=canonical(target.lstrip("/")) if target else "",
        algorithm=_ALGORITHMS[len(digest)],
        digest=digest,
        evidence=(lines[0],),
    )


STEPS: Mapping[str, StepParser] = {
    "version": parse_version,
    "running": parse_running,
    "boot": parse_boot,
    "listing": parse_listing,
    "digest": parse_digest,
}

_SHOW = keyword("show", 2)
_INSTALL = rf"(?:{keyword('admin', 3)} )?{_SHOW} {keyword('install', 4)}"
COMMANDS: tuple[tuple[str, str], ...] = (
    (rf"{_SHOW} {keyword('version', 3)}(?: {keyword('brief', 2)})?(?: \|.*)?", "version"),
    (rf"{_INSTALL} {keyword('active', 3)}(?: {keyword('summary', 3)})?", "running"),
    (rf"{_INSTALL} {keyword('committed', 3)}(?: {keyword('summary', 3)})?", "boot"),
    (r"dir(?: \S+)?", "listing"),
    (rf"{_SHOW} md5 {keyword('file', 3)} \S+", "digest"),
)

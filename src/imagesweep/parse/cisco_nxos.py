"""Cisco NX-OS (``cisco_nxos``): Nexus 3000-9000, MDS, and ACI-mode leafs reached over SSH.

Steps: ``version`` (show version), ``boot`` (show boot), ``listing`` (dir bootflash:),
``digest`` (show file <path> md5sum|sha256sum|sha512sum, which prints a bare digest).

Kickstart/system releases (N5K/N6K/N7K/MDS, ACI) run two images: the running image is the
*system* image and the kickstart image goes to ``VersionInfo.other_images``; boot entries
follow the same order (system first, then kickstart), so ``next_boot[0]`` always compares
with ``running_image``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from imagesweep.errors import ParseError
from imagesweep.parse import integrity
from imagesweep.parse.text import StepParser, body, keyword
from imagesweep.parse.textfsm_run import ntc, own
from imagesweep.paths import canonical
from imagesweep.records import (
    BootInfo,
    DigestResult,
    Pending,
    StorageFile,
    StorageListing,
    VersionInfo,
)

PLATFORM = "cisco_nxos"
DEFAULT_FS = "bootflash:"

# "switch# cmd", "N5K-1(config)# cmd": a pasted prompt and echo around the output.
_ECHO = re.compile(r"^[\w.\-/:]{1,80}(?:\([\w-]{1,40}\))?#(?: .*)?$")
# ACI prints Unix paths: "/bootflash/aci-n9000-dk9.14.0.1h.bin".
_UNIX_FS = re.compile(r"^/(bootflash|volatile|logflash|usb\d|slot\d|debug)/(.+)$")
# "bootflash://sup-local/x" and "bootflash://sup-active/x" name the bootflash we list.
_SUP_LOCAL = re.compile(r"^([A-Za-z][\w-]*:)//sup-(?:local|active)/", re.IGNORECASE)
# "bootflash://sup-standby/", "bootflash://module-27/": not the storage this session lists.
_OTHER_SUP = re.compile(r"^[A-Za-z][\w-]*://(?!sup-(?:local|active)/)", re.IGNORECASE)
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_ALGORITHMS = {32: "md5", 64: "sha256", 128: "sha512"}
_DIR_FAILURES = re.compile(
    r"Input/output error|No such file or directory|Permission denied|not (?:a )?valid",
    re.IGNORECASE,
)


def nxos_path(raw: str, default_fs: str = DEFAULT_FS) -> str:
    """Canonical form of an NX-OS path as printed (URL forms, ACI Unix form, bare names)."""
    raw = raw.strip().strip('"')
    unix = _UNIX_FS.match(raw)
    if unix:
        raw = f"{unix.group(1)}:{unix.group(2)}"
    raw = _SUP_LOCAL.sub(r"\1", raw)
    return canonical(raw, default_fs)


def _body(text: str) -> list[str]:
    return body(text, echo=_ECHO, prompt_ends="#", commands=COMMANDS)


_VERSION_EVIDENCE = re.compile(
    r"^\s*(?:(?:NXOS|system|kickstart):\s+version|(?:NXOS|system|kickstart)\s+image\s+file"
    r"|Device\s+name:|Processor\s+[Bb]oard\s+ID|Kernel\s+uptime)"
)


def _version_text(raw: str) -> str:
    # "10.4(5) [Maintenance Release]" and "14.0(1h) [build 14.0(1h)]": the token is the release.
    return raw.split("[", 1)[0].strip()


def parse_version(text: str, target: str = "") -> VersionInfo:
    """``show version`` (also filtered, e.g. ``show version | inc NXOS``)."""
    lines = _body(text)
    rows = own(PLATFORM, "show version", "\n".join(lines) + "\n")
    if not rows:
        raise ParseError("NX-OS show version: no release or image line found")
    row = rows[0]
    version = _version_text(row["version"])
    if not version:
        raise ParseError("NX-OS show version: no 'NXOS: version' or 'system: version' line")
    other: tuple[str, ...] = ()
    packages: tuple[tuple[str, str], ...] = ()
    if row["nxos_image"]:
        running = nxos_path(row["nxos_image"])
    elif row["system_image"]:
        running = nxos_path(row["system_image"])
        if row["kickstart_image"]:
            other = (nxos_path(row["kickstart_image"]),)
        packages = (("system", version),)
        if row["kickstart_version"]:
            packages = (("kickstart", _version_text(row["kickstart_version"])), *packages)
    else:
        raise ParseError(
            "NX-OS show version: no 'NXOS image file is:' or 'system image file is:' line"
        )
    model = re.sub(r"\s*\(.*\)\s*$", "", row["model"])
    model = re.sub(r"\s+[Cc]hassis$", "", model).strip()
    return VersionInfo(
        version=version,
        running_image=running,
        hostname=row["hostname"],
        model=model,
        serial=row["serial"],
        uptime=row["uptime"],
        rommon=row["bios"],
        other_images=other,
        package_versions=packages,
        evidence=tuple(line.strip() for line in lines if _VERSION_EVIDENCE.match(line)),
    )


def parse_boot(text: str, target: str = "") -> tuple[BootInfo | Pending, ...]:
    """``show boot``: a BootInfo, then a Pending when supervisors' next-reload images differ.

    Sections: ``Current Boot Variables:`` and ``Boot Variables on next reload:``; releases
    without section headers print one set, which is both current and next.
    """
    lines = _body(text)
    has_current = any(re.match(r"\s*Current\s+Boot\s+Variables:", line) for line in lines)
    has_next = any(re.match(r"\s*Boot\s+Variables\s+on\s+next\s+reload:", line) for line in lines)
    if has_current and not has_next:
        raise ParseError("NX-OS show boot: no 'Boot Variables on next reload' section (truncated?)")
    rows = own(PLATFORM, "show boot", "\n".join(lines) + "\n")
    if not rows:
        raise ParseError("NX-OS show boot: no boot variable line")

    def entries(section: str) -> dict[str, list[str]]:
        # Per supervisor: system (or NXOS) image first, then kickstart.
        per_sup: dict[str, dict[str, str]] = {}
        for row in rows:
            in_section = (
                row["section"].startswith("next")
                if section == "next"
                else (row["section"] == "Current")
            )
            if row["section"] and not in_section:
                continue
            per_sup.setdefault(row["sup"] or "sup-1", {})[row["kind"]] = row["path"]
        ordered: dict[str, list[str]] = {}
        for sup, kinds in per_sup.items():
            paths = [kinds.get("NXOS", ""), kinds.get("system", ""), kinds.get("kickstart", "")]
            ordered[sup] = [nxos_path(p) for p in paths if p]
        return ordered

    nxt = entries("next")
    current = entries("current") if has_current else nxt
    next_boot = tuple(dict.fromkeys(p for paths in nxt.values() for p in paths))
    current_boot = tuple(dict.fromkeys(p for paths in current.values() for p in paths))
    evidence = tuple(line.strip() for line in lines if line.strip())
    boot = BootInfo(
        next_boot=next_boot,
        current_boot=current_boot,
        variable_set=bool(next_boot),
        evidence=evidence,
    )
    records: list[BootInfo | Pending] = [boot]
    distinct = {tuple(paths) for paths in nxt.values()}
    if len(distinct) > 1:
        described = "; ".join(f"{sup}: {', '.join(paths) or 'none'}" for sup, paths in nxt.items())
        records.append(
            Pending(
                description=f"supervisors boot different images at next reload ({described})",
                evidence=evidence,
            )
        )
    return tuple(records)


_DIR_ECHO = re.compile(
    r"^(?:[\w.\-/:]{1,80}(?:\([\w-]{1,40}\))?#\s*)?dir\s+(?P<path>[A-Za-z][\w-]{0,40}:\S{0,400})$"
)


def _echoed_path(text: str) -> str:
    """The path of a pasted ``dir <path>`` echo (``N9K# dir bootflash:scripts``), if any."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    match = _DIR_ECHO.match(first)
    return match["path"] if match else ""


def parse_listing(text: str, target: str = "") -> StorageListing:
    """``dir bootflash:[<dir>]``: files with sizes; sub-directories are listed, not descended.

    The output names neither the directory nor (apart from the ``Usage for`` footer) the
    filesystem: the entries are in the directory asked for (``target``, else a pasted
    ``dir <path>`` echo), so ``dir bootflash:scripts`` lists ``bootflash:scripts/<name>``.
    """
    lines = _body(text)
    for line in lines:
        if _DIR_FAILURES.search(line):
            raise ParseError(f"NX-OS dir: the device reported an error: {line.strip()!r}")
    rows = ntc(PLATFORM, "dir", "\n".join(lines) + "\n")
    footer = next((r["file_system"] for r in rows if r["file_system"]), "")
    asked = target or _echoed_path(text)
    if _OTHER_SUP.match(asked):
        raise ParseError(f"NX-OS dir: {asked!r} is another supervisor's or module's storage")
    if asked:
        where = nxos_path(asked)
        fs, _, rest = where.partition(":")
        fs += ":"
        directory = fs + "".join(f"{part}/" for part in rest.split("/") if part)
    elif footer:
        fs = directory = f"{footer.lower()}:"
    else:
        raise ParseError("NX-OS dir: cannot tell which filesystem was listed")
    if footer and f"{footer.lower()}:" != fs:
        raise ParseError(f"NX-OS dir: the listing is of {footer}:, not of {fs}")
    files: list[StorageFile] = []
    for row in rows:
        name = row["item_name"]
        if not name:
            continue
        is_dir = name.endswith("/")
        # The directory goes first so that a file named "flash:" stays a file name.
        files.append(
            StorageFile(
                path=canonical(f"{directory}{name.rstrip('/')}"),
                size=int(row["size"]),
                is_dir=is_dir,
                modified=row["date_time"],
            )
        )
    total = next((int(r["total_size"]) for r in rows if r["total_size"]), None)
    free = next((int(r["total_free"]) for r in rows if r["total_free"]), None)
    return StorageListing(filesystem=fs, files=tuple(files), total_bytes=total, free_bytes=free)


def parse_digest(text: str, target: str = "") -> DigestResult:
    """``show file <path> md5sum|sha256sum|sha512sum``: one bare hex digest line."""
    lines = [line.strip() for line in _body(text) if line.strip()]
    if len(lines) != 1 or not _HEX.match(lines[0]) or len(lines[0]) not in _ALGORITHMS:
        shown = lines[0] if lines else "nothing"
        raise ParseError(f"NX-OS show file: expected one hex digest line, got {shown!r}")
    digest = lines[0].lower()
    return DigestResult(
        path=nxos_path(target) if target else "",
        algorithm=_ALGORITHMS[len(digest)],
        digest=digest,
        evidence=(lines[0],),
    )


STEPS: Mapping[str, StepParser] = {
    "version": parse_version,
    "boot": parse_boot,
    "listing": parse_listing,
    "digest": parse_digest,
    **integrity.NXOS_STEPS,
}

_SHOW = keyword("show", 2)
COMMANDS: tuple[tuple[str, str], ...] = (
    (rf"{_SHOW} {keyword('version', 3)}(?: \|.*)?", "version"),
    (rf"{_SHOW} {keyword('boot', 2)}(?: \|.*)?", "boot"),
    (r"dir(?: \S+)?", "listing"),
    (rf"{_SHOW} {keyword('file', 3)} \S+ (?:md5sum|md5|sha256sum|sha512sum)", "digest"),
    *integrity.NXOS_COMMANDS,
)

"""Palo Alto PAN-OS (``paloalto_panos``): PA and VM-Series firewalls, Panorama.

Steps: ``version`` (show system info), ``software`` (request system software info).

PAN-OS keeps software as versions, not as files the CLI can name or digest: the running
software is ``panos:<sw-version>`` and every version held on the device (downloaded,
uploaded or current) is a pseudo-file ``panos:<version>`` whose ``attrs`` carry those flags.
There is no on-box digest of installed or downloaded software, so nothing here can prove
the running software unmodified (the platform data's ``digest_unavailable`` says so).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from imagesweep.errors import ParseError
from imagesweep.parse.text import StepParser, body, keyword
from imagesweep.parse.textfsm_run import own
from imagesweep.records import StorageFile, StorageListing, VersionInfo

PLATFORM = "paloalto_panos"
FILESYSTEM = "panos:"

# "admin@PA-VM> cmd", "admin@fw(active)> cmd": a pasted prompt and echo around the output.
_ECHO = re.compile(r"^[\w.\-]{1,80}@[\w.\-]{1,80}(?:\([\w\-]{1,40}\))?[>#](?:\s.*)?$")
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s?([KMG])B?$", re.IGNORECASE)
_SCALE = {"K": 1024, "M": 1024**2, "G": 1024**3}
# Columns whose yes/no value becomes a flag on the pseudo-file, by header spelling.
_FLAGS = {"downloaded": "downloaded", "current": "current", "uploaded": "uploaded"}
_HOLDS = ("downloaded", "current", "uploaded")


def _body(text: str) -> list[str]:
    return body(text, echo=_ECHO, prompt_ends=">#", commands=COMMANDS)


def running_path(version: str) -> str:
    return f"{FILESYSTEM}{version}"


def parse_version(text: str, target: str = "") -> VersionInfo:
    """``show system info``: ``running_image`` is ``panos:<sw-version>``."""
    lines = _body(text)
    rows = own(PLATFORM, "show system info", "\n".join(lines) + "\n")
    row = rows[0] if rows else {}
    version = row.get("sw_version", "")
    if not version:
        raise ParseError("PAN-OS show system info: no 'sw-version:' line")
    evidence = tuple(
        line.strip()
        for line in lines
        if re.match(r"(?:hostname|model|serial|uptime|sw-version|family):", line)
    )
    serial = row["serial"]
    return VersionInfo(
        version=version,
        running_image=running_path(version),
        hostname=row["hostname"],
        model=row["model"],
        serial="" if serial.lower() == "unknown" else serial,
        uptime=row["uptime"],
        evidence=evidence,
    )


def _size(text: str) -> int | None:
    match = _SIZE.match(text.strip())
    if not match:
        return None
    return int(float(match.group(1)) * _SCALE[match.group(2).upper()])


def _held(version: str, flags: dict[str, bool], size: int | None) -> StorageFile | None:
    attrs = tuple(flag for flag in _HOLDS if flags.get(flag))
    if not attrs:
        return None  # offered by the update server, not on the device
    return StorageFile(path=running_path(version), size=size, attrs=attrs)


def _from_table(lines: list[str]) -> tuple[StorageFile, ...]:
    rows = own(PLATFORM, "request system software", "\n".join(lines) + "\n")
    header = next((row["header"] for row in rows if row["header"]), "")
    if not header:
        raise ParseError("PAN-OS request system software: no 'Version ...' table header")
    columns = re.split(r"\s{2,}|\s(?=Downloaded|Current|Uploaded|Latest)", header.strip())
    flag_columns = [c.lower() for c in columns if c.lower() in (*_FLAGS, "latest")]
    if "downloaded" not in flag_columns:
        raise ParseError(f"PAN-OS request system software: no Downloaded column in {header!r}")
    files: list[StorageFile] = []
    for row in rows:
        if not row["version"]:
            continue
        values = row["flags"].split()
        if len(values) != len(flag_columns):
            raise ParseError(
                f"PAN-OS request system software: {row['version']} has {len(values)} yes/no "
                f"values for columns {flag_columns}"
            )
        flags = {c: v == "yes" for c, v in zip(flag_columns, values, strict=True)}
        size = _size(row["middle"].split()[0]) if row["middle"].split() else None
        held = _held(row["version"], flags, size)
        if held is not None:
            files.append(held)
    return tuple(files)


def _from_xml(text: str) -> tuple[StorageFile, ...]:
    # Device output is hostile: refuse DTDs and entities before handing it to expat.
    if re.search(r"<!(?:DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise ParseError("PAN-OS request system software: XML with a DTD or entity refused")
    try:
        root = ET.fromstring(text.strip())
    except ET.ParseError as exc:
        raise ParseError(f"PAN-OS request system software: bad XML: {exc}") from exc
    entries = root.findall(".//sw-updates/versions/entry")
    if not entries and root.find(".//sw-updates") is None:
        raise ParseError("PAN-OS request system software: XML without sw-updates")
    files: list[StorageFile] = []
    for entry in entries:
        version = (entry.findtext("version") or "").strip()
        if not version:
            raise ParseError("PAN-OS request system software: XML entry without a version")
        flags = {f: (entry.findtext(f) or "").strip().lower() == "yes" for f in _HOLDS}
        size_kb = (entry.findtext("size-kb") or "").strip()
        size = int(size_kb) * 1024 if size_kb.isdigit() else _size(entry.findtext("size") or "")
        held = _held(version, flags, size)
        if held is not None:
            files.append(held)
    return tuple(files)


def parse_software(text: str, target: str = "") -> StorageListing:
    """``request system software info`` (text table, or XML when the CLI prints XML).

    One pseudo-file ``panos:<version>`` per version the device holds, flags in ``attrs``:
    ``downloaded``, ``current``, ``uploaded`` (only the flags the output shows: the text
    table of PAN-OS 10/11 may show the Downloaded column alone).
    """
    lines = _body(text)
    joined = "\n".join(lines)
    files = _from_xml(joined) if joined.lstrip().startswith("<") else _from_table(lines)
    return StorageListing(filesystem=FILESYSTEM, files=files)


STEPS: Mapping[str, StepParser] = {
    "version": parse_version,
    "software": parse_software,
}

COMMANDS: tuple[tuple[str, str], ...] = (
    (rf"{keyword('show', 2)} {keyword('system', 3)} {keyword('info', 2)}(?: \|.*)?", "version"),
    (
        rf"{keyword('request', 3)} {keyword('system', 3)} {keyword('software', 3)}"
        rf" (?:{keyword('info', 2)}|{keyword('check', 2)})(?: \|.*)?",
        "software",
    ),
)

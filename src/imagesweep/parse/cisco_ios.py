"""Cisco IOS and IOS-XE parsers (platforms ``cisco_ios`` and ``cisco_xe``).

Tabular output goes through TextFSM: ntc-templates' ``show version`` for host name, uptime,
model and serial; the project's own templates (``templates/cisco_ios_*.textfsm``) for
``show boot``/``show bootvar``, ``show file systems``, ``dir``, ``show flash:`` and
``show install summary``. Those templates reject every line they do not understand, so
output that is not what the step expects fails instead of parsing to nothing.
``verify`` and ``packages.conf`` are small line formats read with plain regexes: the
``verify`` result line can sit at the end of a line of progress dots, and pages that quote
it sometimes run several lines together.

Decisions worth knowing (see also the tests):
- IOS-XE ``version`` is the IOS-XE release when the output prints one
  (``Cisco IOS XE Software, Version 17.09.04a``, ``IOS XE Version: 03.09.01.S``), so that it
  compares with the release encoded in IOS-XE image names; otherwise the IOS release.
- A ``verify /md5`` result for another file than the one asked for is an error; a result
  that only names another filesystem (stack members print ``flash:`` for ``flash1:``) is
  kept under the path asked for, with the printed line as evidence.
- Plain ``verify <file>`` checks the hash embedded in a signed image. That hash does not
  cover the whole file, so its algorithm is reported as ``sha2-embedded`` /
  ``sha1-embedded`` / ``md5-embedded`` (never a catalogue column); ``CCO Hash`` lines stay
  in the evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from imagesweep.errors import ParseError
from imagesweep.parse import integrity, textfsm_run
from imagesweep.parse.text import is_command
from imagesweep.paths import basename, canonical, filesystem
from imagesweep.records import (
    BootInfo,
    DigestResult,
    FileSystem,
    Pending,
    RunningSet,
    StorageFile,
    StorageListing,
    VersionInfo,
)

TEMPLATE_PLATFORM = "cisco_ios"  # IOS-XE output has the same layouts; one set of templates

# --- shared line handling ------------------------------------------------------------------

_PROMPT_ECHO = re.compile(
    r"^[\w.\-@/()]{0,63}[#>] ?(?:sh|sho|show|dir|ver|verify|more)\b", re.IGNORECASE
)
_BARE_PROMPT = re.compile(r"^[\w.\-@/()]{1,63}[#>]\s*$")
_EXEC_STAMP = re.compile(r"^\s*(?:Load for |Time source is )")
_DEVICE_ERROR = re.compile(r"^\s*%\s?\S")


def _body(text: str) -> list[str]:
    """Output lines without the command echo (after a prompt, or bare: a saved capture's
    ``show boot`` line), a trailing prompt and exec time stamps."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [line.rstrip() for line in lines if not _EXEC_STAMP.match(line)]
    filled = [i for i, line in enumerate(lines) if line.strip()]
    first = lines[filled[0]].strip() if filled else ""
    if filled and (_PROMPT_ECHO.match(first) or is_command(first, COMMANDS)):
        lines[filled[0]] = ""
    if filled and _BARE_PROMPT.match(lines[filled[-1]].strip()):
        lines[filled[-1]] = ""
    return lines


def _reject(lines: Iterable[str], step: str) -> None:
    """ParseError carrying the device's own error line, when it printed one."""
    for line in lines:
        if _DEVICE_ERROR.match(line):
            raise ParseError(f"{step}: the device answered {line.strip()!r}")


def _own(command: str, lines: list[str]) -> list[dict[str, Any]]:
    text = "\n".join(lines) + "\n"
    return textfsm_run.own(TEMPLATE_PLATFORM, command, text)


def _int(value: str | None) -> int | None:
    return int(value) if value and re.fullmatch(r"-?\d+", value) else None


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


# --- show version --------------------------------------------------------------------------

_XE_LINE = re.compile(r"^Cisco IOS[ -]XE Software,?\s+Version\s+(?P<v>\S{1,80})")
_XE3_LINE = re.compile(r"^IOS XE Version:\s*(?P<v>\S{1,80})")
# A release, not a build tag ("BLD_V179_THROTTLE_...") or a date ("2019-10-31_17.49_x").
_XE_RELEASE = re.compile(r"^\d{1,2}\.\d{1,2}(?:\.\d{1,3}[A-Za-z]{0,2})?(?:\.[A-Z]{1,2})?$")
_IOS_LINE = re.compile(
    r"^(?:Cisco IOS Software|IOS \(tm\)).{0,300}?\bVersion\s+(?P<v>[0-9][^\s,]{0,80})"
)
_IMAGE_LINE = re.compile(r'^System image file is "(?P<image>[^"]{1,512})"')
_CONFREG = re.compile(
    r"^Configuration register is (?P<reg>0x[0-9A-Fa-f]{1,8})"
    r"(?:\s+\(will be (?P<next>0x[0-9A-Fa-f]{1,8}) at next reload\))?"
)
_ROM = re.compile(r"^ROM:\s*(?P<text>\S.{0,300})$")
_BOOTLDR = re.compile(r"^BOOTLDR:\s*(?P<text>\S.{0,300})$")
_IMAGE_TYPE = re.compile(r"^Image type\s*:")
_MODEL_NUMBER = re.compile(r"^Model [Nn]umber\s*:\s*(?P<model>\S{1,60})")
_SERIAL_NUMBER = re.compile(r"^System [Ss]erial [Nn]umber\s*:\s*(?P<serial>\S{1,60})")
_MARKERS = re.compile(
    r"DEVELOPMENT SOFTWARE|INTERIM SOFTWARE|WEEKLY BUILD|ENGINEERING|Experimental Version"
    r"|CUST-SPECIAL:\S{1,80}|BLD_\S{1,80}|Image type\s*:\s*(?:Special|Development)\w{0,20}",
    re.IGNORECASE,
)
_BUILD_NAME = re.compile(r"BLD_|\.SSA\.", re.IGNORECASE)


def _first(pattern: re.Pattern[str], lines: list[str]) -> re.Match[str] | None:
    for line in lines:
        match = pattern.match(line.strip())
        if match:
            return match
    return None


def _ntc_version(lines: list[str]) -> dict[str, Any]:
    rows = textfsm_run.ntc(TEMPLATE_PLATFORM, "show version", "\n".join(lines) + "\n")
    return rows[0] if rows else {}


def parse_version(text: str, target: str = "") -> VersionInfo:
    """``show version`` -> VersionInfo; ParseError when no version line is there."""
    lines = _body(text)
    ios = _first(_IOS_LINE, lines)
    xe = _first(_XE_LINE, lines) or _first(_XE3_LINE, lines)
    xe_version = xe["v"] if xe and _XE_RELEASE.match(xe["v"]) else ""
    if not ios and not xe_version:
        _reject(lines, "version")
        raise ParseError("version: no 'Cisco IOS Software ... Version' line in the output")
    version = xe_version or (ios["v"] if ios else "")
    image = _first(_IMAGE_LINE, lines)
    confreg = _first(_CONFREG, lines)
    # BOOTLDR carries the boot loader's version where ROM only says "IOS-XE ROMMON".
    rom = _first(_BOOTLDR, lines) or _first(_ROM, lines)
    running = canonical(image["image"]) if image else ""

    version_lines = [m.string for m in (xe, ios) if m]
    scanned = [*version_lines, *(ln.strip() for ln in lines if _IMAGE_TYPE.match(ln.strip()))]
    markers = [m.group(0) for line in scanned for m in _MARKERS.finditer(line)]
    if running and _BUILD_NAME.search(basename(running)):
        markers.append(basename(running))

    ntc = _ntc_version(lines)
    model_number = _first(_MODEL_NUMBER, lines)
    serial_number = _first(_SERIAL_NUMBER, lines)
    hardware = [h for h in ntc.get("hardware") or [] if h]
    serials = [s for s in ntc.get("serial") or [] if s]
    evidence = [*version_lines, *(m.string for m in (image, confreg, rom) if m)]
    return VersionInfo(
        version=version,
        running_image=running,
        hostname=str(ntc.get("hostname") or ""),
        model=hardware[0] if hardware else (model_number["model"] if model_number else ""),
        serial=serials[0] if serials else (serial_number["serial"] if serial_number else ""),
        uptime=str(ntc.get("uptime") or ""),
        config_register=confreg["reg"].lower() if confreg else "",
        config_register_next=(confreg["next"] or "").lower() if confreg else "",
        rommon=rom["text"].strip() if rom else "",
        release_markers=_unique(markers),
        evidence=tuple(evidence),
    )


# --- show boot / show bootvar ----------------------------------------------------------------

_BOOT_KEYS = {"boot variable", "boot path-list"}
_MANUAL_KEYS = {"manual boot", "manual_boot variable"}
_STANDBY_BOOT = re.compile(r"^\s*Standby\s+BOOT\s+variable\b")
_BOOT_EVIDENCE = re.compile(
    r"^\s*(?:BOOT variable|BOOT path-list|Manual Boot|MANUAL_BOOT variable"
    r"|Config(?:uration)? [Rr]egister is|Switch \d+\s*$)"
)


# "boot system tftp <file> [<host>]" prints "tftp:<file> <host>" (255.255.255.255: broadcast).
_NETWORK_ENTRY = re.compile(
    r"^(?P<scheme>tftp|ftp|rcp|https?|s?ftp|scp):/{0,2}(?P<file>[^\s/]\S{0,500})"
    r"\s+(?P<host>[\w.:\-]{1,255})$",
    re.IGNORECASE,
)


def _boot_entries(value: str) -> list[str]:
    """``flash:a.bin,1;tftp://h/b.bin,12;`` -> canonical entries, counters dropped.

    ``tftp:<file> <host>`` becomes ``tftp://<host>/<file>``; any other entry with a space in
    it is not understood.
    """
    entries = []
    for part in value.split(";"):
        for piece in part.split(","):
            piece = " ".join(piece.split())
            if not piece or piece.isdigit():
                continue
            network = _NETWORK_ENTRY.match(piece)
            if network:
                scheme, host = network["scheme"].lower(), network["host"]
                entries.append(f"{scheme}://{host}/{network['file']}")
            elif " " in piece:
                raise ParseError(f"boot: boot entry {piece!r} not understood")
            else:
                entries.append(canonical(piece))
    return entries


def parse_boot(text: str, target: str = "") -> BootInfo | tuple[BootInfo, Pending]:
    """``show boot`` / ``show bootvar`` -> BootInfo; ParseError when it is not boot output.

    A standby supervisor (ASR1k, Catalyst 9400/9600, StackWise Virtual) prints its own
    ``Standby BOOT variable``; when its entries are not the active's next boot entries, in
    the same order, a switchover can boot something else: a Pending follows the BootInfo.
    """
    lines = _body(text)
    _reject(lines, "boot")
    rows = _own("show boot", lines)
    current: list[str] = []
    upcoming: list[str] = []
    standby: list[str] | None = None
    unset_sections: set[str] = set()
    seen_next = False
    manual: list[bool] = []
    confreg = confreg_next = ""
    for row in rows:
        if row["standby"]:
            standby = (standby or []) + ([] if row["absent"] else _boot_entries(row["value"]))
            continue
        if row["confreg"]:
            confreg = confreg or row["confreg"].lower()
            confreg_next = confreg_next or (row["confreg_next"] or "").lower()
            continue
        key = " ".join(row["key"].lower().split())
        value = "" if row["absent"] else row["value"]
        if key in _BOOT_KEYS:
            entries = _boot_entries(value)
            if row["phase"] == "Current":
                current.extend(entries)
                continue
            seen_next = True
            upcoming.extend(entries)
            if not entries:
                unset_sections.add(row["switch"])
        elif key in _MANUAL_KEYS and value.lower() in ("yes", "no"):
            manual.append(value.lower() == "yes")
    if not seen_next and not current:
        raise ParseError("boot: no 'BOOT variable' or 'BOOT path-list' line in the output")
    next_boot = _unique(upcoming)
    boot = BootInfo(
        next_boot=next_boot,
        current_boot=_unique(current),
        variable_set=bool(next_boot) and not unset_sections,
        config_register=confreg,
        config_register_next=confreg_next,
        manual_boot=any(manual) if manual else None,
        evidence=tuple(line.strip() for line in lines if _BOOT_EVIDENCE.match(line)),
    )
    if standby is None or _unique(standby) == next_boot:
        return boot
    return boot, Pending(
        description=(
            "the standby supervisor's BOOT variable differs from the active's (standby: "
            f"{', '.join(_unique(standby)) or 'none'}; active: {', '.join(next_boot) or 'none'})"
        ),
        evidence=tuple(ln.strip() for ln in lines if _STANDBY_BOOT.match(ln)),
    )


# --- show file systems ---------------------------------------------------------------------

_PREFIX = re.compile(r"[A-Za-z][\w\-]{0,40}:")


def parse_filesystems(text: str, target: str = "") -> tuple[FileSystem, ...]:
    """``show file systems`` -> one FileSystem per line, named by its first prefix.

    A line may list aliases of one file system (``flash0: flash:#``); only the first prefix
    is kept so the same storage is not listed twice.
    """
    lines = _body(text)
    _reject(lines, "filesystems")
    rows = _own("show file systems", lines)
    found = []
    for row in rows:
        prefixes = _PREFIX.findall(row["prefixes"])
        if not prefixes:
            raise ParseError(f"filesystems: no prefix in {row['prefixes']!r}")
        found.append(
            FileSystem(
                prefix=prefixes[0].lower(),
                kind=row["type"],
                flags=row["flags"],
                size=_int(row["size"]),
                free=_int(row["free"]),
            )
        )
    if not found:
        raise ParseError("filesystems: no file system table in the output")
    return tuple(found)


# --- dir / show flash: ---------------------------------------------------------------------

_DIR_MARK = re.compile(
    r"^\s*(?:Directory of |No files in directory|\d+ bytes total \(|Attributes\s+Size\s+Name\s*$)"
)
_FLASH_MARK = re.compile(
    r"^\s*(?:(?:[A-Za-z][\w\-]{0,40}:\s+)?-#- |System flash |File\s+Length\s+Name/status"
    r"|No files on device|-?\d+ bytes available \()"
)
_EMPTY_MARK = re.compile(r"^\s*(?:No files in directory|No space information available)\s*$")


def _directory(header: str) -> str:
    """``flash:/sub/`` -> ``flash:sub/``; a trailing wildcard (``flash:/*``) is dropped."""
    fs, _, rest = canonical(header).partition(":")
    parts = [part for part in rest.split("/") if part]
    if parts and ("*" in parts[-1] or "?" in parts[-1]):
        parts.pop()
    return f"{fs}:" + "".join(f"{part}/" for part in parts)


def _target_fs(target: str, step: str) -> str:
    fs = filesystem(canonical(target)) if target else ""
    if not fs:
        raise ParseError(
            f"{step}: the output does not name its filesystem; the filesystem asked for "
            f"is needed (target={target!r})"
        )
    return fs


def _dir_listing(lines: list[str], target: str) -> StorageListing:
    rows = _own("dir", lines)
    files = []
    total = free = None
    first_dir = ""
    for row in rows:
        if row["total"]:
            total, free = _int(row["total"]), _int(row["free"])
            continue
        directory = _directory(row["directory"]) if row["directory"] else ""
        if not directory:  # no "Directory of" header: the entries are in the one asked for
            directory = _directory(_target_fs(target, "listing") + target.partition(":")[2])
        first_dir = first_dir or directory
        files.append(
            StorageFile(
                path=canonical(directory + row["name"]),
                size=_int(row["size"]),
                is_dir=row["permissions"].startswith("d"),
                modified=row["date"],
            )
        )
    header = next((ln for ln in lines if ln.strip().startswith("Directory of ")), "")
    if header:
        first_dir = first_dir or _directory(header.strip()[len("Directory of ") :])
    if not files and total is None and not any(_EMPTY_MARK.match(ln) for ln in lines):
        raise ParseError("listing: a directory listing header with no entries and no totals")
    fs = filesystem(first_dir) or _target_fs(target, "listing")
    return StorageListing(filesystem=fs, files=tuple(files), total_bytes=total, free_bytes=free)


def _flash_attrs(row: dict[str, Any]) -> tuple[str, ...]:
    attrs = []
    if row["status"]:
        attrs.append(row["status"].strip("[]").strip())
    if "D" in (row["flags"] or ""):
        attrs.append("deleted")
    if "E" in (row["flags"] or ""):
        attrs.append("error")
    return tuple(attrs)


def _absolute(name: str) -> tuple[str, str]:
    """``/bootflash/sub/x.bin`` -> (``bootflash:``, ``sub/x.bin``): IOS-XE's layout prints
    absolute paths whose first part is the filesystem (``show flash:`` on an ISR4k prints
    ``/bootflash/...`` too: the output names its filesystem, as a ``Directory of`` does)."""
    top, _, rest = name.lstrip("/").partition("/")
    if not re.fullmatch(r"[A-Za-z][\w\-]{0,40}", top):
        raise ParseError(f"listing: {name!r} does not start with a filesystem")
    return f"{top.lower()}:", rest.rstrip("/")


def _flash_listing(lines: list[str], target: str) -> StorageListing:
    rows = _own("show flash", lines)
    printed = {_absolute(r["name"])[0] for r in rows if r["name"].startswith("/")}
    if len(printed) > 1:
        raise ParseError(f"listing: absolute paths on several filesystems {sorted(printed)}")
    if printed and any(r["name"] and not r["name"].startswith("/") for r in rows):
        raise ParseError("listing: absolute and relative paths in one show flash listing")
    fs = printed.pop() if printed else _target_fs(target, "listing")
    entries = []
    totals: list[int | None] = []
    frees: list[int | None] = []
    for row in rows:
        if row["name"]:
            if row["name"].startswith("/"):
                relative = _absolute(row["name"])[1]
                if relative:  # the filesystem's own root ("/bootflash/") is not an entry
                    entries.append((canonical(f"{fs}{relative}"), row))
                continue
            partition = f"{row['partition']}:" if row["partition"] else ""
            entries.append((canonical(f"{fs}{partition}{row['name']}"), row))
            continue
        available, used = _int(row["available"]), _int(row["used"])
        if available is None or used is None:
            continue
        # FAT16 overflow on large CompactFlash prints a negative "bytes available": unknown.
        known = available >= 0
        totals.append(_int(row["total"]) or (available + used if known else None))
        frees.append(available if known else None)
    # Partitioned flash prints one summary per partition; one unknown makes the sum unknown.
    total = sum(t for t in totals if t is not None) if totals and None not in totals else None
    free = sum(f for f in frees if f is not None) if frees and None not in frees else None
    summary = any(re.match(r"^\s*(?:-?\d+ bytes available|\[\d+ bytes used)", ln) for ln in lines)
    if not entries and not summary:
        raise ParseError("listing: no files and no summary line in the show flash output")
    paths = [p for p, _ in entries]
    files = tuple(
        StorageFile(
            path=path,
            size=_int(row["length"]),
            # This layout has no type column: an entry is a directory when others sit in it
            # or when it is printed with a trailing slash (IOS-XE's absolute paths).
            is_dir=row["name"].endswith("/") or any(p.startswith(path + "/") for p in paths),
            modified=row["date"] or "",
            attrs=_flash_attrs(row),
        )
        for path, row in entries
    )
    return StorageListing(filesystem=fs, files=files, total_bytes=total, free_bytes=free)


def parse_listing(text: str, target: str = "") -> StorageListing:
    """``dir [/recursive] <fs>`` or ``show <fs>`` -> StorageListing.

    ``target`` is the filesystem asked for; it names the files when the output has no
    ``Directory of`` header (the ISR ``show flash:`` layouts).
    """
    lines = _body(text)
    _reject(lines, "listing")
    if any(_DIR_MARK.match(line) for line in lines):
        return _dir_listing(lines, target)
    if any(_FLASH_MARK.match(line) for line in lines):
        return _flash_listing(lines, target)
    raise ParseError("listing: the output is not a directory listing")


# --- verify /md5 | /sha512 -----------------------------------------------------------------

_HEX_LENGTH = {"md5": 32, "sha1": 40, "sha256": 64, "sha384": 96, "sha512": 128}
_ALGORITHM_BY_LENGTH = {n: a for a, n in _HEX_LENGTH.items()}
_RESULT = re.compile(
    r"\b(?P<kind>verify|verified)\s+/(?P<alg>[a-z0-9]{2,10})\s+\((?P<path>[^()\s]{1,512})\)"
    r"\s*=\s*(?P<hex>[0-9a-f]{1,128})\b",
    re.IGNORECASE,
)
_VERIFIED = re.compile(
    r"\bVerified\s+\((?P<path>[^()\s]{1,512})\)\s*=\s*(?P<hex>[0-9A-Fa-f]{1,128})\b"
)
_ERROR_VERIFYING = re.compile(r"%Error verifying\s+(?P<path>[^\s]{1,512})")
_COMPUTED = re.compile(r"Computed signature\s*=\s*(?P<hex>[0-9A-Fa-f]{1,128})\b")
_SUBMITTED = re.compile(r"Submitted signature\s*=\s*(?P<hex>[0-9A-Fa-f]{1,128})\b")
_CONTINUATION = re.compile(r"[ \t]*\r?\n[ \t]*(?P<hex>[0-9A-Fa-f]{1,128})[ \t]*(?=\r?\n|$)")


def _line_of(text: str, match: re.Match[str]) -> str:
    start = text.rfind("\n", 0, match.start()) + 1
    end = text.find("\n", match.end())
    return text[start : end if end >= 0 else len(text)].strip()


def _complete_hex(text: str, match: re.Match[str], want: int | None) -> str:
    """The digest, joined with the hex lines it wrapped onto (a 128-digit SHA-512)."""
    digest, end = match["hex"], match.end("hex")
    while want and len(digest) < want:
        more = _CONTINUATION.match(text, end)
        if not more:
            break
        digest, end = digest + more["hex"], more.end("hex")
    return digest.lower()


def _algorithm_for(digest: str, step: str) -> str:
    algorithm = _ALGORITHM_BY_LENGTH.get(len(digest))
    if not algorithm:
        raise ParseError(f"{step}: a {len(digest)}-digit digest matches no known algorithm")
    return algorithm


def _choose_path(printed: str, target: str, step: str) -> str:
    """The digest's path: the one asked for, checked against the one the device printed."""
    shown = canonical(printed)
    asked = canonical(target) if target else ""
    if not asked or asked.endswith(":"):
        return shown  # nothing asked, or only a filesystem (the prompted-filename form)
    if basename(shown) != basename(asked):
        raise ParseError(f"{step}: the device reported a digest of {printed}, not of {target}")
    return asked if filesystem(asked) else shown


def _other_errors(text: str) -> list[str]:
    return [
        line.strip()
        for line in text.splitlines()
        if _DEVICE_ERROR.match(line) and not line.strip().startswith("%Error verifying")
    ]


def parse_digest(text: str, target: str = "") -> DigestResult:
    """``verify /md5|/sha512 <path> [<expected>]`` -> DigestResult."""
    text = text.replace("\r\n", "\n")
    errors = _other_errors(text)
    found: list[DigestResult] = []
    for match in _RESULT.finditer(text):
        algorithm = match["alg"].lower()
        if algorithm not in _HEX_LENGTH:
            raise ParseError(f"digest: unknown algorithm /{match['alg']}")
        digest = _complete_hex(text, match, _HEX_LENGTH[algorithm])
        verified = True if match["kind"].lower() == "verified" else None
        found.append(
            DigestResult(
                path=_choose_path(match["path"], target, "digest"),
                algorithm=algorithm,
                digest=digest,
                expected=digest if verified else "",
                verified=verified,
                evidence=(_line_of(text, match),),
            )
        )
    for match in _VERIFIED.finditer(text):
        digest = _complete_hex(text, match, 128 if len(match["hex"]) > 40 else None)
        found.append(
            DigestResult(
                path=_choose_path(match["path"], target, "digest"),
                algorithm=_algorithm_for(digest, "digest"),
                digest=digest,
                expected=digest,
                verified=True,
                evidence=(_line_of(text, match),),
            )
        )
    failed = _ERROR_VERIFYING.search(text)
    if failed:
        computed, submitted = _COMPUTED.search(text), _SUBMITTED.search(text)
        if not computed or not submitted:
            raise ParseError(f"digest: {_line_of(text, failed)!r} without both signatures")
        digest = _complete_hex(text, computed, 128 if len(computed["hex"]) > 40 else None)
        found.append(
            DigestResult(
                path=_choose_path(failed["path"], target, "digest"),
                algorithm=_algorithm_for(digest, "digest"),
                digest=digest,
                expected=submitted["hex"].lower(),
                verified=False,
                evidence=tuple(_line_of(text, m) for m in (failed, computed, submitted)),
            )
        )
    if not found:
        reason = f"the device answered {errors[0]!r}" if errors else "no digest in the output"
        raise ParseError(f"digest: {reason}")
    if errors:
        raise ParseError(f"digest: the device also reported {errors[0]!r}")
    if len({(r.path, r.digest) for r in found}) > 1:
        raise ParseError("digest: the output holds several different digests")
    if len({r.verified for r in found} - {None}) > 1:
        raise ParseError("digest: the device reported the digest both verified and not")
    result = next((r for r in found if r.verified is not None), found[0])
    if result.algorithm in _HEX_LENGTH and len(result.digest) != _HEX_LENGTH[result.algorithm]:
        raise ParseError(
            f"digest: {result.algorithm} digest has {len(result.digest)} hex digits, "
            f"expected {_HEX_LENGTH[result.algorithm]}"
        )
    return result


# --- plain verify (embedded hash of a signed image) ----------------------------------------

_VERIFYING = re.compile(r"^Verifying file integrity of\s+(?P<path>\S{1,512}?)\.?$")
_SIGNED_IN = re.compile(r"^Digital signature successfully verified in file\s+(?P<path>\S{1,512})$")
_OLD_VERIFIED = re.compile(r"^Verified\s+(?P<path>[A-Za-z][\w\-]{0,40}:\S{0,512})$")
_HASH = re.compile(
    r"^(?P<which>Embedded|Computed|CCO)\s+Hash\s+(?P<alg>MD5|SHA1|SHA2|SHA256|SHA512)\s*:\s*"
    r"(?P<hex>[0-9A-Fa-f]{8,128})$",
    re.IGNORECASE,
)
_HEX_ONLY = re.compile(r"^[0-9A-Fa-f]{8,128}$")
_VERIFY_OK = re.compile(
    r"^(?:Signature Verified|Digital signature successfully verified|"
    r"Embedded hash verification successful)",
    re.IGNORECASE,
)
_VERIFY_FAILED = re.compile(
    r"verification failed|signature (?:invalid|not verified)|hash mismatch", re.IGNORECASE
)
_STRENGTH = ("sha2", "sha512", "sha256", "sha1", "md5")


def parse_verify(text: str, target: str = "") -> DigestResult:
    """Plain ``verify <path>`` -> DigestResult of the image's embedded-hash check."""
    hashes: dict[tuple[str, str], str] = {}
    evidence: list[str] = []
    path = ""
    outcome: bool | None = None
    last: tuple[str, str] | None = None
    for raw in _body(text):
        line = raw.strip()
        hashed = _HASH.match(line)
        if hashed:
            last = (hashed["which"].lower(), hashed["alg"].lower())
            hashes[last] = hashed["hex"].lower()
            evidence.append(line)
            continue
        if last and _HEX_ONLY.match(line):  # SHA2 digests wrap over several lines
            hashes[last] += line.lower()
            continue
        last = None
        if _DEVICE_ERROR.match(line):
            evidence.append(line)  # e.g. "%Filesystem does not support verify operations"
        named = _VERIFYING.match(line) or _SIGNED_IN.match(line) or _OLD_VERIFIED.match(line)
        if named:
            path = path or named["path"]
            evidence.append(line)
            if _OLD_VERIFIED.match(line):
                outcome = True
        if _VERIFY_FAILED.search(line):
            outcome = False
            evidence.append(line)
        elif _VERIFY_OK.match(line) and outcome is not False:
            outcome = True
            evidence.append(line)
    algorithm = next((a for a in _STRENGTH if ("computed", a) in hashes), "")
    if not algorithm and outcome is None:
        _reject(_body(text), "verify")
        raise ParseError("verify: no computed hash and no verdict in the output")
    if not path and not target:
        raise ParseError("verify: the output names no file and no target was given")
    computed = hashes.get(("computed", algorithm), "")
    embedded = hashes.get(("embedded", algorithm), "")
    want = _HEX_LENGTH.get("sha512" if algorithm == "sha2" else algorithm)
    if computed and len(computed) != want:
        raise ParseError(f"verify: {algorithm} hash has {len(computed)} hex digits, not {want}")
    if computed and embedded and computed != embedded:
        outcome = False  # the device's own numbers disagree, whatever else it printed
    return DigestResult(
        path=_choose_path(path, target, "verify") if path else canonical(target),
        algorithm=f"{algorithm}-embedded" if algorithm else "embedded",
        digest=computed,
        expected=embedded,
        verified=outcome,
        evidence=tuple(dict.fromkeys(evidence)),
    )


# --- more <fs>:packages.conf ---------------------------------------------------------------

_PACKAGE = re.compile(
    r"^(?P<kind>[a-z][a-z_]{0,15})\s+(?P<slot>[a-z][a-z0-9_]{0,15})\s+\d{1,3}\s+\d{1,3}\s+"
    r"(?P<role>\S{1,40})\s+(?P<file>\S{1,255})$"
)
_SHA1SUM = re.compile(r"^sha1sum:\s*[0-9A-Fa-f]{40}$")


def parse_packages(text: str, target: str = "") -> RunningSet:
    """``more <fs>:packages.conf`` -> the package files it boots, relative to its own place."""
    lines = _body(text)
    _reject(lines, "packages")
    where = canonical(target) if target else ""
    if not filesystem(where):
        raise ParseError(f"packages: the provisioning file's own path is needed (got {target!r})")
    base = where[: max(where.rfind("/"), where.find(":")) + 1]
    paths: list[str] = []
    evidence: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if _SHA1SUM.match(line):
            evidence.append(line)
            continue
        package = _PACKAGE.match(line)
        if not package:
            raise ParseError(f"packages: unrecognised line {line!r}")
        path = canonical(base + package["file"])
        if path not in paths:
            paths.append(path)
            evidence.append(line)
    if not paths:
        raise ParseError("packages: the file names no package")
    return RunningSet(paths=tuple(paths), evidence=tuple(evidence))


# --- show install summary ------------------------------------------------------------------

_PENDING_STATES = {"U": "activated, not committed", "D": "deactivated, not committed"}


def parse_install_summary(text: str, target: str = "") -> tuple[Pending, ...]:
    """IOS-XE ``show install summary`` -> the changes waiting for a commit (or rollback)."""
    lines = _body(text)
    _reject(lines, "install_summary")
    if not any("Package(s) Information" in ln or "Filename/Version" in ln for ln in lines):
        raise ParseError("install_summary: no 'Package(s) Information' table in the output")
    rows = _own("show install summary", lines)
    pending = []
    for row in rows:
        where = f"[{row['location']}] " if row["location"] else ""
        if row["state"] in _PENDING_STATES:
            line = f"{row['type']} {row['state']} {row['name']}"
            description = f"{where}{row['type']} {row['name']} {_PENDING_STATES[row['state']]}"
            pending.append(Pending(description, (line,)))
        elif row["abort"] and row["abort"].lower().startswith("active"):
            line = f"Auto abort timer: {row['abort']}"
            pending.append(Pending(f"{where}auto abort timer {row['abort']}", (line,)))
    return tuple(pending)


# --- dispatch ------------------------------------------------------------------------------


def _abbrev(word: str, minimum: int) -> str:
    """How IOS accepts a keyword: ``show`` with minimum 2 -> ``sh(?:o(?:w)?)?``."""
    pattern = ""
    for char in reversed(word[minimum:]):
        pattern = f"(?:{re.escape(char)}{pattern})?"
    return re.escape(word[:minimum]) + pattern


_SHOW = _abbrev("show", 2)
_VERIFY_WORD = _abbrev("verify", 3)
_FILTER = r"(?: \|.*)?"
_FS = r"[a-z][a-z0-9_\-]{0,30}:"

STEPS: dict[str, Callable[[str, str], object]] = {
    "version": parse_version,
    "boot": parse_boot,
    "filesystems": parse_filesystems,
    "listing": parse_listing,
    "digest": parse_digest,
    "memory_text": parse_digest,
    "verify": parse_verify,
    "packages": parse_packages,
    "install_summary": parse_install_summary,
    **integrity.STEPS,
}

COMMANDS: tuple[tuple[str, str], ...] = (
    (rf"{_SHOW} {_abbrev('version', 2)}{_FILTER}", "version"),
    (rf"{_SHOW} {_abbrev('install', 3)} {_abbrev('summary', 3)}{_FILTER}", "install_summary"),
    (rf"{_SHOW} {_abbrev('file', 2)} {_abbrev('systems', 1)}{_FILTER}", "filesystems"),
    (rf"{_SHOW} (?:boot|{_abbrev('bootvar', 5)})(?: system)?{_FILTER}", "boot"),
    (rf"{_SHOW} (?:{_abbrev('flash', 3)}\d?:?|{_FS}\S*)(?: all)?{_FILTER}", "listing"),
    (rf"dir(?: /(?:all|{_abbrev('recursive', 2)}))*(?: \S+)?{_FILTER}", "listing"),
    (rf"{_VERIFY_WORD} /(?:md5|sha\d{{1,3}}) system:memory/text", "memory_text"),
    (rf"{_VERIFY_WORD} /(?:md5|sha\d{{1,3}})(?: \S+){{0,2}}", "digest"),
    (rf"{_VERIFY_WORD}(?: /signature)? [^/\s]\S*", "verify"),
    (rf"more(?: /\w+)* \S+\.conf{_FILTER}", "packages"),
    *integrity.COMMANDS,
)

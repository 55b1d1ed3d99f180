"""Signed and signature evidence on Cisco platforms: Boot Integrity Visibility
(``show platform integrity sign nonce N``, ``show platform sudi certificate sign nonce N``,
``show system integrity all measurement|trust_chain|compliance nonce N``), image signatures
(``show software authenticity running|file``) and ROMMON (``show rom-monitor``,
``show romvar``).

Parsers only read; the verification (signatures, chain, PCR replay, Known Good Values) is
:mod:`imagesweep.signed` and the rules. ``target`` is the nonce the collector sent (decimal),
or the path for ``show software authenticity file``. Output that is damaged (a hash wrapped
over two lines, a field without its value, a line nobody knows) is refused with
:class:`ParseError`, never guessed; ``% Error retrieving integrity data`` is data (a record
with ``error`` set): the platform offers the command but has nothing to sign.
"""

from __future__ import annotations

import re

from imagesweep.errors import ParseError
from imagesweep.records import Authenticity, Compliance, Measurement, Rommon, SudiChain

MAX_LINE = 4096  # device output is hostile: no regex runs over an unbounded line
_HEX = re.compile(r"[0-9A-Fa-f]{1,1024}")
_HASH = re.compile(r"(?:[0-9A-Fa-f]{64}|[0-9A-Fa-f]{128})")
_ECHO = re.compile(r"^\S{0,64}[#>]\s{0,4}:?\s{0,4}(?:sh|show)\b.{0,300}$|^(?:sh|show)\s.{0,300}$")
_NONCE = re.compile(r"\bnonce\s{1,4}(\d{1,20})\b")
_PROMPT = re.compile(r"^\S{1,64}[#>]\s{0,2}$")
_NOISE = re.compile(r"^(?:Load for five secs|Time source is|No time source)")
_ERROR_LINE = re.compile(r"^%\s{0,3}Error retrieving (?:integrity data|SUDI certificate).{0,80}$")
_LOCATION = re.compile(r"^LOCATION\s{1,4}(.{1,200})$")
_PEM = re.compile(
    r"-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=\n]{1,16384}?)-----END CERTIFICATE-----"
)
TRY_LATER = "% Please Try After Few Seconds"


def _lines(text: str) -> tuple[list[str], int | None]:
    """The output's lines without CR, prompt, echo and exec banners; the echoed nonce."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if any(len(line) > MAX_LINE for line in lines):
        raise ParseError(f"a line is longer than {MAX_LINE} characters")
    echoed: int | None = None
    out: list[str] = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if i < 2 and _ECHO.match(stripped):
            found = _NONCE.search(stripped)
            echoed = int(found.group(1)) if found else echoed
            continue
        if i == 0 and re.match(r"^\S{1,64}#(?=\S)", stripped):  # prompt glued to output
            stripped = stripped.split("#", 1)[1]
        if _PROMPT.match(stripped) or _NOISE.match(stripped):
            continue
        out.append(stripped)
    while out and not out[-1]:
        out.pop()
    while out and not out[0]:
        out.pop(0)
    return out, echoed


def _nonce(target: str) -> int | None:
    return int(target) if target.strip().isdigit() else None


def _hash(value: str, what: str) -> str:
    if not _HASH.fullmatch(value):
        raise ParseError(f"{what}: {value[:40]!r} is not a SHA-256 or SHA-512 hash")
    return value.upper()


def _pcr(value: str, what: str) -> str:
    if not re.fullmatch(r"[0-9A-Fa-f]{64}", value):
        raise ParseError(f"{what}: {value[:40]!r} is not a 32-byte register")
    return value.upper()


def _signature(lines: list[str], i: int, what: str) -> tuple[str, int]:
    """The hex signature starting at lines[i] (one line, as every release prints it)."""
    if i >= len(lines) or not lines[i]:
        raise ParseError(f"{what}: the signature value is missing")
    value = lines[i]
    if not _HEX.fullmatch(value) or len(value) % 2 or len(value) < 256:
        raise ParseError(f"{what}: the signature is not an RSA signature in hex")
    return value.upper(), i + 1


def _version(value: str, what: str) -> int:
    if not value.isdigit() or len(value) > 4:
        raise ParseError(f"{what}: signature version {value[:20]!r} is not a number")
    return int(value)


# --- show platform integrity [sign [nonce N]] ----------------------------------------------

_V1_FIELDS = {
    "Platform": "platform",
    "Boot 0 Version": "boot0_version",
    "Boot 0 Hash": "boot0_hash",
    "Boot Loader Version": "bl_version",
    "Boot Loader Hash": "bl_hash",
    "OS Version": "os_version",
    "OS Hash": "os_hash",
    "PCR0": "pcr0",
    "PCR8": "pcr8",
    "Signature version": "sig_version",
}


def platform_integrity(text: str, target: str = "") -> Measurement:
    lines, echoed = _lines(text)
    if not lines:
        raise ParseError("empty output")
    fields: dict[str, str] = {}
    os_hashes: list[tuple[str, str]] = []
    signature = ""
    error = ""
    i = 0
    in_os_list = False
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            in_os_list = False
            continue
        if _ERROR_LINE.match(line):
            error = line
            continue
        if line == "OS Hashes:":
            in_os_list = True
            continue
        if line == "Signature:":
            signature, i = _signature(lines, i, "show platform integrity")
            continue
        key, sep, value = line.partition(":")
        if sep and key in _V1_FIELDS:
            in_os_list = False
            name = _V1_FIELDS[key]
            if name in fields:
                raise ParseError(f"{key} printed twice")
            fields[name] = value.strip()
            continue
        if in_os_list:
            found = re.fullmatch(r"(\S{1,200}):\s{0,4}(\S{0,200})", line)
            if found:
                os_hashes.append((found.group(1), _hash(found.group(2), found.group(1))))
                continue
        raise ParseError(f"unexpected line {line[:80]!r} (damaged or wrapped output)")
    if "platform" not in fields:
        raise ParseError("no Platform line: not show platform integrity output")
    if "os_hash" in fields:
        os_hashes.insert(0, ("", fields["os_hash"]))
    boot = [
        (fields.get("boot0_version", ""), fields.get("boot0_hash", "")),
        (fields.get("bl_version", ""), fields.get("bl_hash", "")),
    ]
    if error:  # the platform answers but cannot measure: keep what it said, judge nothing
        return Measurement(
            platform=fields["platform"],
            os_version=fields.get("os_version", ""),
            error=error,
            nonce=_nonce(target),
            echoed_nonce=echoed,
            evidence=(f"Platform: {fields['platform']}", error),
        )
    missing = [k for k, v in _V1_FIELDS.items() if k != "Signature version" and not fields.get(v)]
    if "OS Hash" in missing and os_hashes:
        missing.remove("OS Hash")
    if missing:
        raise ParseError(f"no value for {', '.join(missing)}")
    measured = Measurement(
        platform=fields["platform"],
        boot=tuple((v, _hash(h, f"{v} hash")) for v, h in boot),
        os_version=fields["os_version"],
        os_hashes=tuple((n, _hash(h, n or "OS Hash")) for n, h in os_hashes),
        pcr0=_pcr(fields["pcr0"], "PCR0"),
        pcr8=_pcr(fields["pcr8"], "PCR8"),
        sig_version=(
            _version(fields["sig_version"], "Signature version")
            if "sig_version" in fields
            else None
        ),
        signature=signature,
        nonce=_nonce(target),
        echoed_nonce=echoed,
        evidence=(
            f"Platform: {fields['platform']}",
            f"OS Version: {fields['os_version']}",
            f"PCR0: {fields['pcr0']}",
            f"PCR8: {fields['pcr8']}",
        ),
    )
    if measured.sig_version is not None and not signature:
        raise ParseError("Signature version printed without a signature")
    return measured


# --- show system integrity all ... nonce N (one block per location) ------------------------


def _locations(lines: list[str]) -> list[tuple[str, list[str]]]:
    blocks: list[tuple[str, list[str]]] = []
    for line in lines:
        found = _LOCATION.match(line)
        if found:
            blocks.append((found.group(1).strip(), []))
        elif re.fullmatch(r"-{5,200}", line):
            continue
        elif blocks:
            blocks[-1][1].append(line)
        elif line:
            raise ParseError(f"unexpected line before the first LOCATION: {line[:80]!r}")
    if not blocks:
        raise ParseError("no LOCATION block: not show system integrity output")
    return blocks


def _v2_signature(body: list[str], i: int, where: str) -> tuple[int, str, int]:
    """``Signature:`` / ``Version: 1`` / ``Value:`` / hex, starting after ``Signature:``."""
    if i + 2 >= len(body) or not body[i].startswith("Version:") or body[i + 1] != "Value:":
        raise ParseError(f"{where}: Signature without Version and Value")
    version = _version(body[i].partition(":")[2].strip(), where)
    signature, nxt = _signature(body, i + 2, where)
    return version, signature, nxt


def system_measurement(text: str, target: str = "") -> tuple[Measurement, ...]:
    lines, echoed = _lines(text)
    out: list[Measurement] = []
    for location, body in _locations(lines):
        where = f"LOCATION {location}"
        platform = os_version = pcr0 = pcr8 = signature = ""
        version: int | None = None
        boot: list[tuple[str, str]] = []
        os_hashes: list[tuple[str, str]] = []
        section = ""
        i = 0
        while i < len(body):
            line = body[i]
            i += 1
            if not line:
                continue
            if line in ("Boot Hashes:", "OS:", "Hashes:", "Registers:"):
                section = line
                continue
            if line == "Signature:":
                version, signature, i = _v2_signature(body, i, where)
                continue
            key, sep, value = line.partition(":")
            value = value.strip()
            if not sep:
                raise ParseError(f"{where}: unexpected line {line[:80]!r}")
            if key == "Platform":
                platform = value
            elif section == "Boot Hashes:":
                boot.append((key, _hash(value, f"{where} boot {key}")))
            elif section == "OS:" and key == "Version":
                os_version = value
            elif section == "Hashes:":
                os_hashes.append((key, _hash(value, f"{where} {key}")))
            elif section == "Registers:" and key in ("PCR0", "PCR8"):
                if key == "PCR0":
                    pcr0 = _pcr(value, f"{where} PCR0")
                else:
                    pcr8 = _pcr(value, f"{where} PCR8")
            else:
                raise ParseError(f"{where}: unexpected line {line[:80]!r}")
        if not (platform and boot and os_hashes and pcr0 and pcr8):
            raise ParseError(f"{where}: incomplete measurement (platform, hashes or registers)")
        out.append(
            Measurement(
                location=location,
                platform=platform,
                boot=tuple(boot),
                os_version=os_version,
                os_hashes=tuple(os_hashes),
                pcr0=pcr0,
                pcr8=pcr8,
                sig_version=version,
                signature=signature,
                nonce=_nonce(target),
                echoed_nonce=echoed,
                evidence=(
                    f"{where} Platform: {platform}",
                    f"{where} OS Version: {os_version}",
                    f"{where} PCR0: {pcr0}",
                    f"{where} PCR8: {pcr8}",
                ),
            )
        )
    return tuple(out)


# --- SUDI chain ---------------------------------------------------------------------------


def _pems(text: str) -> tuple[str, ...]:
    return tuple(
        "-----BEGIN CERTIFICATE-----\n"
        + "".join(m.group(1).split())
        + "\n-----END CERTIFICATE-----\n"
        for m in _PEM.finditer(text)
    )


def platform_sudi(text: str, target: str = "") -> SudiChain:
    lines, _ = _lines(text)
    joined = "\n".join(lines)
    if len(lines) == 1 and _ERROR_LINE.match(lines[0]):
        return SudiChain(nonce=_nonce(target), error=lines[0], evidence=(lines[0],))
    certs = _pems(joined + "\n")
    if len(certs) != 3:
        raise ParseError(f"{len(certs)} certificates, expected root, sub-CA and device")
    rest = _PEM.sub("", joined + "\n")
    tail = [line for line in rest.split("\n") if line]
    if len(tail) != 3 or not tail[0].startswith("Signature version:") or tail[1] != "Signature:":
        raise ParseError("no Signature version / Signature after the certificates")
    version = _version(tail[0].partition(":")[2].strip(), "show platform sudi")
    signature, _ = _signature(tail, 2, "show platform sudi")
    return SudiChain(
        certificates=certs,
        sig_version=version,
        signature=signature,
        nonce=_nonce(target),
        evidence=(f"{len(certs)} certificates, signature version {version}",),
    )


def system_trust_chain(text: str, target: str = "") -> tuple[SudiChain, ...]:
    lines, _ = _lines(text)
    out: list[SudiChain] = []
    for location, body in _locations(lines):
        where = f"LOCATION {location}"
        joined = "\n".join(body) + "\n"
        certs = _pems(joined)
        rest = [
            line
            for line in _PEM.sub("", joined).split("\n")
            if line and not line.startswith("Certificate Name:")
        ]
        if len(certs) != 3 or len(rest) != 4 or rest[0] != "Signature:":
            raise ParseError(f"{where}: expected three certificates and one signature")
        version, signature, _ = _v2_signature(rest, 1, where)
        out.append(
            SudiChain(
                location=location,
                certificates=certs,
                sig_version=version,
                signature=signature,
                nonce=_nonce(target),
                evidence=(f"{where}: {len(certs)} certificates",),
            )
        )
    return tuple(out)


def system_compliance(text: str, target: str = "") -> tuple[Compliance, ...]:
    lines, _ = _lines(text)
    out: list[Compliance] = []
    for location, body in _locations(lines):
        where = f"LOCATION {location}"
        attributes: list[tuple[str, str]] = []
        version: int | None = None
        signature = ""
        i = 0
        started = False
        while i < len(body):
            line = body[i]
            i += 1
            if not line:
                continue
            if line == "Compliance:":
                started = True
                continue
            if line == "Signature:":
                version, signature, i = _v2_signature(body, i, where)
                continue
            key, sep, value = line.partition(":")
            if not started or not sep or not re.fullmatch(r"[A-Za-z0-9_.]{1,64}", key):
                raise ParseError(f"{where}: unexpected line {line[:80]!r}")
            attributes.append((key, value.strip()))
        if not attributes:
            raise ParseError(f"{where}: no compliance attributes")
        out.append(
            Compliance(
                location=location,
                attributes=tuple(attributes),
                sig_version=version,
                signature=signature,
                nonce=_nonce(target),
                evidence=tuple(f"{where} {k}: {v}" for k, v in attributes),
            )
        )
    return tuple(out)


# --- show software authenticity running | file <image> -------------------------------------

_AUTH_FIELDS = {
    "File Name": "file",
    "Image type": "image_type",
    "Common Name": "signer",
    "Organization Unit": "",
    "Organization Name": "",
    "Certificate Serial Number": "serial",
    "Hash Algorithm": "",
    "Signature Algorithm": "",
    "Key Version": "key_version",
    "Verifier Name": "verifier",
    "Verifier Version": "",
}


def _authenticity(text: str, target: str, *, file: bool) -> tuple[Authenticity, ...]:
    lines, _ = _lines(text)
    if lines and lines[-1].startswith("Technical Support:"):
        lines.pop()
    blocks: list[dict[str, str]] = []
    pending_title = ""
    for line in lines:
        if not line or line in ("Signer Information", "Verifier Information"):
            continue
        if re.fullmatch(r"-{3,200}", line):
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if sep and key in _AUTH_FIELDS:
            name = _AUTH_FIELDS[key]
            starts = key == "File Name" or (
                key == "Image type" and (not blocks or "image_type" in blocks[-1])
            )
            if starts:
                blocks.append({"subject": pending_title or target})
                pending_title = ""
            if not blocks:
                raise ParseError(f"{key} before any image")
            if name:
                blocks[-1][name] = value.strip()
            continue
        if not sep or line.startswith("/"):
            # a block title: "SYSTEM IMAGE", "PACKAGE x.pkg", "Microloader", NX-OS's path
            pending_title = line.removeprefix("PACKAGE ").strip()
            continue
        raise ParseError(f"unexpected line {line[:80]!r}")
    found = [b for b in blocks if b.get("image_type")]
    if not found or len(found) != len(blocks):
        raise ParseError("no Image type: not show software authenticity output")
    return tuple(
        Authenticity(
            subject=b.get("file") or b.get("subject", "") or target,
            image_type=b.get("image_type", ""),
            signer=b.get("signer", ""),
            serial=b.get("serial", ""),
            key_version=b.get("key_version", ""),
            verifier=b.get("verifier", ""),
            file=file,
            target=target if file else "",
            evidence=(
                f"{b.get('file') or b.get('subject') or target}: Image type "
                f"{b.get('image_type', '')}, signer {b.get('signer', '')}, certificate serial "
                f"{b.get('serial', '')}",
            ),
        )
        for b in found
    )


def authenticity_running(text: str, target: str = "") -> tuple[Authenticity, ...]:
    return _authenticity(text, target, file=False)


def authenticity_file(text: str, target: str = "") -> tuple[Authenticity, ...]:
    return _authenticity(text, target, file=True)


# --- ROMMON --------------------------------------------------------------------------------

_BOOTSTRAP = re.compile(
    r"System Bootstrap, Version ([^,\s]{1,40}(?:\s?\[[^\]]{1,20}\])?),\s{0,4}"
    r"(RELEASE SOFTWARE|DEVELOPMENT SOFTWARE|[A-Z ]{1,40}SOFTWARE)"
)
_REGION = re.compile(r"[Cc]urrently running ROMMON from (ReadOnly|Upgrade|\S{1,20}) region")


_REGION_HEADER = re.compile(r"^(ReadOnly|Upgrade) ROMMON version:?$")


def rom_monitor(text: str, target: str = "") -> Rommon:
    """``show rom-monitor [r0]``: the bootstrap line; where the platform keeps a ReadOnly and
    an Upgrade ROMMON (ISR G2, ISR 4000), the version of the region it runs from."""
    lines, _ = _lines(text)
    sections: dict[str, str] = {}
    current = ""
    for line in lines:
        header = _REGION_HEADER.match(line)
        if header:
            current = header.group(1)
            continue
        found = _BOOTSTRAP.search(line)
        if found and current and current not in sections:
            sections[current] = line
    joined = "\n".join(lines)
    region = _REGION.search(joined)
    running = region.group(1) if region else ""
    chosen = sections.get(running) or next(iter(sections.values()), "")
    found = _BOOTSTRAP.search(chosen) if chosen else _BOOTSTRAP.search(joined)
    if not found:
        raise ParseError("no 'System Bootstrap, Version ...' line")
    if sections and not region:
        raise ParseError("ReadOnly and Upgrade ROMMONs, but no line says which one runs")
    return Rommon(
        version=found.group(1).replace(" ", ""),
        release_type=found.group(2),
        region=running,
        evidence=(found.group(0),) + ((region.group(0),) if region else ()),
    )


def romvar(text: str, target: str = "") -> Rommon:
    lines, _ = _lines(text)
    if not lines or lines[0] != "ROMMON variables:":
        raise ParseError("no 'ROMMON variables:' header")
    variables: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            continue
        key, sep, value = line.partition(" =")
        if not sep or not re.fullmatch(r"[A-Za-z0-9_?]{1,64}", key.strip()):
            raise ParseError(f"unexpected line {line[:80]!r}")
        variables.append((key.strip(), value.strip()))
    return Rommon(
        variables=tuple(variables),
        evidence=tuple(f"{k} = {v}" for k, v in variables if k in DEBUG_VARIABLES and v),
    )


DEBUG_VARIABLES = ("DEBUG_CONF", "ROMMON_DEBUG_CONF", "BOOT_PARAM")


def rommon_line(line: str) -> Rommon | None:
    """ROMMON from a show version ``ROM:`` / ``BOOTLDR:`` line's content."""
    found = _BOOTSTRAP.search(line)
    if found:
        return Rommon(found.group(1).replace(" ", ""), found.group(2), evidence=(line,))
    bare = re.fullmatch(r"(\d{1,3}\.\d{1,3}\(\d{1,4}r\)\S{0,10})", line.strip())
    if bare:
        return Rommon(bare.group(1), "", evidence=(line,))
    return None


# --- step parsers (the plan's steps; each step's alternatives print different layouts) -----


def measurement(text: str, target: str = "") -> tuple[Measurement, ...]:
    busy = next((line.strip() for line in text.splitlines() if TRY_LATER in line), "")
    if busy:  # still busy after the collector's retries: evidence offered, not given
        return (Measurement(error=busy[:200], nonce=_nonce(target), evidence=(busy[:200],)),)
    if "LOCATION " in text:
        return system_measurement(text, target)
    return (platform_integrity(text, target),)


def sudi(text: str, target: str = "") -> tuple[SudiChain, ...]:
    if "LOCATION " in text:
        return system_trust_chain(text, target)
    return (platform_sudi(text, target),)


STEPS = {
    "integrity": measurement,
    "sudi": sudi,
    "compliance": system_compliance,
    "authenticity": authenticity_running,
    "authenticity_file": authenticity_file,
    "rommon": rom_monitor,
    "romvar": romvar,
}

_SHOW = r"sh(?:o(?:w)?)?"
_NONCE_ARG = r"(?: sign)?(?: nonce \d{1,20})?"
COMMANDS: tuple[tuple[str, str], ...] = (
    (rf"{_SHOW} platform integrity{_NONCE_ARG}", "integrity"),
    (rf"{_SHOW} system integrity all measurement(?: nonce \d{{1,20}})?", "integrity"),
    (rf"{_SHOW} platform sudi certificate{_NONCE_ARG}", "sudi"),
    (rf"{_SHOW} system integrity all trust_chain(?: nonce \d{{1,20}})?", "sudi"),
    (rf"{_SHOW} system integrity all compliance(?: nonce \d{{1,20}})?", "compliance"),
    (rf"{_SHOW} software authenticity running", "authenticity"),
    (rf"{_SHOW} software authenticity file \S+", "authenticity_file"),
    (rf"{_SHOW} rom-monitor(?: \S+){{0,2}}", "rommon"),
    (rf"{_SHOW} romvar", "romvar"),
)
NXOS_STEPS = {k: STEPS[k] for k in ("authenticity", "authenticity_file")}
NXOS_COMMANDS = tuple(c for c in COMMANDS if c[1] in NXOS_STEPS)


# --- the same data through YANG (RESTCONF JSON, NETCONF XML) --------------------------------

_YANG_ROOT = "system-integrity-oper-data"
_LOCATION_KEYS = ("fru", "slot", "bay", "chassis", "node")
MAX_YANG_BYTES = 4 * 1024 * 1024


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _xml_to_dict(text: str) -> dict[str, object]:
    import xml.etree.ElementTree as ET

    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise ParseError("XML with a DOCTYPE or entities is refused (device output is hostile)")
    try:
        root = ET.fromstring(text.strip())
    except ET.ParseError as exc:
        raise ParseError(f"not XML: {exc}") from exc

    def convert(node: ET.Element) -> object:
        children = list(node)
        if not children:
            return (node.text or "").strip()
        out: dict[str, object] = {}
        for child in children:
            tag = child.tag.rsplit("}", 1)[-1]
            value = convert(child)
            if tag in out:
                prior = out[tag]
                out[tag] = [*prior, value] if isinstance(prior, list) else [prior, value]
            else:
                out[tag] = value
        return out

    tag = root.tag.rsplit("}", 1)[-1]
    return {tag: convert(root)}


def _yang_doc(text: str) -> list[dict[str, object]]:
    """The ``location`` entries of a RESTCONF (JSON) or NETCONF (XML) answer."""
    import json

    if len(text) > MAX_YANG_BYTES:
        raise ParseError(f"larger than {MAX_YANG_BYTES} bytes")
    stripped = text.strip()
    doc: object
    if stripped.startswith("{"):
        try:
            doc = json.loads(stripped)
        except ValueError as exc:
            raise ParseError(f"not JSON: {exc}") from exc
    elif stripped.startswith("<"):
        doc = _xml_to_dict(stripped)
    else:
        raise ParseError("neither RESTCONF JSON nor NETCONF XML")
    data = None
    if isinstance(doc, dict):
        for key, value in doc.items():
            if str(key).rsplit(":", 1)[-1] == _YANG_ROOT:
                data = value
    if not isinstance(data, dict):
        raise ParseError(f"no {_YANG_ROOT}")
    locations = [x for x in _as_list(data.get("location")) if isinstance(x, dict)]
    if not locations:
        raise ParseError("no location")
    return locations


def _yang_location(entry: dict[str, object]) -> str:
    missing = [k for k in _LOCATION_KEYS if k not in entry]
    if missing:
        raise ParseError(f"a location without its list key(s) {', '.join(missing)}")
    return " ".join(f"{k.upper()}={entry[k]}" for k in _LOCATION_KEYS)


def _yang_signature(node: object, where: str) -> tuple[int, str]:
    if not isinstance(node, dict):
        raise ParseError(f"{where}: no signature")
    version = _version(str(node.get("version", "")), where)
    value = str(node.get("signature", ""))
    signature, _ = _signature([value], 0, where)
    return version, signature


def _text_of(node: dict[str, object], key: str, where: str) -> str:
    value = node.get(key)
    if isinstance(value, dict | list) or value is None:
        raise ParseError(f"{where}: no {key}")
    return str(value)


def yang(text: str, target: str = "") -> tuple[Measurement | SudiChain | Compliance, ...]:
    """Records from ``system-integrity-oper-data`` in its RESTCONF or NETCONF form; the
    nonce is the one the answer names unless ``target`` says which was sent."""
    out: list[Measurement | SudiChain | Compliance] = []
    for entry in _yang_doc(text):
        location = _yang_location(entry)
        where = f"LOCATION {location}"
        for item in _as_list(entry.get("integrity")):
            if not isinstance(item, dict):
                raise ParseError(f"{where}: integrity is not a record")
            named = str(item.get("nonce", ""))
            echoed = int(named) if named.isdigit() and len(named) <= 20 else None
            nonce = _nonce(target) if target else echoed
            if isinstance(item.get("measurement"), dict):
                out.append(_yang_measurement(item["measurement"], where, location, nonce, echoed))
            elif isinstance(item.get("trust-chain"), dict):
                out.append(_yang_chain(item["trust-chain"], where, location, nonce))
            elif isinstance(item.get("compliance"), dict):
                out.append(_yang_compliance(item["compliance"], where, location, nonce))
            else:
                raise ParseError(f"{where}: no measurement, trust-chain or compliance")
    return tuple(out)


def _yang_measurement(
    m: object, where: str, location: str, nonce: int | None, echoed: int | None
) -> Measurement:
    assert isinstance(m, dict)
    boot = []
    for stage in _as_list(m.get("boot-loader")):
        if not isinstance(stage, dict):
            raise ParseError(f"{where}: a boot-loader entry is not a record")
        stage_version = _text_of(stage, "version", where)
        value = _hash(_text_of(stage, "hash", where), f"{where} boot {stage_version}")
        boot.append((stage_version, value))
    os_node = m.get("operating-system")
    if not isinstance(os_node, dict):
        raise ParseError(f"{where}: no operating-system")
    packages = []
    for pkg in _as_list(os_node.get("package-integrity")):
        if not isinstance(pkg, dict):
            raise ParseError(f"{where}: a package-integrity entry is not a record")
        name = _text_of(pkg, "name", where)
        packages.append((name, _hash(_text_of(pkg, "hash", where), f"{where} {name}")))
    registers = {}
    for reg in _as_list(m.get("register")):
        if isinstance(reg, dict):
            registers[str(reg.get("index"))] = _pcr(
                _text_of(reg, "pcr-content", where), f"{where} PCR{reg.get('index')}"
            )
    if not (boot and packages and "0" in registers and "8" in registers):
        raise ParseError(f"{where}: incomplete measurement (hashes or registers)")
    version, signature = _yang_signature(m.get("signature"), where)
    platform = _text_of(m, "platform", where)
    os_version = _text_of(os_node, "version", where)
    return Measurement(
        location=location,
        platform=platform,
        boot=tuple(boot),
        os_version=os_version,
        os_hashes=tuple(packages),
        pcr0=registers["0"],
        pcr8=registers["8"],
        sig_version=version,
        signature=signature,
        nonce=nonce,
        echoed_nonce=echoed,
        evidence=(
            f"{where} Platform: {platform}",
            f"{where} OS Version: {os_version}",
            f"{where} PCR0: {registers['0']}",
            f"{where} PCR8: {registers['8']}",
        ),
    )


def _yang_chain(node: object, where: str, location: str, nonce: int | None) -> SudiChain:
    assert isinstance(node, dict)
    certs = []
    for cert in _as_list(node.get("trust-chain")):
        if not isinstance(cert, dict):
            raise ParseError(f"{where}: a trust-chain entry is not a record")
        body = "".join(_text_of(cert, "value", where).split())
        if not re.fullmatch(r"[A-Za-z0-9+/=]{100,16384}", body):
            raise ParseError(f"{where}: a certificate is not base64 DER")
        lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
        certs.append(f"-----BEGIN CERTIFICATE-----\n{lines}\n-----END CERTIFICATE-----\n")
    if len(certs) != 3:
        raise ParseError(f"{where}: {len(certs)} certificates, expected root, sub-CA and device")
    version, signature = _yang_signature(node.get("signature"), where)
    return SudiChain(
        location=location,
        certificates=tuple(certs),
        sig_version=version,
        signature=signature,
        nonce=nonce,
        evidence=(f"{where}: {len(certs)} certificates",),
    )


def _yang_compliance(node: object, where: str, location: str, nonce: int | None) -> Compliance:
    assert isinstance(node, dict)
    attributes = []
    for cap in _as_list(node.get("capability")):
        if not isinstance(cap, dict):
            raise ParseError(f"{where}: a capability is not a record")
        attributes.append((_text_of(cap, "attribute", where), _text_of(cap, "value", where)))
    if not attributes:
        raise ParseError(f"{where}: no compliance capabilities")
    version, signature = _yang_signature(node.get("signature"), where)
    return Compliance(
        location=location,
        attributes=tuple(attributes),
        sig_version=version,
        signature=signature,
        nonce=nonce,
        evidence=tuple(f"{where} {k}: {v}" for k, v in attributes),
    )

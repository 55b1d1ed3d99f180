"""Trust anchors and Known Good Values: what signed device evidence is judged against.

- :func:`load_trust`: Cisco's public SUDI roots (Cisco Root CA 2048 / 2099, shipped as
  package data in ``baseline/certs/``) plus any ``--integrity-roots`` PEM (private PKI, the
  lab); and the certificates that may sign a KGV file (Cisco's KGV signing certificate,
  checked up to Cisco Root CA M2 at load, plus the ``--integrity-roots`` certificates).
- :func:`load_kgv`: a Known Good Values file in any of Cisco's JSON layouts (``bulkHash``
  records; ``products`` with ``boot0Versions`` / ``bootLoaderVersions`` / ``osImageVersions``;
  ``platforms`` with ``Boot 0 Versions`` ...). When ``FILE.signature`` lies beside it, the
  signature is verified; a signature that does not verify is a :class:`ConfigError` (a
  tampered KGV must never become the reference), an absent one is reported as unsigned.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.resources import files as package_files
from pathlib import Path
from typing import Any

from cryptography import x509

from imagesweep.baseline.catalogue import guess_platform
from imagesweep.errors import ConfigError
from imagesweep.records import KnownGood
from imagesweep.releases import image_version
from imagesweep.signed import der, describe, file_signed, issued_by, load_pems

MAX_KGV_BYTES = 256 * 1024 * 1024
_HASH = re.compile(r"[0-9A-Fa-f]{64}|[0-9A-Fa-f]{128}")


@dataclass(frozen=True)
class Trust:
    """DER certificates: SUDI roots, and the certificates that may sign a KGV file."""

    roots: tuple[bytes, ...] = ()
    kgv_signers: tuple[bytes, ...] = ()
    custom: str = ""  # the --integrity-roots file, if any


def _package_cert(name: str) -> x509.Certificate:
    data = package_files("imagesweep.baseline").joinpath("certs", name).read_bytes()
    return load_pems(data)[0]


def cisco_trust() -> Trust:
    """Cisco's own anchors; the KGV signing certificate is checked up to Cisco Root CA M2."""
    roots = (_package_cert("crca2048.pem"), _package_cert("crca2099.pem"))
    kgv = _package_cert("Known_Good_Values_PROD.pem")
    inner = _package_cert("innerspace.pem")
    root_m2 = _package_cert("crcam2.pem")
    if not (issued_by(kgv, inner) and issued_by(inner, root_m2)):
        raise ConfigError("the packaged KGV signing certificate does not chain to Root CA M2")
    return Trust(tuple(der(c) for c in roots), (der(kgv),))


def load_trust(extra: str | Path | None = None) -> Trust:
    """Cisco's anchors plus the certificates in ``extra`` (PEM; ``--integrity-roots``)."""
    base = cisco_trust()
    if not extra:
        return base
    path = Path(extra)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the integrity roots: {exc.strerror}") from exc
    try:
        certs = load_pems(data)
    except ValueError as exc:
        raise ConfigError(f"{path}: not a PEM certificate bundle ({exc})") from exc
    added = tuple(der(c) for c in certs)
    return Trust(base.roots + added, base.kgv_signers + added, str(path))


@dataclass(frozen=True)
class KgvEntry:
    dtype: str  # "boot0" | "blr" | "osimage" | "pkg"
    version: str  # boot stage version, OS release, or "" when the layout names none
    biv_hash: str  # upper-case hex
    filename: str = ""
    platform: str = ""  # the KGV's product / platform key
    md5: str = ""
    sha1: str = ""
    sha256: str = ""
    sha512: str = ""


@dataclass(frozen=True)
class KnownGoodValues:
    entries: tuple[KgvEntry, ...] = ()
    source: str = ""  # the file's name
    timestamp: str = ""  # the header's timestamp, "" when it has none
    signed: bool = False
    signer: str = ""
    _by_hash: dict[str, tuple[KgvEntry, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def of(
        cls,
        entries: tuple[KgvEntry, ...],
        *,
        source: str = "",
        timestamp: str = "",
        signed: bool = False,
        signer: str = "",
    ) -> KnownGoodValues:
        index: dict[str, list[KgvEntry]] = {}
        for entry in entries:
            index.setdefault(entry.biv_hash, []).append(entry)
        return cls(
            entries,
            source,
            timestamp,
            signed,
            signer,
            {k: tuple(v) for k, v in index.items()},
        )

    def by_hash(self, biv_hash: str) -> tuple[KgvEntry, ...]:
        return self._by_hash.get(biv_hash.upper(), ())

    def knows_version(self, dtypes: tuple[str, ...], version: str) -> bool:
        """Whether the file lists any value of those kinds for ``version``."""
        v = version.strip().lower()
        return bool(v) and any(
            e.dtype in dtypes and (e.version.lower() == v or v in e.filename.lower())
            for e in self.entries
        )

    def describe(self) -> str:
        state = f"signed by {self.signer}" if self.signed else "UNSIGNED (no .signature beside it)"
        stamp = f", timestamp {self.timestamp}" if self.timestamp else ""
        return f"KGV {self.source}{stamp}, {state}"


_DTYPES = {
    "boot0versions": "boot0",
    "boot 0 versions": "boot0",
    "bootloaderversions": "blr",
    "boot loader versions": "blr",
    "osimageversions": "osimage",
    "os image versions": "osimage",
}
_TYPE_NAMES = {"boot0": "boot0", "blr": "blr", "osimage": "osimage", "image": "osimage"}


def _text(value: Any) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return "" if value is None else str(value)


def _walk(node: Any, *, dtype: str, version: str, platform: str) -> Iterator[KgvEntry]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item, dtype=dtype, version=version, platform=platform)
        return
    if not isinstance(node, dict):
        return
    own_type = _TYPE_NAMES.get(_text(node.get("dtype") or node.get("type")).lower(), dtype)
    own_version = _text(node.get("biv_version") or node.get("version")) or version
    own_platform = _text(node.get("platform") or node.get("product")) or platform
    value = _text(node.get("biv_hash"))
    if value:
        if not _HASH.fullmatch(value):
            raise ValueError(f"biv_hash {value[:40]!r} is not a SHA-256/512 hash")
        filename = _text(node.get("filename"))
        version_of = own_version
        if own_type in ("boot0", "blr") and not version_of:
            version_of = filename  # bulkHash names the boot stage version in "filename"
        yield KgvEntry(
            dtype=own_type or "osimage",
            version=version_of,
            biv_hash=value.upper(),
            filename=filename,
            platform=own_platform,
            md5=_text(node.get("md5")).lower(),
            sha1=_text(node.get("sha1")).lower(),
            sha256=_text(node.get("sha256")).lower(),
            sha512=_text(node.get("sha512")).lower(),
        )
    for key, child in node.items():
        if not isinstance(child, (list, dict)):
            continue
        child_type = _DTYPES.get(str(key).lower(), own_type)
        if str(key) == "pkg":
            child_type = "pkg"
        child_platform = own_platform
        if isinstance(child, dict) and str(key).isupper() and not own_platform:
            child_platform = str(key)  # "platforms": [{"ISR4K": {...}}]
        yield from _walk(child, dtype=child_type, version=own_version, platform=child_platform)


def parse_kgv(data: bytes, *, source: str = "") -> tuple[tuple[KgvEntry, ...], str]:
    """(entries, header timestamp) of a KGV file's bytes; ValueError when not a KGV."""
    doc = json.loads(data.decode("utf-8"))
    if not isinstance(doc, dict):
        raise ValueError("not a JSON object")
    header = doc.get("header") if isinstance(doc.get("header"), dict) else {}
    body = {k: v for k, v in doc.items() if k != "header"}
    entries = tuple(_walk(body, dtype="", version="", platform=""))
    if not entries:
        raise ValueError("no biv_hash values: not a Known Good Values file")
    return entries, _text(header.get("timestamp") if header else "")


def load_kgv(path: str | Path, trust: Trust) -> KnownGoodValues:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_KGV_BYTES:
            raise ConfigError(f"{path}: larger than {MAX_KGV_BYTES} bytes: not a KGV file")
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the KGV file: {exc.strerror}") from exc
    try:
        entries, timestamp = parse_kgv(data, source=path.name)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ConfigError(f"{path}: not a Known Good Values file ({exc})") from exc
    sig_path = path.with_name(path.name + ".signature")
    signer = ""
    if sig_path.exists():
        try:
            signature = sig_path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{sig_path}: cannot read: {exc.strerror}") from exc
        signers = [x509.load_der_x509_certificate(raw) for raw in trust.kgv_signers]
        signer = file_signed(data, signature, signers)
        if not signer:
            raise ConfigError(
                f"{path}: the signature in {sig_path.name} does not verify with Cisco's KGV "
                "signing certificate or --integrity-roots: the file was altered or is not "
                "Cisco's; refusing to judge devices against it"
            )
    return KnownGoodValues.of(
        entries, source=path.name, timestamp=timestamp, signed=bool(signer), signer=signer
    )


__all__ = [
    "KgvEntry",
    "KnownGoodValues",
    "Trust",
    "catalogue_rows",
    "cisco_trust",
    "describe",
    "load_kgv",
    "load_trust",
    "parse_kgv",
]


def catalogue_rows(kgv: KnownGoodValues) -> list[KnownGood]:
    """The KGV's whole-file digests (OS images and packages) as catalogue rows; ``source``
    names the KGV, its timestamp and whether its signature was verified."""
    stamp = f"@{kgv.timestamp}" if kgv.timestamp else ""
    state = "signed" if kgv.signed else "unsigned"
    source = f"kgv:{kgv.source}{stamp} ({state})"
    rows: dict[tuple[str, str, str], KnownGood] = {}
    for e in kgv.entries:
        name = e.filename
        if e.dtype not in ("osimage", "pkg") or not (e.md5 or e.sha512):
            continue
        if not name or "/" in name or ":" in name or "." not in name:
            continue
        md5 = e.md5 if re.fullmatch(r"[0-9a-f]{32}", e.md5) else ""
        sha512 = e.sha512 if re.fullmatch(r"[0-9a-f]{128}", e.sha512) else ""
        if not (md5 or sha512):
            continue
        version = image_version(name) or (e.version if e.dtype == "osimage" else "")
        rows.setdefault(
            (name.lower(), md5, sha512),
            KnownGood(name, md5, sha512, guess_platform(name), version or "", source),
        )
    return list(rows.values())

"""Frozen records passed between the stages: collect -> parse -> analyze -> report.

Paths are canonical everywhere after parsing: ``<filesystem>:<relative path>`` with no
leading slash after the colon (``flash:c2800nm-mz.124-24.T4.bin``,
``bootflash:images/cat9k.bin``), or a URL for network sources (``tftp://10.0.0.1/x.bin``).
Junos and PAN-OS paths are absolute Unix paths (``/var/tmp/junos-install.tgz``) or, for
PAN-OS, ``panos:<version>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low", "info")
Status = Literal["clean", "findings", "incomplete"]
HashStatus = Literal["match", "mismatch", "unknown", "unverified"]
Integrity = Literal["tampered", "verified", "unknown", "unverified"]  # analyze/integrity.py


def severity_rank(severity: str) -> int:
    """0 for critical ... 4 for info; unknown strings rank below info."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


# --- collect -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommandRun:
    """One command sent to a device and what came back (already sanitised and bounded)."""

    step: str  # plan step: "version", "boot", "filesystems", "listing", "digest", ...
    command: str
    output: str
    elapsed: float = 0.0
    error: str = ""  # transport/timeout failure in words; "" when the command completed
    truncated: bool = False  # output exceeded the byte cap and was cut
    target: str = ""  # the filesystem or path the command was about, if any


@dataclass(frozen=True)
class ReusedDigest:
    """A digest taken from an earlier sweep instead of asking the device again
    (``--rehash-after``): the file's path, size and timestamp were unchanged, the device had
    not reloaded, and that sweep found nothing."""

    path: str
    size: int
    modified: str
    md5: str
    sha512: str = ""
    digested_at: str = ""  # ISO 8601 UTC: when the device computed it
    sweep: str = ""  # the history's id of the sweep that holds it


@dataclass(frozen=True)
class OffboxCopy:
    """One image copied off the device (SCP/SFTP, opt-in) and hashed on the collector."""

    path: str  # canonical path of the image on the device; "" when no image could be chosen
    remote: str = ""  # the path form the device's file server accepted
    protocol: str = ""  # "scp" | "sftp"
    size: int | None = None  # bytes received
    md5: str = ""  # of the bytes received; "" when the copy failed
    sha512: str = ""
    elapsed: float = 0.0
    error: str = ""  # why there is no digest (refused, failed, over a limit); "" on success
    enable: str = ""  # the device command that would enable its file server
    kept: str = ""  # local copy under --keep-images, if any


@dataclass(frozen=True)
class DeviceCapture:
    """Everything one SSH session produced for one inventory host."""

    host: str
    address: str
    platform: str
    runs: tuple[CommandRun, ...] = ()
    error: str = (
        ""  # why the session failed or stopped early (connect, auth, ...); "" if it did not
    )
    error_step: str = ""  # plan step during which ``error`` happened ("connect", "enable", ...)
    started_at: str = ""  # ISO 8601 UTC
    elapsed: float = 0.0
    notes: tuple[str, ...] = ()  # facts about the session itself (e.g. legacy SSH algorithms used)
    collector: str = ""  # the Dask worker that audited the device; "" on the local collector
    offbox: tuple[OffboxCopy, ...] = ()  # images copied off the device (--offbox)
    reused: tuple[ReusedDigest, ...] = ()  # digests not asked for again (--rehash-after)


# --- parse ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionInfo:
    """What ``show version`` (or the platform equivalent) says the device runs."""

    version: str  # as printed: "15.2(4)M7", "17.9.4a", "9.3(8)", "21.4R3-S5"
    running_image: str = ""  # canonical path or URL; "" when the platform prints none
    hostname: str = ""
    model: str = ""
    serial: str = ""
    uptime: str = ""
    config_register: str = ""  # lower-case "0x2102"; "" when not printed
    config_register_next: str = ""  # from "(will be 0x2142 at next reload)"
    rommon: str = ""  # ROM:/BOOTLDR: line content
    release_markers: tuple[str, ...] = ()  # non-release markers as printed
    other_images: tuple[str, ...] = ()  # e.g. NX-OS kickstart image beside the system image
    package_versions: tuple[tuple[str, str], ...] = ()  # Junos (package, version) pairs
    evidence: tuple[str, ...] = ()  # the lines the fields came from


@dataclass(frozen=True)
class BootInfo:
    """What the device will boot next, and the knobs that steer it."""

    next_boot: tuple[str, ...] = ()  # boot entries for the next reload, in order, canonical
    current_boot: tuple[str, ...] = ()  # entries in force now, where the platform shows both
    variable_set: bool = True  # False when the boot variable is empty or does not exist
    next_version: str = ""  # for platforms that boot a release, not a file (XR, Junos, PAN-OS)
    config_register: str = ""
    config_register_next: str = ""
    manual_boot: bool | None = None
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileSystem:
    prefix: str  # "flash:", "bootflash:", "flash1:"
    kind: str  # "disk", "flash", "nvram", "network", "opaque", ...
    flags: str = ""  # "rw", "ro"
    size: int | None = None
    free: int | None = None


@dataclass(frozen=True)
class StorageFile:
    path: str  # canonical
    size: int | None = None
    is_dir: bool = False
    modified: str = ""
    attrs: tuple[str, ...] = ()  # platform flags, e.g. PAN-OS ("current",) or ("uploaded",)


@dataclass(frozen=True)
class StorageListing:
    filesystem: str  # "flash:" (or "/var/tmp" on Junos)
    files: tuple[StorageFile, ...] = ()
    total_bytes: int | None = None
    free_bytes: int | None = None


@dataclass(frozen=True)
class DigestResult:
    path: str
    algorithm: str  # "md5", "sha256", "sha512"
    digest: str  # lower-case hex; "" when the device printed no computed digest
    expected: str = ""  # the digest submitted to the device, when the command carried one
    verified: bool | None = None  # the device's own verdict against ``expected``
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunningSet:
    """The files that make up the running software (IOS-XE packages.conf, XR active packages)."""

    paths: tuple[str, ...]
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pending:
    """A software change the device reports as pending (activated, not committed; ...)."""

    description: str
    evidence: tuple[str, ...] = ()


# The gap step of a session refused because the device's SSH host key changed.
HOST_KEY_CHANGED_STEP = "host key changed"
# DeviceCapture/DeviceState note naming the algorithms of an opted-in legacy SSH session.
LEGACY_SSH_NOTE = "legacy SSH: "


# --- signed evidence (issue 10) -------------------------------------------------------------


@dataclass(frozen=True)
class Measurement:
    """One Boot Integrity Visibility block: ``show platform integrity sign nonce N`` or one
    location of ``show system integrity all measurement nonce N``. Hashes are upper-case hex
    as printed; ``nonce`` is the one the collector sent (None when unknown)."""

    location: str = ""  # "" for show platform integrity; "FRU=fru-rp SLOT=0 ..." for v2
    platform: str = ""
    boot: tuple[tuple[str, str], ...] = ()  # (stage version, hash): boot 0, then boot loader
    os_version: str = ""
    os_hashes: tuple[tuple[str, str], ...] = ()  # (package name or "", hash), listed order
    pcr0: str = ""
    pcr8: str = ""
    sig_version: int | None = None
    signature: str = ""  # hex; "" when the output was not signed
    nonce: int | None = None  # the nonce this sweep sent
    echoed_nonce: int | None = None  # the nonce in the echoed command line, if any
    error: str = ""  # "% Error retrieving integrity data": evidence exists but is not usable
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class SudiChain:
    """The device's SUDI chain (root, sub-CA, device; PEM) and its signature over the nonce:
    ``show platform sudi certificate sign nonce N`` or one location of
    ``show system integrity all trust_chain nonce N``."""

    location: str = ""
    certificates: tuple[str, ...] = ()  # PEM, in printed order
    sig_version: int | None = None
    signature: str = ""
    nonce: int | None = None
    error: str = ""
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Compliance:
    """One location of ``show system integrity all compliance nonce N``."""

    location: str = ""
    attributes: tuple[tuple[str, str], ...] = ()  # (attribute, value) in printed order
    sig_version: int | None = None
    signature: str = ""
    nonce: int | None = None
    evidence: tuple[str, ...] = ()

    def get(self, name: str) -> str | None:
        return next((v for k, v in self.attributes if k == name), None)


@dataclass(frozen=True)
class Authenticity:
    """One block of ``show software authenticity running|file <image>``."""

    subject: str  # "SYSTEM IMAGE", a package name, "Microloader", or the file's path
    image_type: str = ""  # Production | Release | Special | Development
    signer: str = ""  # Common Name
    serial: str = ""  # Certificate Serial Number
    key_version: str = ""
    verifier: str = ""
    file: bool = False  # from "file <image>", not "running"
    target: str = ""  # the path asked about (file) or "" (running)
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rommon:
    """ROMMON as ``show rom-monitor`` / ``show romvar`` print it."""

    version: str = ""  # "16.12(2r)"
    release_type: str = ""  # "RELEASE SOFTWARE" | "DEVELOPMENT SOFTWARE"
    region: str = ""  # "ReadOnly" | "Upgrade" where the platform says which runs
    variables: tuple[tuple[str, str], ...] = ()  # show romvar
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditGap:
    """A part of the plan that produced no usable data: makes the device ``incomplete``."""

    step: str
    reason: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeviceState:
    """The parsed, typed picture of one device that the rules look at."""

    host: str
    platform: str
    address: str = ""
    version: VersionInfo | None = None
    boot: BootInfo | None = None
    filesystems: tuple[FileSystem, ...] = ()
    listings: tuple[StorageListing, ...] = ()
    digests: tuple[DigestResult, ...] = ()
    running_set: tuple[str, ...] = ()  # canonical paths that make up the running software
    pending: tuple[Pending, ...] = ()
    gaps: tuple[AuditGap, ...] = ()
    digest_unavailable: str = ""  # why the platform offers no on-box digest (PAN-OS)
    notes: tuple[str, ...] = ()
    offbox: tuple[OffboxCopy, ...] = ()  # images hashed off the device (--offbox)
    outputs: tuple[tuple[str, str], ...] = ()  # (command, output) of every run, for indicators
    memory_text: str = ""  # --memory-text: the digest of system:memory/text ("" = not taken)
    reused: tuple[ReusedDigest, ...] = ()  # digests from an earlier sweep (--rehash-after)
    measurements: tuple[Measurement, ...] = ()  # Boot Integrity Visibility, per location
    sudi: tuple[SudiChain, ...] = ()
    compliance: tuple[Compliance, ...] = ()
    authenticity: tuple[Authenticity, ...] = ()
    rommon: Rommon | None = None

    @property
    def files(self) -> tuple[StorageFile, ...]:
        return tuple(f for listing in self.listings for f in listing.files if not f.is_dir)


# --- analyze -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    summary: str
    evidence: tuple[str, ...] = ()
    recommendation: str = ""
    technique: str = ""


@dataclass(frozen=True)
class KnownGood:
    """One row of the known-good digest catalogue."""

    filename: str
    md5: str = ""
    sha512: str = ""
    platform: str = ""
    version: str = ""
    source: str = ""


@dataclass(frozen=True)
class ImageVerdict:
    """One OS image file seen on a device, with what the audit concluded about it."""

    path: str
    size: int | None
    running: bool
    boot_target: bool
    md5: str = ""
    sha512: str = ""
    known_good: str = ""  # "yes" | "no" | "mismatch" | "other-release" | ""
    verdict: str = ""  # "match" | "mismatch" | "unknown" | "other-release" | "not-hashed"
    reused_from: str = ""  # --rehash-after: when the reused digest was computed ("" = now)


@dataclass(frozen=True)
class DeviceResult:
    """One inventory host's outcome: what the report writes."""

    host: str
    address: str
    platform: str
    status: Status
    hash_status: HashStatus
    findings: tuple[Finding, ...] = ()
    images: tuple[ImageVerdict, ...] = ()
    state: DeviceState | None = None
    capture: DeviceCapture | None = None
    error: str = ""
    audited_at: str = ""
    integrity: Integrity = "unverified"  # devices.csv's integrity column

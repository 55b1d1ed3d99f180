"""Per-platform data (``profiles.yaml``) as frozen records, and the one table of platform
names (:data:`ALIASES`, :func:`canonical`)."""

from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files
from typing import Any

import yaml

from imagesweep.errors import ConfigError


class Step(StrEnum):
    """A step of a platform's plan. Steps with special inputs are few and named: ``LISTING``
    runs once per filesystem, ``PACKAGES`` once per install-mode package list, ``DIGEST``
    once per image and algorithm (from ``Profile.digest``, not ``Profile.steps``)."""

    VERSION = "version"
    RUNNING = "running"  # XR: the active install set
    SOFTWARE = "software"  # PAN-OS: the installed releases
    BOOT = "boot"
    FILESYSTEMS = "filesystems"
    LISTING = "listing"
    PACKAGES = "packages"
    INSTALL_SUMMARY = "install_summary"
    # Signed evidence (issue 10). INTEGRITY, SUDI and COMPLIANCE carry the sweep's fresh
    # nonce ("{nonce}"); AUTHENTICITY_FILE runs once per running image and boot target.
    INTEGRITY = "integrity"
    SUDI = "sudi"
    COMPLIANCE = "compliance"
    AUTHENTICITY = "authenticity"
    AUTHENTICITY_FILE = "authenticity_file"
    ROMMON = "rommon"
    ROMVAR = "romvar"
    DIGEST = "digest"
    MEMORY_TEXT = "memory_text"  # --memory-text: the digest of the running code in memory


STEPS = frozenset(Step)
NONCE_STEPS = frozenset({Step.INTEGRITY, Step.SUDI, Step.COMPLIANCE})


@dataclass(frozen=True)
class Offbox:
    """How the device serves its files for off-box verification (``offbox:`` in the data)."""

    protocols: tuple[str, ...]  # "scp" | "sftp", tried in order
    # Path forms the device's server accepts, tried in order: "{fs}{rel}" (flash:x.bin),
    # "{fs}/{rel}" (flash:/x.bin), "/{rel}" (/x.bin, the default filesystem), "{path}".
    paths: tuple[str, ...]
    enable: str  # the configuration that turns the device's file server on


OFFBOX_PROTOCOLS = ("scp", "sftp")


@dataclass(frozen=True)
class Profile:
    platform: str  # Netmiko device_type
    name: str
    steps: dict[Step, tuple[str, ...]]
    digest: dict[str, str]  # algorithm -> command template with {path}
    image_patterns: tuple[str, ...]
    default_filesystems: tuple[str, ...] = ()
    storage_kinds: tuple[str, ...] = ()
    usual_config_registers: tuple[str, ...] = ()
    rejected_markers: tuple[str, ...] = ()
    optional_steps: tuple[str, ...] = ()
    digest_unavailable: str = ""  # why the platform has no on-box digest, if it has none
    enable: bool = False  # enter privileged mode (with the secret) after login
    running_image_required: bool = False  # show version must name the running image file
    offbox: Offbox | None = None  # None: the platform serves no file copy of its images
    memory_text: str = ""  # the command digesting the code in memory ("": none)
    digest_mb_per_second: float = 0.0  # how fast the device hashes, roughly (scheduling only)

    def is_image(self, path: str) -> bool:
        """True when the file's base name looks like an OS image of this platform."""
        base = path.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()
        return any(fnmatch.fnmatchcase(base, pattern.lower()) for pattern in self.image_patterns)

    def rejection(self, output: str) -> str:
        """The device's "command not supported" line in ``output``, or ""."""
        for line in output.splitlines():
            stripped = line.strip()
            if any(stripped.startswith(marker) for marker in self.rejected_markers):
                return stripped
        return ""


_KNOWN = {
    "enable",
    "running_image_required",
    "name",
    "steps",
    "digest",
    "image_patterns",
    "default_filesystems",
    "storage_kinds",
    "usual_config_registers",
    "rejected_markers",
    "optional_steps",
    "digest_unavailable",
    "offbox",
    "memory_text",
    "digest_mb_per_second",
}


def _offbox(platform: str, raw: Any) -> Offbox | None:
    if not raw:
        return None
    protocols = tuple(str(p) for p in raw.get("protocols") or ())
    bad = [p for p in protocols if p not in OFFBOX_PROTOCOLS]
    unknown = sorted(set(raw) - {"protocols", "paths", "enable"})
    if bad or unknown or not protocols or not raw.get("paths"):
        raise ConfigError(f"profiles.yaml: {platform}: offbox needs protocols, paths, enable")
    return Offbox(protocols, tuple(str(p) for p in raw["paths"]), str(raw.get("enable", "")))


def _build(platform: str, raw: dict[str, Any]) -> Profile:
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:  # a misspelt key must not silently change behaviour
        raise ConfigError(f"profiles.yaml: {platform}: unknown key(s) {', '.join(unknown)}")
    bad = sorted(set(raw.get("steps") or {}) - set(STEPS))
    if bad:
        raise ConfigError(f"profiles.yaml: {platform}: unknown step(s) {', '.join(bad)}")

    def tup(key: str) -> tuple[str, ...]:
        return tuple(str(v) for v in raw.get(key, ()) or ())

    return Profile(
        platform=platform,
        name=str(raw["name"]),
        steps={Step(k): tuple(v) for k, v in (raw.get("steps") or {}).items()},
        digest={k: str(v) for k, v in (raw.get("digest") or {}).items()},
        image_patterns=tup("image_patterns"),
        default_filesystems=tup("default_filesystems"),
        storage_kinds=tup("storage_kinds"),
        usual_config_registers=tup("usual_config_registers"),
        rejected_markers=tup("rejected_markers"),
        optional_steps=tup("optional_steps"),
        digest_unavailable=str(raw.get("digest_unavailable", "")),
        enable=bool(raw.get("enable", False)),
        running_image_required=bool(raw.get("running_image_required", False)),
        offbox=_offbox(platform, raw.get("offbox")),
        memory_text=str(raw.get("memory_text", "")),
        digest_mb_per_second=float(raw.get("digest_mb_per_second", 0.0)),
    )


@functools.cache
def profiles() -> dict[str, Profile]:
    text = files("imagesweep.platforms").joinpath("profiles.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {name: _build(name, raw) for name, raw in data.items()}


# Every other name a user may type for a platform. The canonical key (the Netmiko
# device_type) is the only name stored in records, reports and the history.
ALIASES: dict[str, str] = {
    "ios": "cisco_ios",
    "iosxe": "cisco_xe",
    "ios_xe": "cisco_xe",
    "xe": "cisco_xe",
    "nxos": "cisco_nxos",
    "nx-os": "cisco_nxos",
    "nexus": "cisco_nxos",
    "iosxr": "cisco_xr",
    "ios_xr": "cisco_xr",
    "xr": "cisco_xr",
    "junos": "juniper_junos",
    "juniper": "juniper_junos",
    "panos": "paloalto_panos",
    "pan-os": "paloalto_panos",
    "paloalto": "paloalto_panos",
}


def canonical(name: str) -> str:
    """The canonical platform key for ``name`` or one of its aliases (case-insensitive);
    :class:`ConfigError` for a name that is neither."""
    key = str(name).strip().lower()
    key = ALIASES.get(key, key)
    if key not in profiles():
        known = ", ".join(sorted(profiles()))
        raise ConfigError(
            f"unknown platform {name!r} (supported: {known}; aliases: {', '.join(ALIASES)})"
        )
    return key


def profile(platform: str) -> Profile:
    return profiles()[canonical(platform)]


def markdown_table() -> str:
    """The README's table of supported platforms and the commands each runs (generated)."""
    lines = [
        "| platform (Netmiko device_type) | version | boot | storage | other | digest |",
        "|---|---|---|---|---|---|",
    ]

    def cmds(values: tuple[str, ...]) -> str:
        return " / ".join(f"`{v}`" for v in values) or "-"

    for key, prof in profiles().items():
        steps = dict(prof.steps)
        version = cmds(steps.pop(Step.VERSION, ()))
        boot = cmds(steps.pop(Step.BOOT, ()))
        storage = cmds(steps.pop(Step.FILESYSTEMS, ()) + steps.pop(Step.LISTING, ()))
        other = "<br>".join(cmds(v) for v in steps.values()) or "-"
        digest = cmds(tuple(prof.digest.values())) if prof.digest else "none on the device"
        lines.append(
            f"| {prof.name} (`{key}`) | {version} | {boot} | {storage} | {other} | {digest} |"
        )
    return "\n".join(lines) + "\n"

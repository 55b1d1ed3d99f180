"""Audit scenarios as raw fleet entries, for :func:`imagesweep.lab.fleet.generate_fleet`.

Each scenario turns a clean device of a persona into one that should trigger the rule IDs
it names (CHECKS.md). The image names refer to the demo fleet's library. IOS, IOS-XE and
NX-OS devices boot files and share the file scenarios; IOS XR (package sets), Junos (root
slices) and PAN-OS (held versions, no digest) have their own.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

GENERATED_PERSONAS = (
    "ios_router",
    "ios_switch",
    "iosxe_switch",
    "nxos",
    "ios_router",
    "iosxe_router",
    "iosxr",
    "junos",
    "panos",
)


@dataclass(frozen=True)
class Family:
    """The images a persona's scenarios are built from (all in the demo library)."""

    fs: str
    current: str  # known-good, what clean devices run
    current_version: str
    older: str  # known-good older release
    older_version: str
    unknown: str  # a real-looking image the catalogue does not list
    unknown_version: str
    renamed: str  # newer-looking name, not in the catalogue, given to the older image
    subdir: bool = False  # Catalyst archive layout: flash:<image>/<image>.bin
    confreg_bad: str = "0x2142"


FAMILIES: dict[str, Family] = {
    "ios_router": Family(
        fs="flash:",
        current="c2900-universalk9-mz.SPA.157-3.M8.bin",
        current_version="15.7(3)M8",
        older="c2900-universalk9-mz.SPA.155-3.M10.bin",
        older_version="15.5(3)M10",
        unknown="c2900-universalk9-mz.SPA.156-3.M6.bin",
        unknown_version="15.6(3)M6",
        renamed="c2900-universalk9-mz.SPA.157-3.M9.bin",
    ),
    "ios_switch": Family(
        fs="flash:",
        current="c2960x-universalk9-mz.152-7.E8.bin",
        current_version="15.2(7)E8",
        older="c2960x-universalk9-mz.152-4.E10.bin",
        older_version="15.2(4)E10",
        unknown="c2960x-universalk9-mz.152-7.E7.bin",
        unknown_version="15.2(7)E7",
        renamed="c2960x-universalk9-mz.152-7.E9.bin",
        subdir=True,
    ),
    "iosxe_switch": Family(
        fs="flash:",
        current="cat9k_iosxe.17.09.04a.SPA.bin",
        current_version="17.9.4a",
        older="cat9k_iosxe.17.06.05.SPA.bin",
        older_version="17.6.5",
        unknown="cat9k_iosxe.17.09.03.SPA.bin",
        unknown_version="17.9.3",
        renamed="cat9k_iosxe.17.09.05.SPA.bin",
        confreg_bad="0x142",
    ),
    "iosxe_router": Family(
        fs="bootflash:",
        current="isr4300-universalk9.17.09.04a.SPA.bin",
        current_version="17.9.4a",
        older="isr4300-universalk9.17.06.05.SPA.bin",
        older_version="17.6.5",
        unknown="isr4300-universalk9.17.09.03.SPA.bin",
        unknown_version="17.9.3",
        renamed="isr4300-universalk9.17.09.05.SPA.bin",
    ),
    "nxos": Family(
        fs="bootflash:",
        current="nxos64-cs.10.3.4a.M.bin",
        current_version="10.3(4a)",
        older="nxos64-cs.10.2.6.M.bin",
        older_version="10.2(6)",
        unknown="",
        unknown_version="",
        renamed="",
        confreg_bad="",
    ),
    "iosxr": Family(
        fs="harddisk:",
        current="ncs5500-mini-x-7.5.2.iso",
        current_version="7.5.2",
        older="ncs5500-mini-x-7.3.2.iso",
        older_version="7.3.2",
        unknown="",
        unknown_version="",
        renamed="",
        confreg_bad="",
    ),
    "junos": Family(
        fs="/var/tmp/",
        current="junos-srxsme-15.1X49-D170.4-domestic.tgz",
        current_version="15.1X49-D170.4",
        older="junos-srxsme-15.1X49-D160.2-domestic.tgz",
        older_version="15.1X49-D160.2",
        unknown="",
        unknown_version="",
        renamed="",
        confreg_bad="",
    ),
    "panos": Family(
        fs="panos:",
        current="PanOS_vm-10.2.9-h1",
        current_version="10.2.9-h1",
        older="PanOS_vm-10.1.11-h4",
        older_version="10.1.11-h4",
        unknown="",
        unknown_version="",
        renamed="",
        confreg_bad="",
    ),
}

# IOS XR package sets (show install active / committed) by release
XR_PACKAGES = {
    "7.5.2": ["ncs5500-xr-7.5.2", "ncs5500-mpls-3.2.0.0-r752", "ncs5500-k9sec-4.1.0.0-r752",
              "ncs5500-mgbl-3.0.0.0-r752"],
    "7.3.2": ["ncs5500-xr-7.3.2", "ncs5500-mpls-3.1.0.0-r732", "ncs5500-k9sec-4.0.0.0-r732",
              "ncs5500-mgbl-3.0.0.0-r732"],
}  # fmt: skip


def image_path(family: Family, name: str) -> str:
    if family.subdir:
        return f"{family.fs}{name.removesuffix('.bin')}/{name}"
    return f"{family.fs}{name}"


def _version_file(family: Family, name: str, version: str) -> str:
    """Where a release's file lies: PAN-OS names versions, the others files."""
    return f"{family.fs}{version}" if family.fs == "panos:" else image_path(family, name)


def clean(name: str, persona: str) -> dict[str, Any]:
    family = FAMILIES[persona]
    path = image_path(family, family.current)
    if persona in ("iosxr", "junos", "panos"):
        device: dict[str, Any] = {
            "name": name,
            "persona": persona,
            "hostname": name.upper(),
            "version": family.current_version,
            "files": [
                {
                    "path": _version_file(family, family.current, family.current_version),
                    "image": family.current,
                }
            ],
            # PAN-OS has no on-box digest: incomplete unless --accept-unverifiable panos
            "expect": ["AUDIT_INCOMPLETE"] if persona == "panos" else [],
        }
        if persona == "iosxr":
            device["packages"] = list(XR_PACKAGES[family.current_version])
        return device
    return {
        "name": name,
        "persona": persona,
        "hostname": name.upper(),
        "version": family.current_version,
        "running_image": path,
        "boot": [path],
        "files": [{"path": path, "image": family.current}],
        "expect": [],
    }


def _patched(device: dict[str, Any], family: Family) -> None:
    device["files"][0]["patched"] = True
    device["expect"] = ["HASH_MISMATCH"]


def _unknown(device: dict[str, Any], family: Family) -> None:
    path = image_path(family, family.unknown)
    device.update(version=family.unknown_version, running_image=path, boot=[path])
    device["files"] = [{"path": path, "image": family.unknown}]
    device["expect"] = ["HASH_UNKNOWN"]


def _renamed(device: dict[str, Any], family: Family) -> None:
    path = image_path(family, family.renamed)
    device.update(version=family.older_version, running_image=path, boot=[path])
    device["files"] = [{"path": path, "image": family.older}]
    device["expect"] = ["HASH_OTHER_RELEASE", "VERSION_FILENAME_MISMATCH"]


def _dual(device: dict[str, Any], family: Family) -> None:
    device["files"].append({"path": image_path(family, family.older), "image": family.older})
    device["expect"] = ["DUAL_IMAGE"]


def _netboot(device: dict[str, Any], family: Family) -> None:
    device["boot"] = [device["running_image"], f"tftp://192.0.2.10/{family.current}"]
    device["expect"] = ["BOOT_NETWORK"]


def _boot_missing(device: dict[str, Any], family: Family) -> None:
    device["boot"] = [device["running_image"], image_path(family, family.older)]
    device["expect"] = ["BOOT_TARGET_MISSING"]


def _boot_differs(device: dict[str, Any], family: Family) -> None:
    older = image_path(family, family.older)
    device["files"].append({"path": older, "image": family.older})
    device["boot"] = [older]
    device["expect"] = ["BOOT_MISMATCH", "DUAL_IMAGE"]


def _confreg(device: dict[str, Any], family: Family) -> None:
    device["config_register"] = family.confreg_bad
    device["expect"] = ["CONFREG_ANOMALY"]


def _confreg_pending(device: dict[str, Any], family: Family) -> None:
    device["config_register_next"] = family.confreg_bad
    device["expect"] = ["CONFREG_ANOMALY"]


def _manual_boot(device: dict[str, Any], family: Family) -> None:
    device["manual_boot"] = True
    device["expect"] = ["MANUAL_BOOT"]


def _boot_unset(device: dict[str, Any], family: Family) -> None:
    device["files"].append({"path": image_path(family, family.older), "image": family.older})
    device["boot"] = []
    device["expect"] = ["BOOT_UNSET_MULTIPLE", "DUAL_IMAGE"]


def _running_missing(device: dict[str, Any], family: Family) -> None:
    device["files"] = []
    device["boot"] = []
    device["expect"] = ["RUNNING_IMAGE_MISSING"]


def _unreachable(device: dict[str, Any], family: Family) -> None:
    device["faults"] = {"unreachable": True}
    device["expect"] = ["AUDIT_INCOMPLETE"]


def _auth_fail(device: dict[str, Any], family: Family) -> None:
    device["faults"] = {"auth_fail": True}
    device["expect"] = ["AUDIT_INCOMPLETE"]


def _digest_error(device: dict[str, Any], family: Family) -> None:
    device["faults"] = {"digest_error": device["running_image"]}
    device["expect"] = ["AUDIT_INCOMPLETE"]


def _released(device: dict[str, Any], family: Family, rules: list[str]) -> None:
    device["expect"] = sorted({*rules, *device["expect"]})


def _held_patched(device: dict[str, Any], family: Family) -> None:
    device["files"][0]["patched"] = True
    if device["persona"] == "panos":  # invisible without a digest; the upload flag shows
        device["files"][0]["uploaded"] = True
        _released(device, family, ["HASH_UNKNOWN"])
    else:
        _released(device, family, ["HASH_MISMATCH"])


def _held_dual(device: dict[str, Any], family: Family) -> None:
    path = _version_file(family, family.older, family.older_version)
    device["files"].append({"path": path, "image": family.older})
    _released(device, family, ["DUAL_IMAGE"])


def _uncommitted(device: dict[str, Any], family: Family) -> None:
    device["committed_packages"] = list(XR_PACKAGES[family.older_version])
    _released(device, family, ["BOOT_MISMATCH"])


def _backup_differs(device: dict[str, Any], family: Family) -> None:
    device["backup_version"] = family.older_version
    _released(device, family, ["BOOT_MISMATCH"])


def _held_fault(fault: str) -> Callable[[dict[str, Any], Family], None]:
    def scenario(device: dict[str, Any], family: Family) -> None:
        device["faults"] = {fault: device["files"][0]["path"] if fault == "digest_error" else True}
        device["expect"] = ["AUDIT_INCOMPLETE"]

    return scenario


# Scenarios of the platforms that do not boot a file
HELD_SCENARIOS: dict[str, Callable[[dict[str, Any], Family], None]] = {
    "patched": _held_patched,
    "dual": _held_dual,
    "uncommitted": _uncommitted,
    "backup_differs": _backup_differs,
    "unreachable": _held_fault("unreachable"),
    "auth_fail": _held_fault("auth_fail"),
    "digest_error": _held_fault("digest_error"),
}
_HELD_ON = {
    "iosxr": ("patched", "dual", "uncommitted", "unreachable", "auth_fail", "digest_error"),
    "junos": ("patched", "dual", "backup_differs", "unreachable", "auth_fail", "digest_error"),
    "panos": ("patched", "dual", "unreachable", "auth_fail"),
}

SCENARIOS: dict[str, Callable[[dict[str, Any], Family], None]] = {
    "patched": _patched,
    "unknown": _unknown,
    "renamed": _renamed,
    "dual": _dual,
    "netboot": _netboot,
    "boot_missing": _boot_missing,
    "boot_differs": _boot_differs,
    "confreg": _confreg,
    "confreg_pending": _confreg_pending,
    "manual_boot": _manual_boot,
    "boot_unset": _boot_unset,
    "running_missing": _running_missing,
    "unreachable": _unreachable,
    "auth_fail": _auth_fail,
    "digest_error": _digest_error,
}


_IOS = ("ios_router", "ios_switch", "iosxe_switch", "iosxe_router")
# Scenarios that only some families can show (ISR routers print no Manual Boot flag; NX-OS
# has no config register, no network boot and one boot variable per supervisor; the library
# holds no unknown or renamed NX-OS image)
_ONLY_ON = {
    "manual_boot": ("ios_switch", "iosxe_switch"),
    "confreg": _IOS,
    "confreg_pending": _IOS,
    "netboot": _IOS,
    "boot_missing": _IOS,
    "unknown": _IOS,
    "renamed": _IOS,
}


def build_device(name: str, persona: str, *, rng: random.Random, faulty: bool) -> dict[str, Any]:
    """A raw fleet entry: clean, or with one scenario drawn from ``rng``."""
    device = clean(name, persona)
    if faulty:
        if persona in _HELD_ON:
            HELD_SCENARIOS[rng.choice(_HELD_ON[persona])](device, FAMILIES[persona])
            return device
        names = sorted(n for n in SCENARIOS if persona in _ONLY_ON.get(n, (persona,)))
        scenario = rng.choice(names)
        SCENARIOS[scenario](device, FAMILIES[persona])
    return device

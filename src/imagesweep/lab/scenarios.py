"""Audit scenarios as raw fleet entries, for :func:`imagesweep.lab.fleet.generate_fleet`.

Each scenario turns a clean device of a persona into one that should trigger the rule IDs
it names (CHECKS.md). The image names refer to the demo fleet's library.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

GENERATED_PERSONAS = ("ios_router", "ios_switch", "iosxe_switch", "ios_router", "iosxe_router")


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
}


def image_path(family: Family, name: str) -> str:
    if family.subdir:
        return f"{family.fs}{name.removesuffix('.bin')}/{name}"
    return f"{family.fs}{name}"


def clean(name: str, persona: str) -> dict[str, Any]:
    family = FAMILIES[persona]
    path = image_path(family, family.current)
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


# Scenarios that only some families can show (ISR routers print no Manual Boot flag)
_ONLY_ON = {"manual_boot": ("ios_switch", "iosxe_switch")}


def build_device(name: str, persona: str, *, rng: random.Random, faulty: bool) -> dict[str, Any]:
    """A raw fleet entry: clean, or with one scenario drawn from ``rng``."""
    device = clean(name, persona)
    if faulty:
        names = sorted(n for n in SCENARIOS if persona in _ONLY_ON.get(n, (persona,)))
        scenario = rng.choice(names)
        SCENARIOS[scenario](device, FAMILIES[persona])
    return device

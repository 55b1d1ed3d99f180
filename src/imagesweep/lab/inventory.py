"""What the lab writes for the audit: a Nornir SimpleInventory and the known-good catalogue."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml

from imagesweep.lab.fleet import Fleet

CATALOGUE_HEADER = ("filename", "md5", "sha512", "platform", "version", "source")
_DESCRIPTIONS = {
    "ios_router": "Cisco ISR G2 router, classic IOS 15",
    "ios_switch": "Cisco Catalyst 2960-X switch, classic IOS 15.2",
    "iosxe_switch": "Cisco Catalyst 9300 switch, IOS-XE 17 bundle mode",
    "iosxe_router": "Cisco ISR 4331 router, IOS-XE 17 bundle mode",
}


def _dump(path: Path, data: dict[str, Any]) -> None:
    path.write_text(
        yaml.safe_dump(data, sort_keys=False, default_flow_style=False), encoding="utf-8"
    )


def write_inventory(fleet: Fleet, endpoints: dict[str, tuple[str, int]], directory: Path) -> Path:
    """hosts.yaml, groups.yaml, defaults.yaml in ``directory``; returns ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    hosts: dict[str, Any] = {}
    for device in fleet.devices:
        address, port = endpoints[device.name]
        hosts[device.name] = {
            "hostname": address,
            "port": port,
            "platform": device.platform,
            "username": device.credentials.username,
            "password": device.credentials.password,
            "groups": [device.persona],
            "connection_options": {"netmiko": {"extras": {"secret": device.credentials.secret}}},
            "data": {
                "persona": device.persona,
                "device_hostname": device.hostname,
                # The collector checks the device's prompt against it (hostname_mismatch).
                "expected_hostname": device.hostname,
                "faults": list(device.faults.names),
                "expect": list(device.expect),
            },
        }
    personas = sorted({device.persona for device in fleet.devices})
    groups = {name: {"data": {"description": _DESCRIPTIONS.get(name, name)}} for name in personas}
    _dump(directory / "hosts.yaml", hosts)
    _dump(directory / "groups.yaml", groups)
    _dump(
        directory / "defaults.yaml", {"data": {"source": "imagesweep lab", "fleet": fleet.source}}
    )
    return directory


def write_catalogue(fleet: Fleet, path: Path) -> None:
    """The known-good CSV (DESIGN.md §4) of the fleet's ``known_good`` images."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CATALOGUE_HEADER)
        for image in sorted(fleet.known_good(), key=lambda i: i.name):
            writer.writerow(
                (image.name, image.md5, image.sha512, image.platform, image.version, "lab")
            )
